"""A learned second reader beside the patterns: how much a message, word by word, sounds
like the cries for help and the worries of the labelled corpus, against its ordinary
messages (a logistic model over word stems and pairs of stems).

Patterns know exactly what they look for and miss every wording nobody wrote down; the
scorer knows no rule and catches paraphrases ("everyone would be fine without me after
tonight") because their words keep company with danger. It never overrules a pattern: it
adds a review, or an alert when it is very sure, to a message the patterns let pass. Its
weights are data (content/distress/<language>.scores.yaml), trained by
`bench/distress_train.py` from the corpus in tests/flows/distress/; its thresholds are
chosen there by cross-validation, never on the sentences it is judged by.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.distress.text import Word

# A message the model knows fewer words of than this says nothing to it (a name, "2", a
# sentence in another language): no score at all, rather than the model's prior.
MIN_KNOWN = 2


def stem_of(word: Word) -> str:
    """One name per word for the model: the first of its stems (stable across runs)."""
    return min(word.stems) if word.stems else word.text


def features(words: Sequence[Word], skip: Iterable[int] = ()) -> set[str]:
    """Stems and pairs of neighbouring stems, leaving out the words an exception covers
    ("my phone died" says nothing about dying)."""
    skipped = set(skip)
    stems = [stem_of(w) for i, w in enumerate(words) if i not in skipped]
    found = set(stems)
    found.update(f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False))
    return found


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Scorer:
    weights: Mapping[str, float]
    bias: float
    review_at: float  # at least this probability: a person reads it the same day
    alert_at: float  # at least this: an alert, as a pattern of the alert tier would
    meta: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorer:
        review_at, alert_at = float(data["review_at"]), float(data["alert_at"])
        if not 0 < review_at <= alert_at <= 1:
            raise ValueError("distress scores: need 0 < review_at <= alert_at <= 1")
        weights = {str(k): float(v) for k, v in (data.get("weights") or {}).items()}
        meta = {k: v for k, v in data.items() if k not in ("weights",)}
        return cls(weights, float(data["bias"]), review_at, alert_at, meta)

    def probability(self, found: set[str]) -> float | None:
        known = [self.weights[f] for f in found if f in self.weights]
        if len(known) < MIN_KNOWN:
            return None
        return sigmoid(self.bias + sum(known))

    def strongest(self, found: set[str], count: int = 3) -> list[str]:
        """The features that weighed most toward danger: what staff see as the reason."""
        ranked = sorted((f for f in found if self.weights.get(f, 0) > 0), key=self.weights.get)
        return ranked[::-1][:count]

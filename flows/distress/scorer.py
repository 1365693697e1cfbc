"""A learned second reader beside the patterns: how much a message, word by word, sounds
like the cries for help and the worries of the labelled corpus, against its ordinary
messages (a logistic model over word stems and pairs of stems).

Patterns know exactly what they look for and miss every wording nobody wrote down; the
scorer knows no rule and catches paraphrases ("everyone would be fine without me after
tonight") because their words keep company with danger. It never overrules a pattern: it
adds a review, or an alert when it is very sure, to a message the patterns let pass. Its
weights are data (content/distress/<language>.scores.json), trained by
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
PIECE = 4  # letters in a word piece; cross-validation chose 4 over 3, 5 and 4+5


def stem_of(word: Word) -> str:
    """One name per word for the model: the first of its stems (stable across runs)."""
    return min(word.stems) if word.stems else word.text


def features(words: Sequence[Word], skip: Iterable[int] = ()) -> set[str]:
    """Stems, pairs of neighbouring stems and the four-letter pieces of each word ("#<mor",
    "#mour", …: a dialect's inflection or a misspelling still shares most of its pieces with
    the word the corpus has), leaving out the words an exception covers ("my phone died"
    says nothing about dying)."""
    skipped = set(skip)
    kept = [w for i, w in enumerate(words) if i not in skipped]
    stems = [stem_of(w) for w in kept]
    found = set(stems)
    found.update(f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False))
    for word in kept:
        padded = f"<{word.text}>"
        found.update(f"#{padded[k : k + PIECE]}" for k in range(len(padded) - PIECE + 1))
    return found


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Model:
    weights: Mapping[str, float]
    bias: float
    at: float  # the probability from which it speaks

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Model:
        at = float(data["at"])
        if not 0 < at <= 1:
            raise ValueError("distress scores: a model's `at` is a probability above 0")
        weights = {str(k): float(v) for k, v in (data.get("weights") or {}).items()}
        return cls(weights, float(data["bias"]), at)

    def probability(self, found: set[str]) -> float | None:
        known = [self.weights[f] for f in found if f in self.weights]
        if len(known) < MIN_KNOWN:
            return None
        return sigmoid(self.bias + sum(known))

    def says(self, found: set[str]) -> bool:
        probability = self.probability(found)
        return probability is not None and probability >= self.at


@dataclass(frozen=True)
class Scorer:
    """Two models: `review` (needs a person: a cry or a worry) and `alert` (a cry, not a
    worry: "I feel so hopeless" is read the same day, not answered with the emergency
    number)."""

    review: Model
    alert: Model
    meta: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorer:
        meta = {k: v for k, v in data.items() if k not in ("review", "alert")}
        return cls(Model.from_dict(data["review"]), Model.from_dict(data["alert"]), meta)

    def strongest(self, found: set[str], count: int = 3) -> list[str]:
        """The stems and pairs that weighed most toward danger (word pieces left out: staff
        read words, not "#mour")."""
        weights = self.review.weights
        ranked = sorted(
            (f for f in found if not f.startswith("#") and weights.get(f, 0) > 0),
            key=weights.get,
        )
        return ranked[::-1][:count]

    def reason_words(self, words: Sequence[Word], found: set[str]) -> str:
        """The message's own words behind the strongest features, in their order: what
        staff see as why it was flagged."""
        stems = {part for feature in self.strongest(found, 5) for part in feature.split()}
        # Short words ("i", "a", "ma") weigh as company, not as meaning: left out.
        said = dict.fromkeys(w.text for w in words if len(w.text) > 2 and stem_of(w) in stems)
        return " ".join(said)

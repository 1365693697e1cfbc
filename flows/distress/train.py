"""Training the scorer (flows/distress/scorer.py): two logistic models by stochastic
gradient descent with L2, deterministic (seeded shuffles), in plain Python; a corpus of a
few thousand messages trains in seconds.

- `review`: needs a person (a cry or a worry) against ordinary messages;
- `alert`: a cry against worries and ordinary messages ("I feel so hopeless" needs a
  person the same day, not the emergency number).

Thresholds come from k-fold cross-validation on the training messages: the review model
lets through at most `REVIEW_FP` of the ordinary ones; the alert model at most `ALERT_FP` of
them and `ALERT_WORRIES` of the worries. No I/O: bench/distress_train.py reads and writes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flows.distress.scorer import sigmoid

EPOCHS = 40
RATE = 0.2
L2 = 1e-3
FOLDS = 5
PRUNE = 0.01  # weights smaller than this are left out of the file
REVIEW_FP = 0.03
ALERT_FP = 0.005
ALERT_WORRIES = 0.10

CRY, WORRY, ORDINARY, SHORT = "cry", "worry", "ordinary", "short"


@dataclass(frozen=True)
class Example:
    features: frozenset[str]
    kind: str  # cry, worry, ordinary (the corpus), short (answers the bot hears all day)


def fit(
    examples: Sequence[Example], label: Callable[[Example], float], seed: int = 0
) -> tuple[dict[str, float], float]:
    weights: dict[str, float] = {}
    bias = 0.0
    order = list(range(len(examples)))
    for epoch in range(EPOCHS):
        random.Random(seed * 1000 + epoch).shuffle(order)
        for i in order:
            example = examples[i]
            z = bias + sum(weights.get(f, 0.0) for f in example.features)
            error = sigmoid(z) - label(example)
            bias -= RATE * error
            for f in example.features:
                w = weights.get(f, 0.0)
                weights[f] = w - RATE * (error + L2 * w)
    return weights, bias


def _above(values: list[float], share: float) -> float:
    """The threshold with at most `share` of the values at or above it."""
    ranked = sorted(values)
    if not ranked:
        return 0.5
    return ranked[min(len(ranked) - 1, int(len(ranked) * (1 - share)))]


def _held_out(
    examples: Sequence[Example], label: Callable[[Example], float]
) -> list[tuple[float, Example]]:
    shuffled = list(examples)
    random.Random(1).shuffle(shuffled)
    found: list[tuple[float, Example]] = []
    for fold in range(FOLDS):
        learn = [e for i, e in enumerate(shuffled) if i % FOLDS != fold]
        weights, bias = fit(learn, label, seed=fold + 1)
        for e in (e for i, e in enumerate(shuffled) if i % FOLDS == fold):
            found.append((sigmoid(bias + sum(weights.get(f, 0.0) for f in e.features)), e))
    return found


def _model(examples: Sequence[Example], label: Callable[[Example], float], at: float) -> dict:
    weights, bias = fit(examples, label)
    return {
        "bias": round(bias, 4),
        "at": round(at, 4),
        "weights": {f: round(w, 3) for f, w in sorted(weights.items()) if abs(w) >= PRUNE},
    }


def _share(held: list[tuple[float, Example]], kinds: tuple[str, ...], at: float) -> float:
    chosen = [p for p, e in held if e.kind in kinds]
    return round(sum(p >= at for p in chosen) / max(1, len(chosen)), 3)


def train(examples: Sequence[Example]) -> dict:
    """Both models as the scores file holds them, with what cross-validation measured."""

    def needs_a_person(e: Example) -> float:
        return 1.0 if e.kind in (CRY, WORRY) else 0.0

    def cry(e: Example) -> float:
        return 1.0 if e.kind == CRY else 0.0

    held = _held_out(examples, needs_a_person)
    review_at = max(0.5, _above([p for p, e in held if e.kind == ORDINARY], REVIEW_FP))
    held_alert = _held_out(examples, cry)
    alert_at = max(
        0.5,
        _above([p for p, e in held_alert if e.kind == ORDINARY], ALERT_FP),
        _above([p for p, e in held_alert if e.kind == WORRY], ALERT_WORRIES),
    )
    return {
        "cross_validated": {
            "messages": len(held),
            "needing_a_person_reviewed": _share(held, (CRY, WORRY), review_at),
            "ordinary_reviewed": _share(held, (ORDINARY,), review_at),
            "cries_alerted": _share(held_alert, (CRY,), alert_at),
            "worries_alerted": _share(held_alert, (WORRY,), alert_at),
            "ordinary_alerted": _share(held_alert, (ORDINARY,), alert_at),
        },
        "review": _model(examples, needs_a_person, review_at),
        "alert": _model(examples, cry, alert_at),
    }

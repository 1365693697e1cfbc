"""Training the scorer (flows/distress/scorer.py): logistic regression by stochastic
gradient descent with L2, deterministic (seeded shuffles), in plain Python; a corpus of a
few thousand messages trains in seconds. Thresholds come from k-fold cross-validation on
the training messages: `review_at` lets through at most `review_fp` of the ordinary ones,
`alert_at` at most `alert_fp`. No I/O: bench/distress_train.py reads and writes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from flows.distress.scorer import sigmoid

EPOCHS = 40
RATE = 0.2
L2 = 1e-3
FOLDS = 5
PRUNE = 0.01  # weights smaller than this are left out of the file


@dataclass(frozen=True)
class Example:
    features: frozenset[str]
    label: float  # 1: needs a person (a cry or a worry); 0: ordinary
    ordinary: bool


def fit(examples: Sequence[Example], seed: int = 0) -> tuple[dict[str, float], float]:
    weights: dict[str, float] = {}
    bias = 0.0
    order = list(range(len(examples)))
    for epoch in range(EPOCHS):
        random.Random(seed * 1000 + epoch).shuffle(order)
        for i in order:
            example = examples[i]
            z = bias + sum(weights.get(f, 0.0) for f in example.features)
            error = sigmoid(z) - example.label
            bias -= RATE * error
            for f in example.features:
                w = weights.get(f, 0.0)
                weights[f] = w - RATE * (error + L2 * w)
    return weights, bias


def _quantile(values: list[float], share_above: float) -> float:
    """The smallest threshold with at most `share_above` of the values above it."""
    ranked = sorted(values)
    if not ranked:
        return 0.5
    index = min(len(ranked) - 1, int(len(ranked) * (1 - share_above)))
    return ranked[index]


def train(
    examples: Sequence[Example], review_fp: float = 0.03, alert_fp: float = 0.005
) -> dict:
    """Weights, bias and thresholds as the scores file holds them."""
    shuffled = list(examples)
    random.Random(1).shuffle(shuffled)
    held_out: list[tuple[float, Example]] = []
    for fold in range(FOLDS):
        learn = [e for i, e in enumerate(shuffled) if i % FOLDS != fold]
        check = [e for i, e in enumerate(shuffled) if i % FOLDS == fold]
        weights, bias = fit(learn, seed=fold + 1)
        for e in check:
            held_out.append((sigmoid(bias + sum(weights.get(f, 0.0) for f in e.features)), e))
    ordinary = [p for p, e in held_out if e.ordinary]
    review_at = max(0.5, _quantile(ordinary, review_fp))
    alert_at = max(review_at, _quantile(ordinary, alert_fp))
    weights, bias = fit(list(examples))
    caught = [p >= review_at for p, e in held_out if e.label >= 1]
    return {
        "bias": round(bias, 4),
        "review_at": round(review_at, 4),
        "alert_at": round(alert_at, 4),
        "cross_validated": {
            "messages": len(held_out),
            "needs_a_person_caught": round(sum(caught) / max(1, len(caught)), 3),
            "ordinary_flagged": round(
                sum(p >= review_at for p in ordinary) / max(1, len(ordinary)), 3
            ),
        },
        "weights": {
            f: round(w, 3) for f, w in sorted(weights.items()) if abs(w) >= PRUNE
        },
    }

"""Scores from answers: each answer 0..1, a weighted mean per dimension, and a composite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.survey.model import Survey


@dataclass(frozen=True)
class Scores:
    items: dict[str, float]  # question id -> 0..1, for scored questions answered
    dimensions: dict[str, float]  # dimension -> 0..1 (only those with an answer)
    composite: float | None


def item_score(survey: Survey, question_id: str, value: Any) -> float | None:
    question = survey.question(question_id)
    if value is None or not question.scores:
        return None
    if isinstance(value, int) and question.type == "scale" and question.maximum:
        low = question.minimum or 1
        return (value - low) / (question.maximum - low)
    return question.scores.get(str(value))


def score(survey: Survey, answers: dict[str, Any]) -> Scores:
    items: dict[str, float] = {}
    sums: dict[str, tuple[float, float]] = {}
    for question in survey.questions:
        value = item_score(survey, question.id, answers.get(question.id))
        if value is None:
            continue
        items[question.id] = value
        if question.dimension:
            total, weights = sums.get(question.dimension, (0.0, 0.0))
            sums[question.dimension] = (total + value * question.weight, weights + question.weight)
    dimensions = {
        name: round(total / weights, 4) for name, (total, weights) in sums.items() if weights
    }
    weighted = [
        (dimensions[name], weight)
        for name, weight in survey.dimensions.items()
        if name in dimensions
    ]
    weight_sum = sum(weight for _, weight in weighted)
    composite = round(sum(v * w for v, w in weighted) / weight_sum, 4) if weight_sum else None
    return Scores(items, dimensions, composite)

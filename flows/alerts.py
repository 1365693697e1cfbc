"""What raises an alert from a survey: a flagged answer, a low dimension score (what people
write is read by flows/distress/)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.survey.model import Question, Survey
from flows.survey.scoring import Scores

# The emergency contacts, sent at once for any danger (and even to a stopped contact:
# bot/messaging/optout.py).
EMERGENCY = "followup.emergency"


@dataclass(frozen=True)
class Danger:
    reason: str
    severity: str
    detail: str


def answer_danger(question: Question, value: Any) -> Danger | None:
    alert = question.alert
    if alert is None or value is None or str(value) not in alert["values"]:
        return None
    return Danger(alert["reason"], alert["severity"], f"{question.id}={value}")


def score_dangers(survey: Survey, scores: Scores) -> list[Danger]:
    found = []
    for rule in survey.score_alerts:
        value = scores.dimensions.get(rule.dimension)
        if value is not None and value < rule.below:
            found.append(
                Danger(
                    rule.reason, rule.severity, f"{rule.dimension} score {value:.2f} < {rule.below}"
                )
            )
    return found

"""What raises an alert: a flagged answer, a low dimension score, a phrase of danger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.survey.model import Question, Survey
from flows.survey.scoring import Scores
from flows.text import normalize


@dataclass(frozen=True)
class Danger:
    reason: str
    severity: str
    detail: str


@dataclass(frozen=True)
class Phrases:
    """Phrases of danger in every shipped language, normalized once."""

    severity: str
    phrases: tuple[str, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Phrases:
        found = {normalize(p) for phrases in (data.get("phrases") or {}).values() for p in phrases}
        return cls(str(data.get("severity", "high")), tuple(sorted(p for p in found if p)))

    def find(self, text: str | None) -> str | None:
        """The first phrase the text contains as whole words, or None."""
        said = f" {normalize(text)} "
        return next((p for p in self.phrases if f" {p} " in said), None)


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


def phrase_danger(phrases: Phrases, text: str | None) -> Danger | None:
    phrase = phrases.find(text)
    return Danger("phrase", phrases.severity, f"said: {phrase}") if phrase else None

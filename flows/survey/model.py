"""Survey definitions as data: questions, types, skip logic. Loaded from content/."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

QuestionType = Literal["choice", "yesno", "scale", "number", "date", "text"]
QUESTION_TYPES: tuple[str, ...] = ("choice", "yesno", "scale", "number", "date", "text")


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    prompt: str  # catalog key
    options: str | None = None  # option set, for choice
    optional: bool = False
    # Skip logic: ask only when every named earlier answer is one of the listed values.
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)
    other: bool = False  # choice: the option "other" asks a free-text follow-up
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 160
    field: str | None = None  # profile field the answer also fills
    # Scoring: which dimension the answer counts towards, and each option's value in 0..1.
    dimension: str | None = None
    weight: float = 1.0
    scores: dict[str, float] = dataclasses.field(default_factory=dict)  # `field` is taken above
    # An answer in `alert.values` raises an alert: {values, severity, reason}.
    alert: dict[str, Any] | None = None

    def applies(self, answers: dict[str, Any]) -> bool:
        return all(answers.get(name) in allowed for name, allowed in self.when.items())


@dataclass(frozen=True)
class ScoreAlert:
    dimension: str
    below: float
    severity: str
    reason: str


@dataclass(frozen=True)
class Survey:
    id: str
    version: int
    questions: tuple[Question, ...]
    intro: str | None = None  # catalog key said before the first question
    anonymous: bool = False  # the person may answer without their name on it
    dimensions: dict[str, float] = field(default_factory=dict)  # dimension -> weight
    score_alerts: tuple[ScoreAlert, ...] = ()

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


def survey_from_dict(data: dict[str, Any]) -> Survey:
    """Builds a survey from its YAML form; raises ValueError naming what is wrong."""
    questions = []
    seen: set[str] = set()
    for raw in data.get("questions", []):
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            raise ValueError(f"{data.get('id')}: question {raw.get('id')}: bad type {qtype!r}")
        if raw["id"] in seen:
            raise ValueError(f"{data.get('id')}: duplicate question {raw['id']}")
        seen.add(raw["id"])
        when = {k: tuple(v if isinstance(v, list) else [v]) for k, v in raw.get("when", {}).items()}
        for name in when:
            if name not in seen:
                raise ValueError(f"{data['id']}: {raw['id']} depends on later question {name}")
        if qtype == "choice" and not raw.get("options"):
            raise ValueError(f"{data['id']}: choice question {raw['id']} has no options")
        questions.append(
            Question(
                id=raw["id"],
                type=qtype,
                prompt=raw.get("prompt", f"{data['id']}.{raw['id']}"),
                options=raw.get("options"),
                optional=bool(raw.get("optional", False)),
                when=when,
                other=bool(raw.get("other", False)),
                minimum=raw.get("min"),
                maximum=raw.get("max"),
                max_length=int(raw.get("max_length", 160)),
                field=raw.get("field"),
                dimension=raw.get("dimension"),
                weight=float(raw.get("weight", 1)),
                scores={str(k): float(v) for k, v in (raw.get("scores") or {}).items()},
                alert=_alert(data["id"], raw),
            )
        )
    scoring = data.get("scoring") or {}
    dimensions = {str(k): float(v) for k, v in (scoring.get("dimensions") or {}).items()}
    for question in questions:
        if question.dimension and question.dimension not in dimensions:
            raise ValueError(
                f"{data['id']}: {question.id} counts towards unknown dimension {question.dimension}"
            )
        if any(not 0 <= v <= 1 for v in question.scores.values()):
            raise ValueError(f"{data['id']}: {question.id}: scores must lie between 0 and 1")
    score_alerts = tuple(
        ScoreAlert(
            a["dimension"], float(a["below"]), a.get("severity", "high"), a.get("reason", "score")
        )
        for a in scoring.get("alerts", [])
    )
    return Survey(
        id=data["id"],
        version=int(data.get("version", 1)),
        questions=tuple(questions),
        intro=data.get("intro"),
        anonymous=bool(data.get("anonymous", False)),
        dimensions=dimensions,
        score_alerts=score_alerts,
    )


def _alert(survey: str, raw: dict[str, Any]) -> dict[str, Any] | None:
    alert = raw.get("alert")
    if alert is None:
        return None
    if not alert.get("values") or alert.get("severity") not in ("high", "medium", "low"):
        raise ValueError(
            f"{survey}: {raw['id']}: an alert needs values and a severity (high/medium/low)"
        )
    values = [str(v) for v in alert["values"]]
    return {
        "values": values,
        "severity": alert["severity"],
        "reason": alert.get("reason", "answer"),
    }

"""Answers a facilitator records on someone's behalf (enrolment in person, no phone of
their own): checked against the instrument like the bot's answers, scored the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.alerts import Danger, answer_danger, score_dangers
from flows.content import Content
from flows.followup.effects import RecordResponse
from flows.survey.model import Survey
from flows.survey.scoring import score

# Free text and dates are typed by the person in the bot; on paper forms staff keep to
# the closed questions.
ASKED_ON_BEHALF = ("choice", "yesno", "scale", "number")


@dataclass(frozen=True)
class Assisted:
    response: RecordResponse | None
    dangers: tuple[Danger, ...]
    errors: tuple[str, ...]  # question ids with an answer that is not one of its options


def _allowed(question, content: Content) -> tuple[str, ...]:
    if question.type == "yesno":
        return ("yes", "no")
    if question.type == "choice":
        return content.option_sets.get(question.options or "", ())
    return ()


def record_on_behalf(
    survey: Survey,
    raw: dict[str, str],
    content: Content,
    wave: str | None,
    prompt_id: int | None = None,
) -> Assisted:
    """`prompt_id`: the step of their plan these answers stand for (None: at enrolment)."""
    answers: dict[str, Any] = {}
    errors: list[str] = []
    for question in survey.questions:
        if question.type not in ASKED_ON_BEHALF or not question.applies(answers):
            continue
        value = (raw.get(question.id) or "").strip()
        if not value:
            continue  # not asked, or they preferred not to say
        if question.type in ("scale", "number"):
            try:
                number = int(value)
            except ValueError:
                errors.append(question.id)
                continue
            low, high = question.minimum, question.maximum
            if (low is not None and number < low) or (high is not None and number > high):
                errors.append(question.id)
                continue
            answers[question.id] = number
        elif value in _allowed(question, content):
            answers[question.id] = value
        else:
            errors.append(question.id)
    if errors:
        return Assisted(None, (), tuple(errors))
    if not answers:
        return Assisted(None, (), ("empty",))
    scores = score(survey, answers)
    dangers = [d for q in survey.questions if (d := answer_danger(q, answers.get(q.id)))]
    dangers += score_dangers(survey, scores)
    response = RecordResponse(
        prompt_id=prompt_id,
        instrument=survey.id,
        version=survey.version,
        wave=wave,
        answers=answers,
        items=scores.items,
        dimensions=scores.dimensions,
        composite=scores.composite,
    )
    return Assisted(response, tuple(dangers), ())

"""The results in long format, one answer a row, and the data dictionary that explains it.

Identified answers carry a pseudonym (an HMAC of the person's public id under the service's
secret), never a name or number; anonymous answers carry no pseudonym and come after every
person's rows, so nothing places them next to anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import transaction
from bot.models import Answer, Person, SurveyResponse
from bot.results.aggregates import NO_WAVE, instruments
from flows.content import Content
from flows.survey.model import Question

EXPORT_COLUMNS = (
    "person_pseudonym",
    "instrument",
    "version",
    "wave",
    "question",
    "value",
    "answered_at",
)
LIST_SEPARATOR = "|"


def pseudonym(signing_key: str, public_id: str) -> str:
    digest = hmac.new(signing_key.encode(), public_id.encode(), hashlib.sha256).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class ExportPlan:
    identified: list[int]  # response ids, people within scope
    anonymous: list[int]  # response ids with no person, in an order that says nothing of who
    rows: int


def plan_export(session: Session, people, include_anonymous: bool) -> ExportPlan:
    """Which responses go into the file. `people` is a condition on Person (the staff scope)."""
    identified = list(
        session.scalars(
            select(SurveyResponse.id)
            .join(Person, Person.id == SurveyResponse.person_id)
            .where(people, Person.erased_at.is_(None), SurveyResponse.anonymous.is_(False))
            .order_by(SurveyResponse.id)
        )
    )
    anonymous: list[int] = []
    if include_anonymous:
        anonymous = list(
            session.scalars(
                select(SurveyResponse.id)
                .where(or_(SurveyResponse.person_id.is_(None), SurveyResponse.anonymous.is_(True)))
                .order_by(
                    SurveyResponse.instrument,
                    SurveyResponse.version,
                    SurveyResponse.wave,
                    SurveyResponse.completed_on,
                    SurveyResponse.id,
                )
            )
        )
    rows = 0
    for chunk in _chunks(identified + anonymous):
        rows += session.execute(
            select(func.count()).select_from(Answer).where(Answer.response_id.in_(chunk))
        ).scalar_one()
    return ExportPlan(identified, anonymous, rows)


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def export_rows(engine: Engine, plan: ExportPlan, signing_key: str) -> Iterator[tuple[str, ...]]:
    """The rows of the file, read a chunk of responses at a time (each its own transaction)."""
    for ids, named in ((plan.identified, True), (plan.anonymous, False)):
        for chunk in _chunks(ids):
            yield from _chunk_rows(engine, chunk, named, signing_key)


def _chunk_rows(engine: Engine, ids: list[int], named: bool, signing_key: str):
    columns = [
        SurveyResponse.id,
        SurveyResponse.instrument,
        SurveyResponse.version,
        SurveyResponse.wave,
        SurveyResponse.completed_on,
    ]
    with transaction(engine) as session:
        if named:
            query = select(*columns, Person.public_id).join(
                Person, Person.id == SurveyResponse.person_id
            )
        else:  # nothing about a person is even read
            query = select(*columns)
        responses = {
            row[0]: row for row in session.execute(query.where(SurveyResponse.id.in_(ids)))
        }
        answers = session.execute(
            select(Answer.response_id, Answer.question_id, Answer.value)
            .where(Answer.response_id.in_(ids))
            .order_by(Answer.response_id, Answer.id)
        ).all()
    by_response: dict[int, list] = {}
    for response_id, question_id, value in answers:
        by_response.setdefault(response_id, []).append((question_id, value))
    for response_id in ids:
        if response_id not in responses:
            continue
        _, instrument, version, wave, completed_on, *person_id = responses[response_id]
        person = pseudonym(signing_key, person_id[0]) if named else ""
        for question_id, value in by_response.get(response_id, []):
            yield (
                person,
                instrument,
                str(version),
                wave or "",
                question_id,
                export_value(value),
                completed_on.isoformat(),
            )


def export_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(export_value(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _no_formula(str(value))


def _no_formula(text: str) -> str:
    """Free text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[-+]?\d+(\.\d+)?", text):
        return "'" + text
    return text


def dictionary_rows(content: Content, seen: set[str] = frozenset()) -> list[tuple[str, ...]]:
    """What each column of the export means, then every question of every instrument."""
    rows: list[tuple[str, ...]] = [
        ("kind", "name", "instrument", "version", "description", "type", "values", "scoring")
    ]
    columns = {
        "person_pseudonym": (
            "text",
            "The same person always has the same pseudonym (16 hex characters, a keyed hash "
            "of their reference); empty for anonymous answers, which carry nothing about a "
            "person. Anonymous rows come after the others, in an order unrelated to anyone.",
        ),
        "instrument": ("text", "The survey or check-in answered (see the question rows)."),
        "version": ("integer", "The instrument's version when it was answered."),
        "wave": ("text", f"The follow-up wave (m3 = month 3 after return); empty: {NO_WAVE}."),
        "question": ("text", "The question id (see the question rows)."),
        "value": (
            "text",
            "The stored value (an option value, a number, a date or free text); empty when "
            f"the question was skipped. Several values are joined with '{LIST_SEPARATOR}' on "
            "one row. Text a spreadsheet would read as a formula (starting with = + - @) "
            "begins with an apostrophe.",
        ),
        "answered_at": ("date", "The day the instrument was completed (YYYY-MM-DD)."),
    }
    for name in EXPORT_COLUMNS:
        kind, description = columns[name]
        rows.append(("column", name, "", "", description, kind, "", ""))
    for instrument in instruments(content, seen):
        survey = content.surveys.get(instrument)
        if survey is None:
            continue
        for question in survey.questions:
            rows.append(
                (
                    "question",
                    question.id,
                    survey.id,
                    str(survey.version),
                    _english(content, question.prompt),
                    question.type,
                    _value_set(content, question),
                    _scoring(question),
                )
            )
    return rows


def _english(content: Content, key: str) -> str:
    try:
        return content.catalog.text("en", key)
    except KeyError:
        return key


def _value_set(content: Content, question: Question) -> str:
    if question.type == "choice" and question.options:
        return "; ".join(
            f"{value}={_english(content, f'option.{question.options}.{value}')}"
            for value in content.option_sets.get(question.options, ())
        )
    if question.type == "yesno":
        return "yes; no"
    if question.type in ("scale", "number"):
        low = "" if question.minimum is None else str(question.minimum)
        high = "" if question.maximum is None else str(question.maximum)
        return f"integer {low}..{high}" if low or high else "number"
    if question.type == "date":
        return "date YYYY-MM-DD"
    return f"free text, up to {question.max_length} characters"


def _scoring(question: Question) -> str:
    if not question.scores:
        return ""
    where = f" (dimension {question.dimension}, weight {question.weight:g})"
    if not question.dimension:
        where = ""
    if question.type == "scale" and question.maximum:
        low = question.minimum or 1
        return f"(value - {low}) / {question.maximum - low}{where}"
    mapping = "; ".join(f"{value}={score:g}" for value, score in question.scores.items())
    return mapping + where

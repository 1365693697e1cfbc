"""Results: answers aggregated per instrument and wave (bot/results/snapshot.py stores them
ahead of time in one row, which the results pages read). Breakdowns are by gender, age band, district and return
cohort (return month). Anonymous responses have no person: they count in the totals and sit
in the "unknown" bucket of every breakdown, never next to anyone.

Privacy: a breakdown bucket with fewer than MIN_CELL respondents is suppressed, and so is the
next smallest bucket while the suppressed ones together stay below MIN_CELL (otherwise the
total minus the visible buckets would give the hidden one away). The totals of a wave are
suppressed the same way while fewer than MIN_CELL people answered it.

The long-format export and its data dictionary are in bot/results/export.py.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlmodel import Session

from bot.models import Answer, Person, ScheduledPrompt, SurveyResponse
from flows.content import Content
from flows.survey.model import Question, Survey

MIN_CELL = 5
BREAKDOWNS = ("gender", "age_band", "district", "cohort")
UNKNOWN = "unknown"
NO_WAVE = "adhoc"  # check-ins and other prompts outside the numbered waves
FIRED = ("open", "answered", "missed")
# Answers whose values are counted; text and dates are the person's own words: only counted.
DISTRIBUTED = ("choice", "yesno", "scale", "number")
SCHEMA = 1  # of the aggregated data: a snapshot of another schema is recomputed


def suppressed(reason: str = "small") -> dict[str, Any]:
    if reason == "small":
        return {"suppressed": True, "n_below": MIN_CELL}
    return {"suppressed": True, "complement": True}


# -- what there is to show, in the programme's order ---------------------------------------


def _offsets(content: Content) -> dict[str, dict[str, int]]:
    """instrument -> wave -> earliest offset (days, roughly) in any plan."""
    found: dict[str, dict[str, int]] = {}
    if content.plans is None:
        return found
    for plan in content.plans.plans.values():
        for step in plan.steps:
            if step.instrument:
                at = step.months * 31 + step.weeks * 7 + step.days
                waves = found.setdefault(step.instrument, {})
                wave = step.wave or NO_WAVE
                waves[wave] = min(waves.get(wave, at), at)
    return found


def instruments(content: Content, seen: set[str] = frozenset()) -> list[str]:
    """Instruments of the follow-up plans in plan order, then any others that have answers."""
    offsets = _offsets(content)
    if not offsets:
        planned = [name for name in content.surveys if name not in ("consent", "profile")]
    else:
        planned = sorted(offsets, key=lambda name: (min(offsets[name].values()), name))
    return planned + sorted(set(seen) - set(planned))


def order_waves(content: Content, instrument: str, waves: set[str]) -> list[str]:
    known = _offsets(content).get(instrument, {})

    def key(wave: str):
        if wave in known:
            return (0, known[wave], wave)
        if wave in ("intake", "baseline"):
            return (0, -1, wave)
        month = re.fullmatch(r"m(\d+)", wave)
        if month:
            return (0, int(month.group(1)) * 31, wave)
        return (1, 0, wave)

    return sorted(waves, key=key)


# -- the aggregation -----------------------------------------------------------------------


@dataclass
class _Tally:
    n: int = 0  # responses
    respondents: int = 0  # distinct people, each anonymous response counted as one
    questions: dict[str, tuple[Counter, list[int]]] = field(default_factory=dict)
    dimensions: dict[str, list[float]] = field(default_factory=dict)  # name -> [sum, n]
    composite: list[float] = field(default_factory=lambda: [0.0, 0])

    def add_answer(self, question: str, values: list[str] | None, count: int) -> None:
        counter, answered = self.questions.setdefault(question, (Counter(), [0]))
        answered[0] += count
        for value in values or ():
            counter[value] += count

    def stats(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "respondents": self.respondents,
            "questions": {
                qid: {"answered": answered[0], "values": dict(counter)}
                for qid, (counter, answered) in self.questions.items()
            },
            "dimensions": {
                name: {"mean": _mean(total, n), "n": int(n)}
                for name, (total, n) in sorted(self.dimensions.items())
                if n
            },
            "composite": {"mean": _mean(*self.composite), "n": int(self.composite[1])},
        }


def _mean(total: float, n: float) -> float | None:
    return round(total / n, 4) if n else None


@dataclass
class _Cell:
    overall: _Tally = field(default_factory=_Tally)
    breakdowns: dict[str, dict[str, _Tally]] = field(
        default_factory=lambda: {by: {} for by in BREAKDOWNS}
    )
    versions: set[int] = field(default_factory=set)
    anonymous: int = 0
    rate: Counter = field(default_factory=Counter)

    def tallies(self, profile: tuple) -> list[_Tally]:
        found = [self.overall]
        for by, value in zip(BREAKDOWNS, profile, strict=True):
            found.append(self.breakdowns[by].setdefault(_bucket(by, value), _Tally()))
        return found


def _bucket(by: str, value: Any) -> str:
    if value is None or value == "":
        return UNKNOWN
    if by == "cohort":
        number = int(value)
        return f"{number // 100:04d}-{number % 100:02d}"
    return str(value)


def _profile_columns():
    month = extract("year", Person.return_date) * 100 + extract("month", Person.return_date)
    return (Person.gender, Person.age_band, Person.district, month)


def _included():
    # Erasure unlinks a person's answers; a linked answer of an erased person is not counted.
    return or_(SurveyResponse.person_id.is_(None), Person.erased_at.is_(None))


def _values(raw: str | None, question: Question | None) -> list[str] | None:
    """The counted values of one stored answer: None when skipped, [] when only counted."""
    value = json.loads(raw) if isinstance(raw, str) else raw
    if value is None or value == []:
        return None
    if question is not None and question.type not in DISTRIBUTED:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if item is not None]


def compute(session: Session, content: Content, now: datetime) -> dict[str, Any]:
    """Every instrument and wave: totals, breakdowns, trajectories and response rates."""
    cells: dict[tuple[str, str], _Cell] = {}

    def cell(instrument: str, wave: str | None) -> _Cell:
        return cells.setdefault((instrument, wave or NO_WAVE), _Cell())

    for instrument, waves in _offsets(content).items():
        for wave in waves:
            cell(instrument, wave)
    profile = _profile_columns()
    dimensions = sorted({d for survey in content.surveys.values() for d in survey.dimensions})
    dimension_columns = []
    for name in dimensions:
        score = SurveyResponse.scores[name].as_float()
        dimension_columns += [func.sum(score), func.count(score)]
    responses = (
        select(
            SurveyResponse.instrument,
            SurveyResponse.wave,
            SurveyResponse.version,
            *profile,
            func.count(),
            func.count(SurveyResponse.person_id.distinct()),
            func.sum(case((SurveyResponse.person_id.is_(None), 1), else_=0)),
            func.sum(SurveyResponse.composite),
            func.count(SurveyResponse.composite),
            *dimension_columns,
        )
        .select_from(SurveyResponse)
        .outerjoin(Person, Person.id == SurveyResponse.person_id)
        .where(_included())
        .group_by(SurveyResponse.instrument, SurveyResponse.wave, SurveyResponse.version, *profile)
    )
    for row in session.execute(responses):
        instrument, wave, version, *rest = row
        keys, (n, persons, anonymous, comp_sum, comp_n, *dims) = rest[:4], rest[4:]
        target = cell(instrument, wave)
        target.versions.add(int(version))
        target.anonymous += int(anonymous or 0)
        for tally in target.tallies(tuple(keys)):
            tally.n += int(n)
            tally.respondents += int(persons) + int(anonymous or 0)
            tally.composite[0] += float(comp_sum or 0)
            tally.composite[1] += int(comp_n)
            for index, name in enumerate(dimensions):
                total, count = dims[2 * index], dims[2 * index + 1]
                if count:
                    pair = tally.dimensions.setdefault(name, [0.0, 0])
                    pair[0] += float(total)
                    pair[1] += int(count)

    stored = cast(Answer.value, String)
    # The person's own words (free text, dates) are only counted: they never leave the
    # database for this, and do not make one group each.
    words = [
        and_(SurveyResponse.instrument == survey.id, Answer.question_id == question.id)
        for survey in content.surveys.values()
        for question in survey.questions
        if question.type not in DISTRIBUTED
    ]
    value_text = stored
    if words:
        value_text = case((and_(or_(*words), stored != "null"), literal('"…"')), else_=stored)
    answers = (
        select(
            SurveyResponse.instrument,
            SurveyResponse.wave,
            Answer.question_id,
            value_text,
            *profile,
            func.count(),
        )
        .select_from(Answer)
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .outerjoin(Person, Person.id == SurveyResponse.person_id)
        .where(_included())
        .group_by(
            SurveyResponse.instrument, SurveyResponse.wave, Answer.question_id, value_text, *profile
        )
    )
    for instrument, wave, question_id, raw, *keys, count in session.execute(answers):
        values = _values(raw, find_question(content.surveys.get(instrument), question_id))
        if values is None:
            continue
        for tally in cell(instrument, wave).tallies(tuple(keys)):
            tally.add_answer(question_id, values, int(count))

    rates = (
        select(
            ScheduledPrompt.instrument, ScheduledPrompt.wave, ScheduledPrompt.status, func.count()
        )
        .where(ScheduledPrompt.instrument.is_not(None), ScheduledPrompt.status.in_(FIRED))
        .group_by(ScheduledPrompt.instrument, ScheduledPrompt.wave, ScheduledPrompt.status)
    )
    for instrument, wave, status, count in session.execute(rates):
        cell(instrument, wave).rate[status] += int(count)

    return _assemble(content, cells, now)


def find_question(survey: Survey | None, question_id: str) -> Question | None:
    if survey is None:
        return None
    try:
        return survey.question(question_id)
    except KeyError:
        return None


def _assemble(content: Content, cells: dict[tuple[str, str], _Cell], now: datetime) -> dict:
    by_instrument: dict[str, dict[str, _Cell]] = {}
    for (instrument, wave), value in cells.items():
        by_instrument.setdefault(instrument, {})[wave] = value
    result: dict[str, Any] = {}
    for instrument in instruments(content, set(by_instrument)):
        waves = by_instrument.get(instrument, {})
        survey = content.surveys.get(instrument)
        ordered = order_waves(content, instrument, set(waves))
        shown = {wave: _cell_data(waves[wave]) for wave in ordered}
        names = list(survey.dimensions) if survey else []
        for data in shown.values():
            overall = data["overall"]
            names += [n for n in overall.get("dimensions", {}) if n not in names]
        trajectory = []
        if names:
            for wave in ordered:
                overall = shown[wave]["overall"]
                if not shown[wave]["n"]:
                    continue
                trajectory.append(
                    {
                        "wave": wave,
                        "n": shown[wave]["n"],
                        "suppressed": bool(overall.get("suppressed")),
                        "composite": overall.get("composite", {}).get("mean"),
                        "dimensions": {
                            name: overall.get("dimensions", {}).get(name, {}).get("mean")
                            for name in names
                        },
                    }
                )
        result[instrument] = {
            "waves": ordered,
            "dimensions": names,
            "cells": shown,
            "trajectory": trajectory,
        }
    return {
        "schema": SCHEMA,
        "computed_at": now.isoformat(),
        "min_cell": MIN_CELL,
        "order": list(result),
        "instruments": result,
    }


def _cell_data(cell: _Cell) -> dict[str, Any]:
    fired = sum(cell.rate[status] for status in FIRED)
    answered = cell.rate["answered"]
    overall = cell.overall
    return {
        "n": overall.n,
        "respondents": overall.respondents,
        "anonymous": cell.anonymous,
        "versions": sorted(cell.versions),
        "rate": {
            "fired": fired,
            "answered": answered,
            "open": cell.rate["open"],
            "missed": cell.rate["missed"],
            "rate": round(answered / fired, 4) if fired else None,
        },
        "overall": overall.stats() if overall.respondents >= MIN_CELL else suppressed(),
        "breakdowns": {by: suppress(cell.breakdowns[by]) for by in BREAKDOWNS},
    }


def suppress(buckets: dict[str, _Tally]) -> dict[str, dict[str, Any]]:
    """Small buckets hidden, and enough others that the hidden ones add up to MIN_CELL."""
    hidden = {name for name, tally in buckets.items() if tally.respondents < MIN_CELL}
    hidden_total = sum(buckets[name].respondents for name in hidden)
    visible = sorted(
        (name for name in buckets if name not in hidden),
        key=lambda name: (buckets[name].respondents, name),
    )
    complement = set()
    while 0 < hidden_total < MIN_CELL and visible:
        name = visible.pop(0)
        complement.add(name)
        hidden_total += buckets[name].respondents
    return {
        name: suppressed("small")
        if name in hidden
        else suppressed("complement")
        if name in complement
        else tally.stats()
        for name, tally in sorted(buckets.items())
    }

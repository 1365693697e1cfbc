"""What staff review on the matching page: proposals waiting for them, people waiting with
no proposal and why, and the matches under way. `condition` limits the mentees to those
the staff member may see (admin/scope.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from bot.mentoring import load
from bot.models import Mentor, MentorMatch, MentorPulse, MentorRequest, Person
from bot.models.mentoring import OPEN_MATCH
from bot.people.local_time import programme_today
from flows.content import Content
from flows.mentoring.cases import Unmatched
from flows.mentoring.match import explain

UNDER_WAY = ("offered", "accepted", "active")


@dataclass(frozen=True)
class Row:
    match: MentorMatch
    mentee: Person
    mentor: Person


def _rows(session: Session, statuses, condition, district: str | None) -> list[Row]:
    mentor_person = aliased(Person)
    query = (
        select(MentorMatch, Person, mentor_person)
        .join(Person, Person.id == MentorMatch.mentee_id)
        .join(Mentor, Mentor.id == MentorMatch.mentor_id)
        .join(mentor_person, mentor_person.id == Mentor.person_id)
        .where(MentorMatch.status.in_(statuses), condition)
        .order_by(Person.district, MentorMatch.id)
    )
    if district:
        query = query.where(Person.district == district)
    return [Row(m, a, b) for m, a, b in session.execute(query).all()]


def proposals(session: Session, condition, district: str | None = None) -> list[Row]:
    return _rows(session, ("proposed",), condition, district)


def under_way(session: Session, condition, district: str | None = None) -> list[Row]:
    return _rows(session, UNDER_WAY, condition, district)


def waiting(
    session: Session, content: Content, now: datetime, condition, district: str | None = None
) -> list[tuple[Person, Unmatched | None]]:
    """People waiting for a mentor with nothing under way, and why no mentor was found for
    them as things stand (None: a mentor would be found by running matching now)."""
    busy = set(
        session.scalars(select(MentorMatch.mentee_id).where(MentorMatch.status.in_(OPEN_MATCH)))
    )
    mentees = [m for m in load.mentees(session, content, district) if m.id not in busy]
    if not mentees:
        return []
    visible = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_([m.id for m in mentees]), condition)
        )
    }
    mentees = [m for m in mentees if m.id in visible]
    # The reasons alone, not a solve: a page view must not cost a matching run.
    reasons = {
        u.mentee_id: u
        for u in explain(
            mentees,
            set(),
            load.mentors(session, content, programme_today(content, now)),
            content.mentoring,
            load.barriers(session),
        )
        if u.reason != "taken"  # someone who would suit has a place: matching would find them
    }
    return [(visible[m.id], reasons.get(m.id)) for m in mentees]


@dataclass(frozen=True)
class PersonMentoring:
    """The mentoring part of a person's page."""

    mentor: Mentor | None  # their own record, if they mentor
    matches: list[tuple[MentorMatch, Person]]  # as a mentee, newest first, with the mentor
    waiting: bool  # they asked for a mentor and wait


def of_person(session: Session, person_id: int) -> PersonMentoring:
    mentor = session.scalar(select(Mentor).where(Mentor.person_id == person_id))
    mentor_person = aliased(Person)
    matches = [
        (m, p)
        for m, p in session.execute(
            select(MentorMatch, mentor_person)
            .join(Mentor, Mentor.id == MentorMatch.mentor_id)
            .join(mentor_person, mentor_person.id == Mentor.person_id)
            .where(MentorMatch.mentee_id == person_id)
            .order_by(MentorMatch.id.desc())
        ).all()
    ]
    waiting = (
        session.scalar(
            select(MentorRequest.id).where(
                MentorRequest.person_id == person_id, MentorRequest.status == "waiting"
            )
        )
        is not None
    )
    return PersonMentoring(mentor, matches, waiting)


def pulses(session: Session, match_ids: list[int]) -> dict[int, list[MentorPulse]]:
    """Each match's answers so far (pulses, logs, evaluations), in month order."""
    found: dict[int, list[MentorPulse]] = {}
    if not match_ids:
        return found
    for row in session.scalars(
        select(MentorPulse)
        .where(MentorPulse.match_id.in_(match_ids))
        .order_by(MentorPulse.month, MentorPulse.kind, MentorPulse.role)
    ):
        found.setdefault(row.match_id, []).append(row)
    return found


def mentor_names(session: Session, mentor_ids) -> dict[int, str]:
    ids = sorted(set(mentor_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Mentor.id, Person.display_name)
        .join(Person, Person.id == Mentor.person_id)
        .where(Mentor.id.in_(ids))
    ).all()
    return {mentor_id: name or "—" for mentor_id, name in rows}


@dataclass(frozen=True)
class Figure:
    kind: str  # pulse, log, evaluation
    role: str
    answers: int
    mean: float | None  # None while fewer than MIN_CELL answered: too few to show


def summary(session: Session, min_cell: int) -> dict:
    """Programme figures of the mentor network for Results: matches by status, and the mean
    of each kind of answer (hidden below `min_cell` answers, like every other figure there)."""
    statuses = dict(
        session.execute(select(MentorMatch.status, func.count()).group_by(MentorMatch.status)).all()
    )
    outcomes = dict(
        session.execute(
            select(MentorPulse.outcome, func.count())
            .where(MentorPulse.outcome.is_not(None))
            .group_by(MentorPulse.outcome)
        ).all()
    )
    figures = []
    for kind, role, answers, mean in session.execute(
        select(MentorPulse.kind, MentorPulse.role, func.count(), func.avg(MentorPulse.score))
        .group_by(MentorPulse.kind, MentorPulse.role)
        .order_by(MentorPulse.kind, MentorPulse.role)
    ).all():
        shown = None if answers < min_cell or mean is None else round(float(mean), 1)
        figures.append(Figure(kind, role, answers, shown))
    return {
        "statuses": statuses,
        "figures": figures,
        "outcomes": {k: v for k, v in outcomes.items() if v >= min_cell},
        "outcomes_hidden": any(v < min_cell for v in outcomes.values()),
    }

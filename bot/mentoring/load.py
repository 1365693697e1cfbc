"""Mentees and mentors as matching sees them (flows/mentoring/cases.py), read from the rows.

A mentee is a person with a request still waiting; a mentor's places are their capacity
less their matches still under way (proposed, offered, accepted or active). Barriers are
every pair ever declined, expired or rejected, and every conflict staff flagged."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from bot.models import Mentor, MentorConflict, MentorMatch, MentorRequest, Person
from bot.models.mentoring import OPEN_MATCH
from flows.content import Content
from flows.mentoring import cases
from flows.mentoring.training import ready
from flows.vocabulary import PersonStatus

# A pair that ended this way is never proposed again.
REFUSED = ("declined", "expired", "rejected")
LIVE = (PersonStatus.ACTIVE.value,)


def _reachable():
    """Enrolled, not opted out, their time in the programme not over: pairing messages can
    reach them."""
    return (Person.status.in_(LIVE), Person.opted_out_at.is_(None), Person.outcome.is_(None))


def _age_rank(content: Content, band: str | None) -> int | None:
    bands = content.option_sets.get("age_band", ())
    return bands.index(band) if band in bands else None


def _wants(interests) -> frozenset[str]:
    return frozenset(str(i) for i in interests or ())


def mentees(
    session: Session,
    content: Content,
    district: str | None = None,
    person_ids: list[int] | None = None,
) -> list[cases.Mentee]:
    """People waiting for a mentor, in one district or all of them (or only `person_ids`)."""
    query = (
        select(MentorRequest, Person)
        .join(Person, Person.id == MentorRequest.person_id)
        .where(MentorRequest.status == "waiting", *_reachable())
        .order_by(MentorRequest.id)
    )
    if district:
        query = query.where(Person.district == district)
    if person_ids is not None:
        query = query.where(Person.id.in_(person_ids))
    found = []
    for request, person in session.execute(query).all():
        found.append(
            cases.Mentee(
                id=person.id,
                district=person.district if person.district != "other" else None,
                languages=frozenset({person.language} if person.language else ()),
                gender=person.gender,
                age_rank=_age_rank(content, person.age_band),
                sector=person.sector,
                wants=_wants(person.interests),
                abroad_in=request.abroad_in,
                years_abroad=request.years_abroad,
                returned_on=person.return_date,
                prefers_gender=request.prefers_gender,
                prefers_language=request.prefers_language,
                prefers_sector=request.prefers_sector,
            )
        )
    return found


def places_taken(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(MentorMatch.mentor_id, func.count())
        .where(MentorMatch.status.in_(OPEN_MATCH))
        .group_by(MentorMatch.mentor_id)
    ).all()
    return {mentor_id: count for mentor_id, count in rows}


def mentors(session: Session, content: Content, today: date) -> list[cases.Mentor]:
    """Every mentor not withdrawn, ready or not (matching says why a district has none)."""
    taken = places_taken(session)
    rules = content.mentoring
    found = []
    query = (
        select(Mentor, Person)
        .join(Person, Person.id == Mentor.person_id)
        .where(Mentor.status != "withdrawn", *_reachable())
        .order_by(Mentor.id)
    )
    for mentor, person in session.execute(query).all():
        languages = set(mentor.languages or ())
        if person.language:
            languages.add(person.language)
        found.append(
            cases.Mentor(
                id=mentor.id,
                person_id=person.id,
                district=person.district if person.district != "other" else None,
                languages=frozenset(languages),
                free=max(0, mentor.capacity - taken.get(mentor.id, 0)),
                ready=ready(
                    mentor.status,
                    mentor.trained_on,
                    mentor.training_days,
                    mentor.refreshed_on,
                    today,
                    rules,
                ),
                gender=person.gender,
                age_rank=_age_rank(content, person.age_band),
                sector=person.sector,
                skills=_wants(mentor.skills),
                abroad_in=mentor.abroad_in,
                years_abroad=mentor.years_abroad,
                returned_on=mentor.returned_on or person.return_date,
            )
        )
    return found


def barriers(session: Session) -> cases.Barriers:
    refused = session.execute(
        select(MentorMatch.mentee_id, MentorMatch.mentor_id).where(MentorMatch.status.in_(REFUSED))
    ).all()
    flagged = session.execute(select(MentorConflict.person_id, MentorConflict.mentor_id)).all()
    return cases.Barriers(
        frozenset((a, b) for a, b in refused), frozenset((a, b) for a, b in flagged)
    )

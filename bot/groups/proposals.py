"""Whom to invite to a group: people who asked to join first, then newcomers to peer groups,
from the group's district, speaking its language, of the group's gender when it is single-
gender; each with the rules inviting them would go against (staff may still invite them,
giving a reason)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from bot.groups.forming import warnings_for
from bot.models import GroupMember, GroupRequest, PeerGroup, Person
from bot.models.groups import PENDING_OR_JOINED
from flows.content import Content

GENDERS = {"women": "woman", "men": "man"}
LIMIT = 40


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str | None
    district: str | None
    asked: bool  # they asked to join a group
    warnings: tuple[str, ...]


def candidates(
    session: Session, group: PeerGroup, content: Content, now: datetime, *, condition=None
) -> list[Candidate]:
    """Up to 40, those who asked first; `condition` limits them to whom staff may see."""
    taken = select(GroupMember.person_id).where(
        GroupMember.group_id == group.id, GroupMember.status.in_(PENDING_OR_JOINED)
    )
    where = [
        Person.status == "active",
        Person.erased_at.is_(None),
        Person.id.not_in(taken),
        Person.language == group.language,
    ]
    if group.facilitator_person_id is not None:
        where.append(Person.id != group.facilitator_person_id)
    if group.district:
        where.append(Person.district == group.district)
    if group.gender_mix in GENDERS:
        where.append(Person.gender == GENDERS[group.gender_mix])
    if condition is not None:
        where.append(condition)
    asked = set(
        session.scalars(select(GroupRequest.person_id).where(GroupRequest.status == "waiting"))
    )
    people = session.scalars(
        select(Person).where(*where).order_by(Person.return_date.desc(), Person.id).limit(400)
    ).all()
    ranked = sorted(people, key=lambda p: (p.id not in asked,))[:LIMIT]
    found = []
    for person in ranked:
        warnings = warnings_for(session, group, person, content, now)
        found.append(
            Candidate(person.id, person.display_name, person.district, person.id in asked, warnings)
        )
    # Newcomers (no warning about it) before those who have been in a group.
    return sorted(found, key=lambda c: (not c.asked, "not_newcomer_to_forming" in c.warnings))

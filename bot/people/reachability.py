"""Reachability: three missed waves in a row, or a number that no longer exists, make a
person unreachable and tell their facilitator; any word from them makes them reachable."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.audit import SYSTEM, audit
from bot.casework.alerts import raise_alert
from bot.models import Person
from flows.content import Content


def mark_unreachable(
    session: Session, person: Person, why: str, now: datetime, content: Content | None = None
) -> None:
    if person.unreachable_at is not None:
        return
    person.unreachable_at = now
    audit(session, SYSTEM, "person.unreachable", person.id, now, why=why)
    programme = content.programme if content is not None else None
    raise_alert(session, person, "unreachable", "medium", why, now, programme)


def mark_reachable(session: Session, person: Person, now: datetime) -> None:
    if person.unreachable_at is None and person.missed_in_row == 0:
        return
    if person.unreachable_at is not None:
        audit(session, SYSTEM, "person.reachable", person.id, now)
    person.unreachable_at = None
    person.missed_in_row = 0

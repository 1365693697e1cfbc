"""Messages handed to a person: what the bot could not handle, and everything said after
asking to "talk to a person". Staff answer on the person's own channel, through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, update
from sqlmodel import Session, select

from bot.audit import audit, staff_actor
from bot.messaging.outbox import enqueue
from bot.models import Inbound, Outbound, Person, Staff
from bot.people.contacts import preferred_contact
from bot.people.reach import Reach, may_write
from flows.types import Message

REPLY_MAX = 1000
ORIGIN = "staff.reply"
OPEN = and_(Inbound.handoff.is_not(None), Inbound.handled_at.is_(None))


class HandoffError(ValueError):
    """The message is a key of the admin's catalog."""


def reply(session: Session, person: Person, staff: Staff, text: str, now: datetime) -> Outbound:
    """A reply from staff goes out like any message (a row first), on the channel the person
    last wrote from; what they had sent counts as handled."""
    text = (text or "").strip()
    if not text:
        raise HandoffError("inbox.error.empty")
    if len(text) > REPLY_MAX:
        raise HandoffError("inbox.error.too_long")
    if not may_write(person, {}, Reach.REPLY):
        raise HandoffError("inbox.error.opted_out")
    contact = preferred_contact(session, person.id)
    if contact is None:
        raise HandoffError("inbox.error.no_channel")
    row = enqueue(session, person, contact, Message(text), now, staff_id=staff.id, origin=ORIGIN)
    mark_handled(session, person.id, staff.id, now)
    session.flush()
    audit(session, staff_actor(staff.id), "inbox.replied", person.id, now, outbound_id=row.id)
    return row


def mark_handled(session: Session, person_id: int, staff_id: int, now: datetime) -> int:
    result = session.exec(
        update(Inbound)
        .where(Inbound.person_id == person_id, OPEN)
        .values(handled_at=now, handled_by=staff_id)
    )
    return result.rowcount or 0


def assign(
    session: Session, person: Person, assignee: int | None, staff_id: int, now: datetime
) -> None:
    """To an admin or to the person's own facilitator: someone who can open the thread."""
    if assignee is not None:
        staff = session.get(Staff, assignee)
        allowed = (
            staff is not None
            and staff.active
            and (staff.role == "admin" or staff.id == person.facilitator_id)
        )
        if not allowed:
            raise HandoffError("inbox.error.assignee")
    session.exec(
        update(Inbound).where(Inbound.person_id == person.id, OPEN).values(assigned_to=assignee)
    )
    audit(session, staff_actor(staff_id), "inbox.assigned", person.id, now, assignee=assignee)


def current_assignee(session: Session, person_id: int) -> int | None:
    """Who the person's open thread is assigned to: a new message joins it there."""
    return session.exec(
        select(Inbound.assigned_to)
        .where(Inbound.person_id == person_id, OPEN, Inbound.assigned_to.is_not(None))
        .order_by(Inbound.id.desc())
        .limit(1)
    ).first()

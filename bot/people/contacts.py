"""Contacts: finding or creating the person behind an address, their conversation, and
contact choice (which of their addresses to write to)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.models import Contact, Conversation, Person

# Built once: every message looks its sender up, and building cost a third of the lookup.
_FIND_CONTACT = select(Contact).where(
    Contact.channel == bindparam("channel"), Contact.address == bindparam("address")
)
_CONVERSATION = select(Conversation).where(Conversation.person_id == bindparam("person_id"))
_CONVERSATION_LOCKED = _CONVERSATION.with_for_update()
# A new person is these three inserts (`contact_for`).
_NEW_PERSON = insert(Person).returning(Person.id)
_NEW_CONTACT = insert(Contact).returning(Contact.id)
_NEW_CONVERSATION = insert(Conversation)


def find_contact(session: Session, channel: str, address: str) -> Contact | None:
    return session.scalars(_FIND_CONTACT, {"channel": channel, "address": address}).first()


def contact_for(
    session: Session, channel: str, address: str, now: datetime
) -> tuple[Contact, bool]:
    """The contact for this address, and whether it is new: someone new gets a bare person
    row (no profile yet, no consents, never sent anything)."""
    contact = find_contact(session, channel, address)
    if contact is not None:
        return contact, False
    try:
        # Three statements, not models and flushes: the unit of work was most of what a new
        # person cost (0.55 of 1.95 ms, bench/README.md). The columns' defaults apply.
        with session.begin_nested():
            connection = session.connection()
            person_id = connection.execute(_NEW_PERSON, {"created_at": now, "updated_at": now})
            person_id = person_id.scalar_one()
            contact_id = connection.execute(_NEW_CONTACT, {
                "person_id": person_id, "channel": channel, "address": address,
                "created_at": now}).scalar_one()  # fmt: skip
            connection.execute(_NEW_CONVERSATION, {"person_id": person_id, "updated_at": now})
    except IntegrityError:
        # Another worker created it a moment ago.
        contact = find_contact(session, channel, address)
        if contact is None:
            raise
        return contact, False
    return session.get(Contact, contact_id), True


def conversation_for(session: Session, person_id: int, lock: bool) -> Conversation:
    statement = _CONVERSATION_LOCKED if lock else _CONVERSATION
    return session.scalars(statement, {"person_id": person_id}).one()


def rank(last_inbound_at: datetime | None, created_at: datetime, contact_id: int) -> tuple:
    """Contact choice: the working contact they last wrote from, else the newest. The higher
    the rank the better; used for one person, for a batch, and for a broadcast's audience."""
    return (last_inbound_at is not None, last_inbound_at or created_at, contact_id)


def best_contact(contacts: Iterable[Contact]) -> Contact | None:
    """The working contact to write to, of those given (stopped ones never)."""
    working = [c for c in contacts if not c.stopped]
    if not working:
        return None
    return max(working, key=lambda c: rank(c.last_inbound_at, c.created_at, c.id))


def preferred_contact(session: Session, person_id: int) -> Contact | None:
    """Where to write first: the working contact they last wrote from."""
    return best_contact(session.exec(select(Contact).where(Contact.person_id == person_id)).all())

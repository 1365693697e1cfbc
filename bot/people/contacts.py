"""Contacts: finding or creating the person behind an address, their conversation, and
contact choice (which of their addresses to write to)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.models import Contact, Conversation, Person


def find_contact(session: Session, channel: str, address: str) -> Contact | None:
    statement = select(Contact).where(Contact.channel == channel, Contact.address == address)
    return session.exec(statement).first()


def contact_for(session: Session, channel: str, address: str, now: datetime) -> Contact:
    """The contact for this address; someone new gets a bare person row (no profile yet)."""
    contact = find_contact(session, channel, address)
    if contact is not None:
        return contact
    try:
        # Three statements, not models and flushes: the unit of work was most of what a new
        # person cost (0.55 of 1.95 ms, bench/README.md). The columns' defaults apply.
        with session.begin_nested():
            connection = session.connection()
            person_id = connection.execute(_NEW_PERSON, {"created_at": now, "updated_at": now})
            person_id = person_id.scalar_one()
            connection.execute(_NEW_CONTACT, {"person_id": person_id, "channel": channel,
                                              "address": address, "created_at": now})  # fmt: skip
            connection.execute(_NEW_CONVERSATION, {"person_id": person_id, "updated_at": now})
    except IntegrityError:
        pass  # another worker created it a moment ago
    contact = find_contact(session, channel, address)
    if contact is None:
        raise LookupError(f"no contact for {channel} after creating one")
    return contact


_NEW_PERSON = insert(Person).returning(Person.id)
_NEW_CONTACT = insert(Contact)
_NEW_CONVERSATION = insert(Conversation)


def conversation_for(session: Session, person_id: int, lock: bool) -> Conversation:
    statement = select(Conversation).where(Conversation.person_id == person_id)
    if lock:
        statement = statement.with_for_update()
    return session.exec(statement).one()


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

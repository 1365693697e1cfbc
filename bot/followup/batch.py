"""Everything firing a batch of prompts needs about its people, read in a few queries as
plain records (not ORM objects: building thousands of those costs more than the work)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from bot.models import Contact, Conversation, Person
from bot.people.consents import consents_of_many
from bot.people.contacts import best_contact
from bot.people.local_time import local_today
from bot.people.profile import PROFILE_FIELDS, person_view
from bot.scheduling.pacing import DailyCap
from flows.content import Content
from flows.pacing import Delivery
from flows.types import ConversationState, Input, Snapshot

PERSON_COLUMNS = tuple(
    getattr(Person, name)
    for name in dict.fromkeys(
        (
            "id", "status", "language", "opted_out_at", "erased_at", "outcome",
            "followup_paused", "enrolled_by_staff", "facilitator_id",
            *sorted(PROFILE_FIELDS),
        )
    )
)  # fmt: skip
CONVERSATION_COLUMNS = (
    Conversation.person_id, Conversation.flow, Conversation.step, Conversation.state,
    Conversation.updated_at,
)  # fmt: skip
CONTACT_COLUMNS = (
    Contact.id, Contact.person_id, Contact.channel, Contact.stopped, Contact.comeback_hint_at,
    Contact.last_inbound_at, Contact.created_at,
)  # fmt: skip


@lru_cache(maxsize=32)
def _record_type(fields: tuple[str, ...]):
    return namedtuple("Record", fields)  # noqa: PYI024 - fields known only at run time


def records(result) -> list:
    """Rows as named tuples: a flow step reads some twenty fields of each person, and a
    named tuple's field is many times cheaper to read than a Row's."""
    make = _record_type(tuple(result.keys()))._make
    return [make(row) for row in result]


class PeopleBatch:
    def __init__(self, people, consents, conversations, contacts, cap):
        self.people: dict[int, Any] = people
        self.consents: dict[int, dict[str, bool]] = consents
        self.conversations: dict[int, Any] = conversations
        self.contacts: dict[int, list[Any]] = contacts
        self.cap: DailyCap = cap

    @classmethod
    def load(
        cls, session: Session, delivery: Delivery, person_ids: Iterable[int], now: datetime
    ) -> PeopleBatch:
        ids = sorted(set(person_ids))
        if not ids:
            return cls({}, {}, {}, {}, DailyCap(delivery))
        # Core, not the ORM's execution: these are plain columns, not objects to track.
        connection = session.connection()
        people = {
            p.id: p
            for p in records(connection.execute(select(*PERSON_COLUMNS).where(Person.id.in_(ids))))
        }
        # Locked: the inbox takes the same lock to process a message from them.
        conversations = {
            c.person_id: c
            for c in records(
                connection.execute(
                    select(*CONVERSATION_COLUMNS)
                    .where(Conversation.person_id.in_(ids))
                    .with_for_update()
                )
            )
        }
        contacts: dict[int, list[Any]] = {}
        found = connection.execute(select(*CONTACT_COLUMNS).where(Contact.person_id.in_(ids)))
        for contact in records(found):
            contacts.setdefault(contact.person_id, []).append(contact)
        cap = DailyCap.load(session, delivery, ids, now)
        return cls(people, consents_of_many(session, ids), conversations, contacts, cap)

    def contact(self, person_id: int):
        return best_contact(self.contacts.get(person_id, []))


def snapshot(content: Content, person, contact, conversation, now, consents) -> Snapshot:
    """A step the programme starts: `person`, `contact`, `conversation` rows or records."""
    return Snapshot(
        person=person_view(person, contact, consents),
        conversation=ConversationState(
            conversation.flow, conversation.step, dict(conversation.state), conversation.updated_at
        ),
        input=Input("prompt"),
        now=now,
        today=local_today(person, content, now),
    )

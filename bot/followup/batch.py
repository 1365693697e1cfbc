"""Everything firing a batch of prompts needs about its people, read in a few queries as
plain records (not ORM objects: building thousands of those costs more than the work)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.bulk import select_many
from bot.models import Contact, Conversation, Person
from bot.people.consents import consents_of_many
from bot.people.contacts import best_contact
from bot.people.profile import PROFILE_FIELDS
from bot.scheduling.pacing import DailyCap
from flows.pacing import Delivery
from flows.types import Result

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
    Conversation.id, Conversation.person_id, Conversation.flow, Conversation.step, Conversation.state,
    Conversation.updated_at,
)  # fmt: skip
CONTACT_COLUMNS = (
    Contact.id, Contact.person_id, Contact.channel, Contact.stopped, Contact.comeback_hint_at,
    Contact.last_inbound_at, Contact.created_at,
)  # fmt: skip


class PeopleBatch:
    def __init__(self, people, consents, conversations, contacts, cap):
        self.people: dict[int, Any] = people
        self.consents: dict[int, dict[str, bool]] = consents
        self.conversations: dict[int, Any] = conversations
        self.contacts: dict[int, list[Any]] = contacts
        self.cap: DailyCap = cap
        # Openings of survey prompts, rendered once per flows.followup opening_key.
        self.openings: dict[tuple, Result] = {}

    @classmethod
    def load(
        cls, session: Session, delivery: Delivery, person_ids: Iterable[int], now: datetime
    ) -> PeopleBatch:
        ids = sorted(set(person_ids))
        if not ids:
            return cls({}, {}, {}, {}, DailyCap(delivery))
        # Straight from the driver: plain columns, not objects to track (bot/bulk.py).
        connection = session.connection()
        people = {p.id: p for p in select_many(connection, PERSON_COLUMNS, Person.id, ids)}
        # Locked: the inbox takes the same lock to process a message from them.
        conversations = {
            c.person_id: c
            for c in select_many(
                connection, CONVERSATION_COLUMNS, Conversation.person_id, ids, lock=True
            )
        }
        contacts: dict[int, list[Any]] = {}
        for contact in select_many(connection, CONTACT_COLUMNS, Contact.person_id, ids):
            contacts.setdefault(contact.person_id, []).append(contact)
        cap = DailyCap.load(session, delivery, ids, now)
        return cls(people, consents_of_many(session, ids), conversations, contacts, cap)

    def contact(self, person_id: int):
        return best_contact(self.contacts.get(person_id, []))

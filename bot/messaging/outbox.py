"""The outbox: the one way to create an outbound row. A message is a row before it is sent;
the sender (bot/messaging/sender.py) claims and sends rows.

`initiated_at` marks a message the programme started (a prompt, a reminder, a broadcast),
set to when it is due: the daily cap (bot/scheduling/pacing.py) counts these. Replies to
what the person just wrote and safety messages leave it empty and are never capped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlmodel import Session

from bot.bulk import insert_many
from bot.models import Contact, Outbound, Person, StaffContact
from flows.types import Choice, Message
from flows.vocabulary import OutboundStatus


def outbound_values(
    *,
    person_id: int | None,
    contact_id: int | None,
    channel: str,
    body: str,
    language: str | None,
    origin: str | None,
    now: datetime,
    choices: Sequence[dict[str, str]] = (),
    due: datetime | None = None,
    initiated: bool = False,
    staff_id: int | None = None,
    broadcast_id: int | None = None,
    staff_contact_id: int | None = None,
) -> dict[str, Any]:
    """One outbound row as column values: what `enqueue` and bulk senders both write."""
    due = due or now
    values = {
        "person_id": person_id,
        "contact_id": contact_id,
        "channel": channel,
        "body": body,
        # Shared, not copied: rows of one batch share a survey's choices (read-only values).
        "choices": choices if isinstance(choices, list) else list(choices),
        "language": language,
        "origin": origin,
        "status": OutboundStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": due,
        "initiated_at": due if initiated else None,
        "created_at": now,
        "broadcast_id": broadcast_id,
        "staff_id": staff_id,
    }
    # Only notices to staff carry it: bulk rows to people keep one column fewer to write.
    if staff_contact_id is not None:
        values["staff_contact_id"] = staff_contact_id
    return values


@lru_cache(maxsize=512)
def _choices(choices: tuple[Choice, ...]) -> list[dict[str, str]]:
    """As stored; a batch of one survey's openings shares a few lists (read-only values)."""
    return [{"value": c.value, "label": c.label} for c in choices]


def step_values(
    person,
    contact,
    messages: Iterable[Message],
    now: datetime,
    *,
    initiated: bool = False,
    staff_id: int | None = None,
    origin: str | None = None,
    due: datetime | None = None,
) -> list[dict[str, Any]]:
    """The rows of one step's messages to one person (rows or plain records); when the
    programme initiated it, the first one counts toward the daily cap (an intro and its
    first question are one programme message)."""
    return [
        outbound_values(
            person_id=person.id,
            contact_id=contact.id,
            channel=contact.channel,
            body=message.text,
            choices=_choices(message.choices),
            language=person.language,
            origin=origin or message.key,
            now=now,
            due=due,
            initiated=initiated and not index,
            staff_id=staff_id,
        )
        for index, message in enumerate(messages)
    ]


def enqueue(
    session: Session,
    person: Person,
    contact: Contact,
    message: Message,
    now: datetime,
    *,
    initiated: bool = False,
    staff_id: int | None = None,
    origin: str | None = None,
    due: datetime | None = None,
) -> Outbound:
    [values] = step_values(
        person,
        contact,
        (message,),
        now,
        initiated=initiated,
        staff_id=staff_id,
        origin=origin,
        due=due,
    )
    row = Outbound(**values)
    session.add(row)
    return row


def enqueue_all(
    session: Session,
    person: Person,
    contact: Contact,
    messages: Iterable[Message],
    now: datetime,
    *,
    initiated: bool = False,
) -> None:
    """Messages of one step (see `step_values` for the cap), written at once: building them
    as models and flushing them was a tenth of what processing a message cost."""
    enqueue_many(session, step_values(person, contact, messages, now, initiated=initiated))


def enqueue_to_staff(
    session: Session,
    contact: StaffContact,
    body: str,
    language: str | None,
    origin: str,
    now: datetime,
) -> Outbound:
    """A notice to a staff member's linked contact: no person behind it, never capped."""
    row = Outbound(
        **outbound_values(
            person_id=None,
            contact_id=None,
            staff_contact_id=contact.id,
            channel=contact.channel,
            body=body,
            language=language,
            origin=origin,
            now=now,
        )
    )
    session.add(row)
    return row


def enqueue_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Rows built with `outbound_values` (all with the same keys), in one executemany
    straight to the driver: a broadcast to thousands, a batch of fired prompts."""
    if rows:
        columns = tuple(rows[0])
        values = list(map(itemgetter(*columns), rows))
        insert_many(session.connection(), Outbound.__table__, columns, values)

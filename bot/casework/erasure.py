"""Erasing a person: every piece of personal data goes, from every table; what stays is a
tombstone row (so foreign keys and counts hold), the audit trail (which names no values),
and anonymous aggregates.

Each domain provides the eraser of its own tables (bot/<domain>/erasure.py) and says which
columns that refer to a person it covers; the composition root (bot/services.py) collects
them in a registry, and a structural test fails when a column referring to a person is
covered by none. This module owns the order and the tombstone:

1. the conversation lock (a message being processed finishes first, none starts);
2. every eraser, in registration order, with the person's contacts read beforehand (they
   find rows stored under the number before a person existed);
3. the person row: every personal field emptied, status "erased", and one audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlmodel import Session

from bot.audit import audit
from bot.models import Alert, AlertMessage, AuditLog, Contact, Conversation, Person, ThreadNote
from bot.people.profile import PERSONAL_FIELDS
from flows.content import Content
from flows.vocabulary import PersonStatus

ERASED = PersonStatus.ERASED.value


@dataclass(frozen=True)
class ContactRef:
    id: int
    channel: str
    address: str


@dataclass(frozen=True)
class ErasureContext:
    session: Session
    person: Person
    content: Content
    now: datetime
    contacts: tuple[ContactRef, ...]  # as they were before any eraser ran

    @property
    def person_id(self) -> int:
        return self.person.id

    @property
    def contact_ids(self) -> list[int]:
        return [c.id for c in self.contacts]


@dataclass(frozen=True)
class Eraser:
    name: str
    # (table, column) pairs referring to a person that this eraser empties or unlinks.
    covers: frozenset[tuple[str, str]]
    erase: Callable[[ErasureContext], None]


class ErasureRegistry:
    def __init__(self, erasers: Iterable[Eraser] = ()) -> None:
        self.erasers: list[Eraser] = list(erasers)

    def covered(self) -> set[tuple[str, str]]:
        return {pair for eraser in self.erasers for pair in eraser.covers}


def erase_person(
    session: Session,
    person: Person,
    content: Content,
    actor: str,
    now: datetime,
    erasers: ErasureRegistry,
) -> None:
    if person.erased_at is not None:
        return
    pid = person.id
    # The conversation lock is the one the runtime takes to process a message: a message
    # being processed right now finishes first, and none starts until erasure commits.
    session.execute(select(Conversation.id).where(Conversation.person_id == pid).with_for_update())
    contacts = tuple(
        ContactRef(row.id, row.channel, row.address)
        for row in session.execute(
            select(Contact.id, Contact.channel, Contact.address).where(Contact.person_id == pid)
        )
    )
    context = ErasureContext(session, person, content, now, contacts)
    for eraser in erasers.erasers:
        eraser.erase(context)
    for name in PERSONAL_FIELDS:
        setattr(person, name, None)
    person.vulnerabilities = []
    person.status = ERASED
    person.erased_at = person.updated_at = now
    person.opted_out_at = person.opted_out_at or now
    person.unreachable_at = None
    audit(session, actor, "person.erased", pid, now)


# -- casework's own tables -----------------------------------------------------------------


def _erase_alerts(ctx: ErasureContext) -> None:
    """Nothing left to act on; closing them keeps a new note from naming them."""
    ctx.session.execute(
        update(Alert)
        .where(Alert.person_id == ctx.person_id, Alert.status == "open")
        .values(status="closed", closed_at=ctx.now)
    )
    ctx.session.execute(
        update(Alert).where(Alert.person_id == ctx.person_id).values(detail=None, close_note=None)
    )
    theirs = select(Alert.id).where(Alert.person_id == ctx.person_id).scalar_subquery()
    ctx.session.execute(
        update(AlertMessage)
        .where(AlertMessage.alert_id.in_(theirs))
        .values(detail=None, inbound_id=None)
    )


def _erase_notes(ctx: ErasureContext) -> None:
    """Staff's notes on their thread are about them: they go."""
    ctx.session.execute(delete(ThreadNote).where(ThreadNote.person_id == ctx.person_id))


def _erase_audit_details(ctx: ErasureContext) -> None:
    """The audit trail keeps who did what and when; details about them (a plan, an outcome,
    the fields corrected) are emptied: erasure is the one change made to past audit rows."""
    ctx.session.execute(
        update(AuditLog).where(AuditLog.person_id == ctx.person_id).values(details={})
    )


ERASERS = (
    Eraser(
        "alerts",
        frozenset(
            {("alert", "person_id"), ("alert_message", "alert_id"), ("alert_message", "inbound_id")}
        ),
        _erase_alerts,
    ),
    Eraser("thread notes", frozenset({("thread_note", "person_id")}), _erase_notes),
    Eraser("audit details", frozenset({("audit_log", "person_id")}), _erase_audit_details),
)

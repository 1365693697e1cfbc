"""Opt-out and blocking, in one place: a person's STOP, the provider saying an address cannot
be written to, someone blocking the bot, and what may still reach a stopped contact.

Stopping cancels what still waits in the outbox, claimed or not; the sender checks again at
claim time and right before each provider call (`may_receive`), so nothing the provider has
not yet accepted goes out after the STOP.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session

from bot.audit import PERSON, SYSTEM, audit
from bot.models import Contact, Outbound, Person, Staff, StaffContact
from flows.alerts import EMERGENCY
from flows.vocabulary import UNDER_WAY, OutboundStatus, PersonStatus

# Sent even to someone who has opted out: the confirmation, how to come back, and the
# emergency contacts.
SENT_WHILE_STOPPED = frozenset(
    {
        "keyword.stop_confirm",
        "keyword.comeback_hint",
        "onboarding.declined",
        # Someone who said STOP or refused consent and then cries for help wrote to us.
        EMERGENCY,
    }
)
# Reasons a contact stops that a new message from them undoes: the channel works again.
LIFTED_BY_WRITING = ("blocked", "undeliverable")


def may_receive(contact: Contact, person: Person | None, origin: str | None) -> bool:
    """At send time: a stopped contact or an opted-out person gets only SENT_WHILE_STOPPED."""
    stopped = contact.stopped or (person is not None and person.opted_out_at is not None)
    return not stopped or origin in SENT_WHILE_STOPPED


# Sent to a staff contact just unlinked: the confirmation that nothing more goes there.
SENT_TO_UNLINKED = frozenset({"staff.unlinked"})


def may_notify(contact: StaffContact, staff: Staff | None, origin: str | None) -> bool:
    """At send time: a notice goes to a linked contact of an active staff member only."""
    if staff is None or not staff.active:
        return False
    return contact.stopped_at is None or origin in SENT_TO_UNLINKED


def cancel_pending(session: Session, person_id: int) -> None:
    """What waits is cancelled, except what goes even to a stopped contact: rows still
    pending, and rows a sender has claimed but not yet handed to the provider (it checks
    again right before the call, bot/messaging/sender.py)."""
    session.exec(
        update(Outbound)
        .where(
            Outbound.person_id == person_id,
            Outbound.status.in_(UNDER_WAY),
            or_(Outbound.origin.is_(None), Outbound.origin.not_in(SENT_WHILE_STOPPED)),
        )
        .values(status=OutboundStatus.CANCELLED)
    )


def opt_out(session: Session, person: Person, contact: Contact, reason: str, now: datetime) -> None:
    """The person said STOP (or declined consent): stop this contact, cancel what waits."""
    person.opted_out_at = now
    contact.stopped, contact.stopped_at, contact.stopped_reason = True, now, reason
    cancel_pending(session, person.id)
    audit(session, PERSON, "opt_out", person.id, now, channel=contact.channel, reason=reason)


def opt_in(session: Session, person: Person, contact: Contact, now: datetime) -> None:
    person.opted_out_at = None
    contact.stopped, contact.stopped_at, contact.stopped_reason = False, None, None
    if person.status == PersonStatus.DECLINED:
        person.status = PersonStatus.ONBOARDING
    audit(session, PERSON, "opt_in", person.id, now, channel=contact.channel)


def set_blocked(contact: Contact, blocked: bool, now: datetime) -> None:
    """Telegram says the person blocked (or unblocked) the bot."""
    if blocked:
        contact.stopped, contact.stopped_at, contact.stopped_reason = True, now, "blocked"
    elif contact.stopped_reason in LIFTED_BY_WRITING:
        contact.stopped, contact.stopped_at, contact.stopped_reason = False, None, None


def mark_undeliverable(session: Session, outbound: Outbound, reason: str, now: datetime) -> None:
    """The provider says the address of this row cannot be written to: a person's contact
    stops; a staff member's linked contact is unlinked."""
    if outbound.contact_id is not None:
        mark_contact_stopped(session, outbound.contact_id, reason, now)
    elif outbound.staff_contact_id is not None:
        contact = session.get(StaffContact, outbound.staff_contact_id)
        if contact is not None:
            unlink_staff_contact(session, contact, reason, SYSTEM, now)


def unlink_staff_contact(
    session: Session, contact: StaffContact, reason: str, actor: str, now: datetime
) -> None:
    """Nothing more goes to this staff contact: they sent STOP, unlinked it in the admin,
    or the provider refused it."""
    if contact.stopped_at is None:
        contact.stopped_at, contact.stopped_reason = now, reason
        audit(
            session,
            actor,
            "staff.contact_unlinked",
            None,
            now,
            staff=contact.staff_id,
            channel=contact.channel,
            reason=reason,
        )


def mark_contact_stopped(session: Session, contact_id: int, reason: str, now: datetime) -> None:
    """The provider says this address cannot be written to: stop, and cancel what waits."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.stopped:
        return
    contact.stopped, contact.stopped_at, contact.stopped_reason = True, now, reason
    session.execute(
        update(Outbound)
        .where(Outbound.contact_id == contact_id, Outbound.status.in_(UNDER_WAY))
        .values(status=OutboundStatus.CANCELLED, error=f"contact stopped ({reason})")
    )
    audit(
        session,
        SYSTEM,
        "contact.stopped",
        contact.person_id,
        now,
        channel=contact.channel,
        reason=reason,
    )

"""Runs a flow step for one inbound message and applies its whole result in one transaction."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from bot.casework.alerts import raise_alert
from bot.casework.corrections import facilitator_for_district
from bot.casework.handoff import current_assignee
from bot.followup.prompts import enrol, mark_reachable
from bot.followup.responses import record_response
from bot.models import Consent, Contact, Conversation, Inbound, Outbound, Person, ScheduledPrompt
from bot.people.contacts import (
    PROFILE_FIELDS,
    audit,
    contact_for,
    conversation_for,
    local_today,
    person_view,
)
from flows import engine
from flows.content import Content
from flows.followup.effects import PromptAnswered, RecordResponse, SetOutcome
from flows.types import (
    Activate,
    ConversationState,
    Decline,
    ForgetInput,
    HandToStaff,
    Input,
    Message,
    NoteComebackHint,
    OptIn,
    OptOut,
    RaiseAlert,
    RecordConsent,
    Result,
    SetLanguage,
    SetProfile,
    Snapshot,
)

log = logging.getLogger(__name__)

# Sent even to someone who has opted out: the confirmation, and how to come back.
SENT_WHILE_STOPPED = frozenset(
    {"keyword.stop_confirm", "keyword.comeback_hint", "onboarding.declined"}
)


def handle_inbound(
    session: Session, inbound: Inbound, content: Content, now: datetime
) -> Result | None:
    """Processes one stored inbound row; the caller commits."""
    contact = contact_for(session, inbound.channel, inbound.address, now)
    conversation = conversation_for(session, contact.person_id, lock=True)
    person = session.get(Person, contact.person_id)
    inbound.person_id = person.id
    contact.last_inbound_at = now
    if inbound.kind in ("blocked", "unblocked"):
        _set_blocked(contact, inbound.kind == "blocked", now)
        return None
    if contact.stopped and contact.stopped_reason in ("blocked", "undeliverable"):
        # They wrote to us, so the channel works again.
        _set_blocked(contact, False, now)
    snapshot = Snapshot(
        person=person_view(session, person, contact),
        conversation=ConversationState(
            conversation.flow, conversation.step, dict(conversation.state), conversation.updated_at
        ),
        input=Input(
            kind=inbound.kind
            if inbound.kind in ("text", "choice", "start", "media")
            else "unsupported",
            text=inbound.text,
            choice=inbound.choice,
            provider_keyword=inbound.provider_keyword,
        ),
        now=now,
        today=local_today(person, content, now),
    )
    result = engine.handle(snapshot, content)
    apply_result(session, person, contact, conversation, result, now, inbound, content)
    # Any word from them shows they can be reached again.
    mark_reachable(session, person, now)
    return result


def apply_result(
    session: Session,
    person: Person,
    contact: Contact,
    conversation: Conversation,
    result: Result,
    now: datetime,
    inbound: Inbound | None = None,
    content: Content | None = None,
) -> None:
    conversation.flow = result.conversation.flow
    conversation.step = result.conversation.step
    conversation.state = dict(result.conversation.data)
    conversation.updated_at = now
    for effect in result.effects:
        _apply_effect(session, person, contact, effect, now, inbound, content)
    for message in result.messages:
        enqueue(session, person, contact, message, now)
    person.updated_at = now


def enqueue(
    session: Session, person: Person, contact: Contact, message: Message, now: datetime
) -> Outbound:
    row = Outbound(
        person_id=person.id,
        contact_id=contact.id,
        channel=contact.channel,
        body=message.text,
        choices=[{"value": c.value, "label": c.label} for c in message.choices],
        language=person.language,
        origin=message.key,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def _apply_effect(
    session: Session,
    person: Person,
    contact: Contact,
    effect: Any,
    now: datetime,
    inbound,
    content: Content | None = None,
) -> None:
    if isinstance(effect, SetLanguage):
        person.language = effect.language
    elif isinstance(effect, SetProfile):
        changed = {}
        for name, value in effect.fields.items():
            if name not in PROFILE_FIELDS:
                log.warning("flow tried to set unknown profile field %s", name)
                continue
            setattr(person, name, value)
            changed[name] = value.isoformat() if isinstance(value, date) else value
        audit(session, "person", "profile.update", person.id, now, fields=sorted(changed))
    elif isinstance(effect, RecordConsent):
        session.add(
            Consent(
                person_id=person.id,
                purpose=effect.purpose,
                version=effect.version,
                granted=effect.granted,
                channel=contact.channel,
                at=now,
            )
        )
    elif isinstance(effect, Activate):
        person.status = "active"
        audit(session, "person", "enrolled", person.id, now, channel=contact.channel)
        if person.facilitator_id is None:
            # Someone who covers their district hears from them from the first day.
            person.facilitator_id = facilitator_for_district(session, person.district)
        if content is not None:
            enrol(session, person, content, now)
    elif isinstance(effect, Decline):
        _decline(session, person, contact, now)
    elif isinstance(effect, OptOut):
        _opt_out(session, person, contact, effect.reason, now)
    elif isinstance(effect, OptIn):
        person.opted_out_at = None
        contact.stopped, contact.stopped_at, contact.stopped_reason = False, None, None
        if person.status == "declined":
            person.status = "onboarding"
        audit(session, "person", "opt_in", person.id, now, channel=contact.channel)
    elif isinstance(effect, NoteComebackHint):
        contact.comeback_hint_at = now
    elif isinstance(effect, HandToStaff):
        if inbound is not None:
            inbound.handoff = effect.reason
            inbound.assigned_to = current_assignee(session, person.id)
    elif isinstance(effect, RaiseAlert):
        due_hours = content.programme.get("alert_due_hours") if content else None
        raise_alert(session, person, effect.reason, effect.severity, effect.detail, now, due_hours)
    elif isinstance(effect, RecordResponse):
        record_response(session, person, contact, effect, local_day(person, content, now))
    elif isinstance(effect, PromptAnswered):
        prompt = session.get(ScheduledPrompt, effect.prompt_id)
        if prompt is not None and prompt.status in ("open", "pending", "waiting"):
            prompt.status, prompt.answered_at = "answered", now
        person.missed_in_row = 0
    elif isinstance(effect, ForgetInput):
        if inbound is not None:
            inbound.text, inbound.choice = None, None
    elif isinstance(effect, SetOutcome):
        person.outcome, person.outcome_at = effect.outcome, now
        audit(session, "system", "person.outcome", person.id, now, outcome=effect.outcome)
    else:  # pragma: no cover - a new effect type without a handler is a programming error
        raise TypeError(f"no handler for effect {effect!r}")


def local_day(person: Person, content: Content | None, now: datetime) -> date:
    return local_today(person, content, now) if content is not None else now.date()


def _opt_out(
    session: Session, person: Person, contact: Contact, reason: str, now: datetime
) -> None:
    person.opted_out_at = now
    contact.stopped, contact.stopped_at, contact.stopped_reason = True, now, reason
    cancel_pending(session, person.id)
    audit(session, "person", "opt_out", person.id, now, channel=contact.channel, reason=reason)


def _decline(session: Session, person: Person, contact: Contact, now: datetime) -> None:
    """Consent refused: forget everything but the opt-out (and the language to say so in)."""
    for name in PROFILE_FIELDS:
        setattr(person, name, None)
    person.status = "declined"
    _opt_out(session, person, contact, "declined", now)
    session.exec(
        update(Inbound).where(Inbound.person_id == person.id).values(text=None, choice=None)
    )
    session.exec(
        update(Outbound)
        .where(Outbound.person_id == person.id, Outbound.status != "pending")
        .values(body="", choices=[])
    )


def cancel_pending(session: Session, person_id: int) -> None:
    session.exec(
        update(Outbound)
        .where(Outbound.person_id == person_id, Outbound.status == "pending")
        .values(status="cancelled")
    )


def _set_blocked(contact: Contact, blocked: bool, now: datetime) -> None:
    if blocked:
        contact.stopped, contact.stopped_at, contact.stopped_reason = True, now, "blocked"
    elif contact.stopped_reason in ("blocked", "undeliverable"):
        contact.stopped, contact.stopped_at, contact.stopped_reason = False, None, None

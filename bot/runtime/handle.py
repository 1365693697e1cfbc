"""Runs a flow step for one inbound message and applies its whole result in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlmodel import Session

from bot.casework.staff_links import handle_staff_message
from bot.messaging.optout import LIFTED_BY_WRITING, set_blocked
from bot.messaging.outbox import enqueue_all
from bot.models import Broadcast, Contact, Conversation, Inbound, Outbound, Person
from bot.people.consents import consents_of
from bot.people.contacts import contact_for, conversation_for
from bot.people.local_time import local_today
from bot.people.profile import person_view
from bot.people.reachability import mark_reachable
from bot.runtime.effects import EffectContext, EffectRegistry
from flows import engine
from flows.content import Content
from flows.types import ConversationState, Input, Result, Snapshot

log = logging.getLogger(__name__)

FLOW_INPUTS = ("text", "choice", "start", "media", "edited")


def handle_inbound(
    session: Session, inbound: Inbound, content: Content, now: datetime, effects: EffectRegistry
) -> Result | None:
    """Processes one stored inbound row; the caller commits."""
    if handle_staff_message(session, inbound, content, now):
        return None  # a staff member linking or writing from a linked chat: no person
    contact, new = contact_for(session, inbound.channel, inbound.address, now)
    conversation = conversation_for(session, contact.person_id, lock=True)
    person = session.get(Person, contact.person_id)
    inbound.person_id = person.id
    contact.last_inbound_at = now
    if inbound.handle is not None:
        contact.handle = inbound.handle
    if inbound.kind in ("blocked", "unblocked"):
        set_blocked(contact, inbound.kind == "blocked", now)
        return None
    if contact.stopped and contact.stopped_reason in LIFTED_BY_WRITING:
        # They wrote to us, so the channel works again.
        set_blocked(contact, False, now)
    snapshot = Snapshot(
        # Someone this very message brought in has decided nothing yet.
        person=person_view(person, contact, {} if new else consents_of(session, person.id)),
        conversation=ConversationState(
            conversation.flow, conversation.step, dict(conversation.state), conversation.updated_at
        ),
        input=Input(
            kind=inbound.kind if inbound.kind in FLOW_INPUTS else "unsupported",
            text=inbound.text,
            choice=inbound.choice,
            provider_keyword=inbound.provider_keyword,
            # ... and was never sent anything.
            replying_to_broadcast=not new and replying_to_broadcast(session, person.id, now),
        ),
        now=now,
        today=local_today(person, content, now),
    )
    result = engine.handle(snapshot, content)
    context = EffectContext(session, person, contact, conversation, content, now, inbound)
    apply_result(context, result, effects)
    # Any word from them shows they can be reached again.
    mark_reachable(session, person, now)
    return result


# Built once: building it cost more than running it, on every message.
_LAST_SENT = (
    select(Outbound.broadcast_id, Outbound.sent_at)
    .where(Outbound.person_id == bindparam("person_id"), Outbound.sent_at.is_not(None))
    .order_by(Outbound.sent_at.desc(), Outbound.id.desc())
    .limit(1)
)


def replying_to_broadcast(session: Session, person_id: int, now: datetime) -> bool:
    """The last message the programme sent them was a broadcast asking for replies, and its
    reply window is still open."""
    last = session.execute(_LAST_SENT, {"person_id": person_id}).first()
    if last is None or last.broadcast_id is None:
        return False
    days = session.scalar(select(Broadcast.reply_days).where(Broadcast.id == last.broadcast_id))
    return bool(days) and now - last.sent_at <= timedelta(days=days)


def apply_result(
    context: EffectContext, result: Result, effects: EffectRegistry, initiated: bool = False
) -> None:
    """New state, every effect, then the messages: all in the caller's transaction.
    `initiated`: the programme started this step (a prompt firing), so its first message
    counts toward the daily cap."""
    conversation = context.conversation
    conversation.flow = result.conversation.flow
    conversation.step = result.conversation.step
    conversation.state = dict(result.conversation.data)
    conversation.updated_at = context.now
    for effect in result.effects:
        effects.apply(context, effect)
    enqueue_all(
        context.session,
        context.person,
        context.contact,
        result.messages,
        context.now,
        initiated=initiated,
    )
    context.person.updated_at = context.now


def step_context(
    session: Session,
    person: Person,
    contact: Contact,
    conversation: Conversation,
    content: Content,
    now: datetime,
) -> EffectContext:
    """A step the programme starts (no inbound message)."""
    return EffectContext(session, person, contact, conversation, content, now, None)

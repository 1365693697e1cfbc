"""No reply to a prompt: one reminder (paced like any programme message), then missed; three
missed waves in a row make the person unreachable (bot/people/reachability.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.db import transaction
from bot.followup.batch import PeopleBatch
from bot.messaging.outbox import enqueue_all
from bot.models import Person, ScheduledPrompt
from bot.people.contacts import conversation_for
from bot.people.local_time import timezone_of
from bot.people.reach import why_not
from bot.people.reachability import mark_unreachable
from bot.runtime.snapshot import snapshot
from bot.scheduling.claim import claim_due
from flows.content import Content
from flows.followup import flow as followup
from flows.vocabulary import PromptStatus


def remind_due(scheduler, now: datetime) -> int:
    """Reminders whose time came, for a Scheduler (engine, content, delivery, batch size)."""
    with transaction(scheduler.engine) as session:
        rows = claim_due(
            session,
            ScheduledPrompt,
            ScheduledPrompt.status == PromptStatus.OPEN,
            ScheduledPrompt.reminded_at.is_(None),
            ScheduledPrompt.reminder_due_at <= now,
            batch=scheduler.batch,
        )
        batch = PeopleBatch.load(session, scheduler.delivery, [row.person_id for row in rows], now)
        for row in rows:
            _remind(session, scheduler.content, row, now, batch)
        return len(rows)


def _remind(
    session: Session, content: Content, row: ScheduledPrompt, now: datetime, batch: PeopleBatch
) -> None:
    person = batch.people[row.person_id]
    conversation = batch.conversations[person.id]
    contact = batch.contact(person.id)
    on_this = (
        conversation.flow == followup.NAME
        and conversation.state.get("prompt", {}).get("id") == row.id
    )
    writable = why_not(person, batch.consents.get(person.id, {})) is None
    if not on_this or contact is None or not writable or person.followup_paused:
        row.reminded_at, row.note = now, "no reminder: conversation moved on"
        return
    timezone = timezone_of(person, content)
    later = batch.cap.hold_until(person.id, timezone, now)
    if later is not None:
        row.reminder_due_at = later
        return
    snap = snapshot(content, person, contact, conversation, now, batch.consents.get(person.id, {}))
    enqueue_all(session, person, contact, followup.remind(snap, content), now, initiated=True)
    row.reminded_at = now
    batch.cap.note(person.id, now)
    row.closes_at = max(row.closes_at or now, now + content.plans.no_reply.missed_after)


def expire_due(scheduler, now: datetime) -> int:
    """Open prompts whose time ran out: missed, and the survey they were on ends."""
    with transaction(scheduler.engine) as session:
        rows = claim_due(
            session,
            ScheduledPrompt,
            ScheduledPrompt.status == PromptStatus.OPEN,
            ScheduledPrompt.closes_at <= now,
            batch=scheduler.batch,
        )
        for row in rows:
            with session.begin_nested():
                person = session.get(Person, row.person_id)
                conversation = conversation_for(session, person.id, lock=True)
                if _holds(conversation.state, row.id):
                    # Its half-given answers go with it, anonymous ones included, also when
                    # the survey waits behind the menu, LANG or the stop question.
                    conversation.flow, conversation.step, conversation.state = None, None, {}
                    conversation.updated_at = now
                row.status = PromptStatus.MISSED
                if not person.followup_paused:  # a paused person is not failing to answer
                    missed(session, person, now, scheduler.content)
        return len(rows)


def _holds(state: dict, prompt_id: int) -> bool:
    """The conversation is on this prompt's survey, or keeps it to resume."""
    resume = state.get("resume") or {}
    parked = (resume.get("data") or {}) if isinstance(resume, dict) else {}
    return any((d.get("prompt") or {}).get("id") == prompt_id for d in (state, parked))


def missed(session: Session, person: Person, now: datetime, content: Content) -> None:
    person.missed_in_row += 1
    if person.missed_in_row >= content.plans.no_reply.unreachable_after:
        mark_unreachable(
            session, person, f"{person.missed_in_row} waves missed in a row", now, content
        )

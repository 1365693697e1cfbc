"""Firing follow-up prompts: a tick claims the rows that fell due and, for each, decides:
send now, wait for the conversation to end, move to the next daytime slot, or skip; then
reminders after no reply, and misses. No job per person exists anywhere: a restart simply
finds the rows that fell due. Claiming and pacing are the shared ones (bot/scheduling/).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.casework.alerts import raise_alert
from bot.db import transaction
from bot.followup.plans import PAUSED_NOTE
from bot.messaging.outbox import enqueue_all
from bot.models import Contact, Conversation, Person, ScheduledPrompt
from bot.people.consents import consents_of_many
from bot.people.contacts import best_contact, conversation_for
from bot.people.local_time import local_today, timezone_of
from bot.people.profile import person_view
from bot.people.reach import why_not
from bot.people.reachability import mark_unreachable
from bot.runtime.effects import EffectRegistry
from bot.runtime.handle import apply_result, step_context
from bot.scheduling.claim import claim_due
from bot.scheduling.pacing import DailyCap, busy
from bot.timeutil import Clock
from flows.content import Content
from flows.followup import flow as followup
from flows.pacing import Delivery, next_slot
from flows.types import ConversationState, Input, PromptView, Snapshot
from flows.vocabulary import TO_SEND, PromptStatus

log = logging.getLogger(__name__)

WAIT_BEHIND_CONVERSATION = timedelta(minutes=15)
LEASE = timedelta(minutes=5)
PAUSED_RECHECK = timedelta(days=1)
NEEDS_SURVEY_CONSENT = ("survey", "feedback")
# Reasons not to write (bot/people/reach.py) that end the plan's prompts rather than skip one.
ENDS_PLAN = ("erased", "not enrolled", "left the programme")
# A follow-up survey holds other programme messages back until it is answered or missed.
HOLDING_FLOWS = (followup.NAME,)


class Scheduler:
    """What the APScheduler tick runs every few seconds."""

    def __init__(
        self,
        engine: Engine,
        content: Content,
        clock: Clock,
        effects: EffectRegistry,
        batch: int = 500,
    ):
        self.engine = engine
        self.content = content
        self.clock = clock
        self.effects = effects
        self.batch = batch

    @property
    def delivery(self) -> Delivery:
        return self.content.plans.delivery

    def tick(self) -> int:
        """Fires due prompts, sends due reminders, records misses; returns how many rows moved."""
        if self.content.plans is None:
            return 0
        moved = self.fire_due()
        for step in (self._remind_due, self._expire_due):
            while True:
                done = step()
                moved += done
                if done < self.batch:
                    break
        return moved

    # -- firing ------------------------------------------------------------------------------

    def _claim(self, session: Session, *conditions) -> list[ScheduledPrompt]:
        return claim_due(session, ScheduledPrompt, *conditions, batch=self.batch)

    def fire_due(self) -> int:
        """Fires every prompt due now (in batches); returns how many rows were looked at."""
        total = 0
        while True:
            done = self._fire_due()
            total += done
            if done < self.batch:
                return total

    def _fire_due(self) -> int:
        now = self.clock()
        try:
            with transaction(self.engine) as session:
                rows = self._claim_due(session, now)
                batch = _Batch.load(session, self.delivery, [row.person_id for row in rows], now)
                for row in rows:
                    self._fire(session, row, now, batch)
                return len(rows)
        except Exception:  # noqa: BLE001 - find the bad row without holding back the rest
            log.exception("firing a batch failed; retrying one by one")
        return self._fire_one_by_one(now)

    def _claim_due(self, session: Session, now: datetime) -> list[ScheduledPrompt]:
        return self._claim(
            session, ScheduledPrompt.status.in_(TO_SEND), ScheduledPrompt.due_at <= now
        )

    def _fire_one_by_one(self, now: datetime) -> int:
        with transaction(self.engine) as session:
            rows = self._claim_due(session, now)
            for row in rows:
                try:
                    with session.begin_nested():
                        batch = _Batch.load(session, self.delivery, [row.person_id], now)
                        self._fire(session, row, now, batch)
                except Exception:  # noqa: BLE001 - one bad row must not hold back the rest
                    log.exception("prompt %s could not fire", row.id)
                    row.due_at = now + LEASE
            return len(rows)

    def _fire(self, session: Session, row: ScheduledPrompt, now: datetime, batch: _Batch) -> None:
        person = batch.people[row.person_id]
        consents = batch.consents.get(person.id, {})
        reason = why_not(person, consents)
        if reason in ENDS_PLAN:
            row.status = PromptStatus.CANCELLED
            row.note = f"person {person.outcome or person.status}"
            return
        if reason is not None:
            row.status, row.note = PromptStatus.SKIPPED, reason
            return
        if person.followup_paused:
            # Held, not lost: resuming brings it back at once (bot/casework set_paused).
            row.due_at, row.status, row.note = (
                now + PAUSED_RECHECK,
                PromptStatus.PENDING,
                PAUSED_NOTE,
            )
            return
        if row.kind in NEEDS_SURVEY_CONSENT and not consents.get("surveys"):
            row.status, row.note = PromptStatus.SKIPPED, "no consent to surveys"
            return
        plan = self.content.plans.plans.get(row.plan)
        if plan is not None and plan.requires_consent and not consents.get(plan.requires_consent):
            row.due_at, row.note = (
                now + timedelta(days=1),
                f"waiting for {plan.requires_consent} consent",
            )
            why = f"{plan.requires_consent} consent is needed before follow-up ({plan.name} plan)"
            due_hours = self.content.programme.get("alert_due_hours")
            raise_alert(
                session, person, "consent_needed", "medium", why, now, due_hours, while_open=True
            )
            return
        timezone = timezone_of(person, self.content)
        later = batch.cap.hold_until(person.id, timezone, now)
        if later is not None:
            row.due_at, row.status = later, PromptStatus.PENDING
            return
        conversation = batch.conversations[person.id]
        if busy(conversation, now, HOLDING_FLOWS):
            row.due_at, row.status = now + WAIT_BEHIND_CONVERSATION, PromptStatus.WAITING
            return
        contact = batch.contact(person.id)
        if contact is None and person.enrolled_by_staff and not batch.contacts.get(person.id):
            # Enrolled in person, with no phone of their own: the facilitator asks instead.
            row.status, row.note = PromptStatus.SKIPPED, "no phone: to ask in person"
            return
        if contact is None:
            row.status, row.note = PromptStatus.MISSED, "no working contact"
            self._missed(session, person, now)
            return
        snap = self._snapshot(person, contact, conversation, now, consents)
        prompt = PromptView(row.id, row.kind, row.instrument, row.message, row.wave)
        result = followup.start(snap, self.content, prompt)
        row.fired_at = now
        batch.cap.note(person.id, now)
        if row.kind in ("info", "closure"):
            row.status = PromptStatus.ANSWERED
        else:
            no_reply = self.content.plans.no_reply
            row.status = PromptStatus.OPEN
            row.reminder_due_at = next_slot(now + no_reply.reminder_after, timezone, self.delivery)
            row.closes_at = row.reminder_due_at + no_reply.missed_after
        context = step_context(session, person, contact, conversation, self.content, now)
        apply_result(context, result, self.effects, initiated=True)

    def _snapshot(self, person, contact, conversation, now, consents) -> Snapshot:
        return Snapshot(
            person=person_view(person, contact, consents),
            conversation=ConversationState(
                conversation.flow,
                conversation.step,
                dict(conversation.state),
                conversation.updated_at,
            ),
            input=Input("prompt"),
            now=now,
            today=local_today(person, self.content, now),
        )

    # -- no reply ----------------------------------------------------------------------------

    def _remind_due(self) -> int:
        now = self.clock()
        with transaction(self.engine) as session:
            rows = self._claim(
                session,
                ScheduledPrompt.status == PromptStatus.OPEN,
                ScheduledPrompt.reminded_at.is_(None),
                ScheduledPrompt.reminder_due_at <= now,
            )
            batch = _Batch.load(session, self.delivery, [row.person_id for row in rows], now)
            for row in rows:
                self._remind(session, row, now, batch)
            return len(rows)

    def _remind(self, session: Session, row: ScheduledPrompt, now: datetime, batch: _Batch) -> None:
        person = batch.people[row.person_id]
        conversation = batch.conversations[person.id]
        contact = batch.contact(person.id)
        on_this = (
            conversation.flow == followup.NAME
            and conversation.state.get("prompt", {}).get("id") == row.id
        )
        if (
            not on_this
            or contact is None
            or person.opted_out_at is not None
            or person.followup_paused
        ):
            row.reminded_at, row.note = now, "no reminder: conversation moved on"
            return
        timezone = timezone_of(person, self.content)
        later = batch.cap.hold_until(person.id, timezone, now)
        if later is not None:
            row.reminder_due_at = later
            return
        snap = self._snapshot(person, contact, conversation, now, batch.consents.get(person.id, {}))
        enqueue_all(
            session, person, contact, followup.remind(snap, self.content), now, initiated=True
        )
        row.reminded_at = now
        batch.cap.note(person.id, now)
        row.closes_at = max(row.closes_at or now, now + self.content.plans.no_reply.missed_after)

    def _expire_due(self) -> int:
        now = self.clock()
        with transaction(self.engine) as session:
            rows = self._claim(
                session,
                ScheduledPrompt.status == PromptStatus.OPEN,
                ScheduledPrompt.closes_at <= now,
            )
            for row in rows:
                with session.begin_nested():
                    person = session.get(Person, row.person_id)
                    conversation = conversation_for(session, person.id, lock=True)
                    if conversation.state.get("prompt", {}).get("id") == row.id:
                        conversation.flow, conversation.step, conversation.state = None, None, {}
                        conversation.updated_at = now
                    row.status = PromptStatus.MISSED
                    if not person.followup_paused:  # a paused person is not failing to answer
                        self._missed(session, person, now)
            return len(rows)

    def _missed(self, session: Session, person: Person, now: datetime) -> None:
        person.missed_in_row += 1
        if person.missed_in_row >= self.content.plans.no_reply.unreachable_after:
            mark_unreachable(
                session, person, f"{person.missed_in_row} waves missed in a row", now, self.content
            )


class _Batch:
    """Everything firing a batch of prompts needs about its people, loaded in a few queries."""

    def __init__(self, people, consents, conversations, contacts, cap):
        self.people: dict[int, Person] = people
        self.consents: dict[int, dict[str, bool]] = consents
        self.conversations: dict[int, Conversation] = conversations
        self.contacts: dict[int, list[Contact]] = contacts
        self.cap: DailyCap = cap

    @classmethod
    def load(
        cls, session: Session, delivery: Delivery, person_ids: list[int], now: datetime
    ) -> _Batch:
        ids = sorted(set(person_ids))
        if not ids:
            return cls({}, {}, {}, {}, DailyCap(delivery))
        people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(ids))).all()}
        conversations = {
            c.person_id: c
            for c in session.exec(
                select(Conversation).where(Conversation.person_id.in_(ids)).with_for_update()
            ).all()
        }
        contacts: dict[int, list[Contact]] = {}
        for contact in session.exec(select(Contact).where(Contact.person_id.in_(ids))).all():
            contacts.setdefault(contact.person_id, []).append(contact)
        cap = DailyCap.load(session, delivery, ids, now)
        return cls(people, consents_of_many(session, ids), conversations, contacts, cap)

    def contact(self, person_id: int) -> Contact | None:
        return best_contact(self.contacts.get(person_id, []))

"""Firing follow-up prompts: a tick claims the rows that fell due and, for each, decides:
send now, wait for the conversation to end, move to the next daytime slot, or skip. No job
per person exists anywhere: a restart simply finds the rows that fell due. Claiming, pacing
and the daily cap are the shared ones (bot/scheduling/); reminders and misses are in
bot/followup/no_reply.py.

A batch is decided on plain records and written in a few executemany statements; the rare
step whose result has effects (closure, information) goes through the effect registry with
ORM rows, like a step started by a message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.casework.alerts import raise_alert
from bot.db import transaction
from bot.followup import no_reply
from bot.followup.batch import PeopleBatch
from bot.followup.plans import PAUSED_NOTE
from bot.messaging.outbox import step_values
from bot.models import Contact, Conversation, Person, ScheduledPrompt
from bot.people.contacts import conversation_for
from bot.people.local_time import local_today, timezone_of
from bot.people.reach import why_not
from bot.runtime.effects import EffectRegistry
from bot.runtime.handle import apply_result, step_context
from bot.runtime.snapshot import snapshot
from bot.scheduling.claim import claim_due
from bot.scheduling.pacing import HOLDING_FLOWS, busy
from bot.scheduling.writes import BatchWrites
from bot.timeutil import Clock
from flows.content import Content
from flows.followup import flow as followup
from flows.pacing import Delivery
from flows.types import PromptView, Result
from flows.vocabulary import TO_SEND, PromptStatus

log = logging.getLogger(__name__)

WAIT_BEHIND_CONVERSATION = timedelta(minutes=15)
LEASE = timedelta(minutes=5)
PAUSED_RECHECK = timedelta(days=1)
NEEDS_SURVEY_CONSENT = ("survey", "feedback")
# Reasons not to write (bot/people/reach.py) that end the plan's prompts rather than skip one.
ENDS_PLAN = ("erased", "not enrolled", "left the programme")
# A follow-up survey holds other programme messages back until it is answered or missed.
DUE_COLUMNS = (
    ScheduledPrompt.id, ScheduledPrompt.person_id, ScheduledPrompt.plan, ScheduledPrompt.kind,
    ScheduledPrompt.instrument, ScheduledPrompt.message, ScheduledPrompt.wave,
)  # fmt: skip
PROMPTS = ScheduledPrompt.__table__
CONVERSATIONS = Conversation.__table__


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
        return self.content.delivery

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
                self._fire_rows(session, rows, now)
                return len(rows)
        except Exception:  # noqa: BLE001 - find the bad row without holding back the rest
            log.exception("firing a batch failed; retrying one by one")
        return self._fire_one_by_one(now)

    def _claim_due(self, session: Session, now: datetime) -> list:
        return claim_due(
            session,
            ScheduledPrompt,
            ScheduledPrompt.status.in_(TO_SEND),
            ScheduledPrompt.due_at <= now,
            batch=self.batch,
            columns=DUE_COLUMNS,
        )

    def _fire_one_by_one(self, now: datetime) -> int:
        with transaction(self.engine) as session:
            rows = self._claim_due(session, now)
            for row in rows:
                try:
                    with session.begin_nested():
                        self._fire_rows(session, [row], now)
                except Exception:  # noqa: BLE001 - one bad row must not hold back the rest
                    log.exception("prompt %s could not fire", row.id)
                    session.get(ScheduledPrompt, row.id).due_at = now + LEASE
            return len(rows)

    def _fire_rows(self, session: Session, rows: list, now: datetime) -> None:
        batch = PeopleBatch.load(session, self.delivery, [row.person_id for row in rows], now)
        writes = BatchWrites()
        for row in rows:
            self._fire(session, row, now, batch, writes)
        writes.write(session)

    def _fire(self, session: Session, row, now: datetime, batch: PeopleBatch, writes) -> None:
        def prompt(**values) -> None:
            writes.update(PROMPTS, "id", row.id, values)

        person = batch.people[row.person_id]
        consents = batch.consents.get(person.id, {})
        reason = why_not(person, consents)
        if reason in ENDS_PLAN:
            prompt(status=PromptStatus.CANCELLED, note=f"person {person.outcome or person.status}")
            return
        if reason is not None:
            prompt(status=PromptStatus.SKIPPED, note=reason)
            return
        if person.followup_paused:
            # Held, not lost: resuming brings it back at once (bot/casework set_paused).
            prompt(due_at=now + PAUSED_RECHECK, status=PromptStatus.PENDING, note=PAUSED_NOTE)
            return
        if row.kind in NEEDS_SURVEY_CONSENT and not consents.get("surveys"):
            prompt(status=PromptStatus.SKIPPED, note="no consent to surveys")
            return
        plan = self.content.plans.plans.get(row.plan)
        if plan is not None and plan.requires_consent and not consents.get(plan.requires_consent):
            prompt(
                due_at=now + timedelta(days=1), note=f"waiting for {plan.requires_consent} consent"
            )
            why = f"{plan.requires_consent} consent is needed before follow-up ({plan.name} plan)"
            raise_alert(
                session,
                person,
                "consent_needed",
                "medium",
                why,
                now,
                self.content.programme,
                while_open=True,
            )
            return
        timezone = timezone_of(person, self.content)
        later = batch.cap.hold_until(person.id, timezone, now)
        if later is not None:
            prompt(due_at=later, status=PromptStatus.PENDING)
            return
        conversation = batch.conversations[person.id]
        if busy(conversation, now, HOLDING_FLOWS):
            prompt(due_at=now + WAIT_BEHIND_CONVERSATION, status=PromptStatus.WAITING)
            return
        contact = batch.contact(person.id)
        if contact is None and person.enrolled_by_staff and not batch.contacts.get(person.id):
            # Enrolled in person, with no phone of their own: the facilitator asks instead.
            prompt(status=PromptStatus.SKIPPED, note="no phone: to ask in person")
            return
        if contact is None:
            prompt(status=PromptStatus.MISSED, note="no working contact")
            no_reply.missed(session, session.get(Person, person.id), now, self.content)
            return
        view = PromptView(row.id, row.kind, row.instrument, row.message, row.wave)
        today = local_today(person, self.content, now)
        key = followup.opening_key(self.content, view, person.language, contact.channel, today)
        opening = batch.openings.get(key) if key is not None else None
        if opening is not None:
            result = followup.reopen(opening, view)
        else:
            snap = snapshot(self.content, person, contact, conversation, now, consents, today)
            result = followup.start(snap, self.content, view)
            if key is not None:
                batch.openings[key] = result
        batch.cap.note(person.id, now)
        fired = {"fired_at": now}
        if row.kind in ("info", "closure"):
            fired["status"] = PromptStatus.ANSWERED
        else:
            rules = self.content.plans.no_reply
            reminder = batch.cap.slot(now + rules.reminder_after, timezone)
            fired.update(
                status=PromptStatus.OPEN,
                reminder_due_at=reminder,
                closes_at=reminder + rules.missed_after,
            )
        if result.effects:
            # The ORM step reads rows this batch may have changed: those changes go first.
            writes.write(session)
            conversation = self._apply_with_effects(
                session, row, person.id, contact.id, result, fired, now
            )
            batch.conversations[person.id] = conversation
            return
        prompt(**fired)
        state = {
            "flow": result.conversation.flow,
            "step": result.conversation.step,
            "state": dict(result.conversation.data),
            "updated_at": now,
        }
        writes.update(CONVERSATIONS, "id", conversation.id, state)
        # Their conversation changed, not their record: person.updated_at stays. Later rows
        # of this batch see the conversation as it now is (busy with this survey).
        batch.conversations[person.id] = SimpleNamespace(
            id=conversation.id, person_id=person.id, **state
        )
        writes.outbound += step_values(person, contact, result.messages, now, initiated=True)

    def _apply_with_effects(
        self, session, row, person_id: int, contact_id: int, result: Result, fired, now
    ) -> Conversation:
        """A step whose result has effects: through the registry, on ORM rows."""
        prompt = session.get(ScheduledPrompt, row.id)
        for name, value in fired.items():
            setattr(prompt, name, value)
        person = session.get(Person, person_id)
        conversation = conversation_for(session, person_id, lock=True)
        context = step_context(
            session, person, session.get(Contact, contact_id), conversation, self.content, now
        )
        apply_result(context, result, self.effects, initiated=True)
        return conversation

    # -- no reply ----------------------------------------------------------------------------

    def _remind_due(self) -> int:
        return no_reply.remind_due(self, self.clock())

    def _expire_due(self) -> int:
        return no_reply.expire_due(self, self.clock())

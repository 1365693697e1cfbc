"""The follow-up scheduler: a person's plan becomes rows; a tick fires what is due.

Every prompt is a row with a unique (person, step, plan revision) and a due time in UTC.
The tick claims due rows (FOR UPDATE SKIP LOCKED on PostgreSQL), and for each one decides:
send now, wait for the conversation to end, move to the next daytime slot, or skip. No job
per person exists anywhere: a restart simply finds the rows that fell due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.alerts import raise_alert
from bot.db import transaction
from bot.models import Person, ScheduledPrompt
from bot.people import (
    audit,
    consents_of,
    conversation_for,
    local_today,
    person_view,
    preferred_contact,
    timezone_of,
)
from bot.timeutil import Clock
from flows import followup
from flows.content import Content
from flows.plan import next_slot, plan_prompts
from flows.types import ConversationState, Input, PromptView, Snapshot

log = logging.getLogger(__name__)

# A conversation untouched this long no longer holds back a prompt (a follow-up survey
# always does, until it is answered or missed).
BUSY_FOR = timedelta(hours=24)
WAIT_BEHIND_CONVERSATION = timedelta(minutes=15)
LEASE = timedelta(minutes=5)
NEEDS_SURVEY_CONSENT = ("survey", "feedback")
OPEN = "open"


def _profile(person: Person) -> dict:
    return {
        "role": person.role,
        "gender": person.gender,
        "age_band": person.age_band,
        "district": person.district,
        "vulnerabilities": list(person.vulnerabilities or []),
    }


def enrol(session: Session, person: Person, content: Content, now: datetime) -> int:
    """Gives an enrolled returnee their plan; returns how many prompts it holds."""
    plans = content.plans
    if plans is None or person.plan is not None or person.role != "returnee":
        return 0
    plan = plans.choose(_profile(person))
    person.plan, person.plan_revision, person.enrolled_at = plan.name, 1, now
    count = _insert_plan(session, person, content, now, done=set())
    audit(session, "system", "plan.created", person.id, now, plan=plan.name, prompts=count)
    return count


def recompute(session: Session, person: Person, content: Content, now: datetime, actor: str) -> int:
    """After a correction (return date, profile): pending prompts are replaced, done ones kept."""
    plans = content.plans
    if plans is None or person.plan is None:
        return enrol(session, person, content, now)
    rows = session.exec(select(ScheduledPrompt).where(ScheduledPrompt.person_id == person.id)).all()
    done = {row.step_key for row in rows if row.status in (OPEN, "answered", "missed")}
    for row in rows:
        if (
            row.status in ("pending", "waiting", "skipped")
            and row.plan_revision == person.plan_revision
        ):
            row.status = "superseded"
    person.plan = plans.choose(_profile(person)).name
    person.plan_revision += 1
    count = _insert_plan(session, person, content, now, done)
    audit(
        session,
        actor,
        "plan.recomputed",
        person.id,
        now,
        plan=person.plan,
        revision=person.plan_revision,
    )
    return count


def _insert_plan(
    session: Session, person: Person, content: Content, now: datetime, done: set[str]
) -> int:
    plans = content.plans
    plan = plans.plans[person.plan]
    anchor = person.return_date or local_today(person, content, now)
    planned = plan_prompts(
        plan, plans, anchor, now, timezone_of(person, content), person.preferred_time
    )
    count = 0
    for item in planned:
        if item.step.key in done:
            continue
        session.add(
            ScheduledPrompt(
                person_id=person.id,
                plan=plan.name,
                plan_revision=person.plan_revision,
                step_key=item.step.key,
                kind=item.step.kind,
                instrument=item.step.instrument,
                message=item.step.message,
                wave=item.step.wave,
                status=item.status,
                note="late enrolment" if item.status == "skipped" else None,
                due_at=item.due_at,
                created_at=now,
            )
        )
        count += 1
    return count


class Scheduler:
    """What the APScheduler tick runs every few seconds."""

    def __init__(self, engine: Engine, content: Content, clock: Clock, batch: int = 500):
        self.engine = engine
        self.content = content
        self.clock = clock
        self.batch = batch

    def tick(self) -> int:
        """Fires due prompts, sends due reminders, records misses; returns how many rows moved."""
        if self.content.plans is None:
            return 0
        moved = 0
        for step in (self._fire_due, self._remind_due, self._expire_due):
            while True:
                done = step()
                moved += done
                if done < self.batch:
                    break
        return moved

    # -- firing ------------------------------------------------------------------------------

    def _claim(self, session: Session, *conditions) -> list[ScheduledPrompt]:
        statement = (
            select(ScheduledPrompt)
            .where(*conditions)
            .order_by(ScheduledPrompt.due_at, ScheduledPrompt.id)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        return list(session.exec(statement).all())

    def _fire_due(self) -> int:
        now = self.clock()
        with transaction(self.engine) as session:
            rows = self._claim(
                session,
                ScheduledPrompt.status.in_(("pending", "waiting")),
                ScheduledPrompt.due_at <= now,
            )
            for row in rows:
                try:
                    with session.begin_nested():
                        self._fire(session, row, now)
                except Exception:  # noqa: BLE001 - one bad row must not hold back the rest
                    log.exception("prompt %s could not fire", row.id)
                    row.due_at = now + LEASE
            return len(rows)

    def _fire(self, session: Session, row: ScheduledPrompt, now: datetime) -> None:
        person = session.get(Person, row.person_id)
        if person.status != "active" or person.outcome in ("remigrated", "left_programme"):
            row.status, row.note = "cancelled", f"person {person.outcome or person.status}"
            return
        if person.opted_out_at is not None:
            row.status, row.note = "skipped", "opted out"
            return
        consents = consents_of(session, person.id)
        if row.kind in NEEDS_SURVEY_CONSENT and not consents.get("surveys"):
            row.status, row.note = "skipped", "no consent to surveys"
            return
        plan = self.content.plans.plans.get(row.plan)
        if plan is not None and plan.requires_consent and not consents.get(plan.requires_consent):
            row.due_at, row.note = (
                now + timedelta(days=1),
                f"waiting for {plan.requires_consent} consent",
            )
            return
        timezone = timezone_of(person, self.content)
        delivery = self.content.plans.delivery
        slot = next_slot(now, timezone, delivery)
        if slot > now:
            row.due_at, row.status = slot, "pending"
            return
        if self._sent_today(session, person, timezone, now) >= delivery.max_per_day:
            row.due_at, row.status = self._tomorrow(timezone, now), "pending"
            return
        conversation = conversation_for(session, person.id, lock=True)
        if _busy(conversation, now):
            row.due_at, row.status = now + WAIT_BEHIND_CONVERSATION, "waiting"
            return
        contact = preferred_contact(session, person.id)
        if contact is None:
            row.status, row.note = "missed", "no working contact"
            self._missed(session, person, now)
            return
        from bot.runtime import apply_result

        snap = self._snapshot(session, person, contact, conversation, now)
        prompt = PromptView(row.id, row.kind, row.instrument, row.message, row.wave)
        result = followup.start(snap, self.content, prompt)
        row.fired_at = now
        if row.kind in ("info", "closure"):
            row.status = "answered"
        else:
            no_reply = self.content.plans.no_reply
            row.status = OPEN
            row.reminder_due_at = next_slot(now + no_reply.reminder_after, timezone, delivery)
            row.closes_at = row.reminder_due_at + no_reply.missed_after
        apply_result(session, person, contact, conversation, result, now)

    def _snapshot(self, session, person, contact, conversation, now) -> Snapshot:
        return Snapshot(
            person=person_view(session, person, contact),
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

    def _sent_today(self, session: Session, person: Person, timezone: str, now: datetime) -> int:
        zone = ZoneInfo(timezone)
        local = now.astimezone(zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        start = midnight.astimezone(ZoneInfo("UTC"))
        fired = or_(ScheduledPrompt.fired_at >= start, ScheduledPrompt.reminded_at >= start)
        statement = select(func.count()).where(ScheduledPrompt.person_id == person.id, fired)
        count = session.exec(statement).one()
        # A prompt both fired and reminded today counts twice.
        both = session.exec(
            select(func.count()).where(
                ScheduledPrompt.person_id == person.id,
                ScheduledPrompt.fired_at >= start,
                ScheduledPrompt.reminded_at >= start,
            )
        ).one()
        return int(count) + int(both)

    def _tomorrow(self, timezone: str, now: datetime) -> datetime:
        zone = ZoneInfo(timezone)
        local = now.astimezone(zone)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return next_slot(midnight, timezone, self.content.plans.delivery)

    # -- no reply ----------------------------------------------------------------------------

    def _remind_due(self) -> int:
        now = self.clock()
        with transaction(self.engine) as session:
            rows = self._claim(
                session,
                ScheduledPrompt.status == OPEN,
                ScheduledPrompt.reminded_at.is_(None),
                ScheduledPrompt.reminder_due_at <= now,
            )
            for row in rows:
                with session.begin_nested():
                    self._remind(session, row, now)
            return len(rows)

    def _remind(self, session: Session, row: ScheduledPrompt, now: datetime) -> None:
        person = session.get(Person, row.person_id)
        conversation = conversation_for(session, person.id, lock=True)
        contact = preferred_contact(session, person.id)
        on_this = (
            conversation.flow == followup.NAME
            and conversation.state.get("prompt", {}).get("id") == row.id
        )
        if not on_this or contact is None or person.opted_out_at is not None:
            row.reminded_at, row.note = now, "no reminder: conversation moved on"
            return
        timezone = timezone_of(person, self.content)
        delivery = self.content.plans.delivery
        slot = next_slot(now, timezone, delivery)
        if slot > now:
            row.reminder_due_at = slot
            return
        if self._sent_today(session, person, timezone, now) >= delivery.max_per_day:
            row.reminder_due_at = self._tomorrow(timezone, now)
            return
        from bot.runtime import enqueue

        snap = self._snapshot(session, person, contact, conversation, now)
        for message in followup.remind(snap, self.content):
            enqueue(session, person, contact, message, now)
        row.reminded_at = now
        row.closes_at = max(row.closes_at or now, now + self.content.plans.no_reply.missed_after)

    def _expire_due(self) -> int:
        now = self.clock()
        with transaction(self.engine) as session:
            rows = self._claim(
                session, ScheduledPrompt.status == OPEN, ScheduledPrompt.closes_at <= now
            )
            for row in rows:
                with session.begin_nested():
                    person = session.get(Person, row.person_id)
                    conversation = conversation_for(session, person.id, lock=True)
                    if conversation.state.get("prompt", {}).get("id") == row.id:
                        conversation.flow, conversation.step, conversation.state = None, None, {}
                        conversation.updated_at = now
                    row.status = "missed"
                    self._missed(session, person, now)
            return len(rows)

    def _missed(self, session: Session, person: Person, now: datetime) -> None:
        person.missed_in_row += 1
        if person.missed_in_row >= self.content.plans.no_reply.unreachable_after:
            mark_unreachable(
                session, person, f"{person.missed_in_row} waves missed in a row", now, self.content
            )


def mark_unreachable(
    session: Session, person: Person, why: str, now: datetime, content: Content
) -> None:
    if person.unreachable_at is not None:
        return
    person.unreachable_at = now
    audit(session, "system", "person.unreachable", person.id, now, why=why)
    raise_alert(
        session, person, "unreachable", "medium", why, now, content.programme.get("alert_due_hours")
    )


def mark_reachable(session: Session, person: Person, now: datetime) -> None:
    if person.unreachable_at is None and person.missed_in_row == 0:
        return
    if person.unreachable_at is not None:
        audit(session, "system", "person.reachable", person.id, now)
    person.unreachable_at = None
    person.missed_in_row = 0


def _busy(conversation, now: datetime) -> bool:
    if conversation.flow is None:
        return False
    if conversation.flow == followup.NAME:
        return True
    return now - conversation.updated_at < BUSY_FOR

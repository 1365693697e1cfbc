"""The follow-up scheduler: a person's plan becomes rows; a tick fires what is due.

Every prompt is a row with a unique (person, step, plan revision) and a due time in UTC.
The tick claims due rows (FOR UPDATE SKIP LOCKED on PostgreSQL), and for each one decides:
send now, wait for the conversation to end, move to the next daytime slot, or skip. No job
per person exists anywhere: a restart simply finds the rows that fell due.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.casework.alerts import raise_alert
from bot.db import transaction
from bot.models import Consent, Contact, Conversation, FeedbackRespondent, Person, ScheduledPrompt
from bot.people.contacts import (
    audit,
    conversation_for,
    local_today,
    person_view,
    timezone_of,
)
from bot.timeutil import Clock
from flows.content import Content
from flows.followup import flow as followup
from flows.followup.plan import plan_prompts
from flows.pacing import next_slot
from flows.types import ConversationState, Input, Message, PromptView, Snapshot

log = logging.getLogger(__name__)

# A conversation untouched this long no longer holds back a prompt (a follow-up survey
# always does, until it is answered or missed).
BUSY_FOR = timedelta(hours=24)
WAIT_BEHIND_CONVERSATION = timedelta(minutes=15)
LEASE = timedelta(minutes=5)
PAUSED_RECHECK = timedelta(days=1)
PAUSED_NOTE = "paused by staff"
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


def enrol_many(session: Session, person_ids: list[int], content: Content, now: datetime) -> int:
    """Plans for many people at once (an import, a programme's first day), in bulk statements:
    the same decisions as `enrol`, without loading each person as an object."""
    plans = content.plans
    if plans is None or not person_ids:
        return 0
    columns = (Person.id, Person.role, Person.plan, Person.return_date, Person.timezone,
               Person.preferred_time, Person.gender, Person.age_band, Person.district,
               Person.vulnerabilities)  # fmt: skip
    found = session.execute(select(*columns).where(Person.id.in_(person_ids))).all()
    rows: list[tuple] = []
    chosen: list[dict] = []
    for record in found:
        if record.plan is not None or record.role != "returnee":
            continue
        # A plain record: building full Person objects would cost more than the plan itself.
        person = SimpleNamespace(**record._asdict(), plan_revision=1)
        person.vulnerabilities = person.vulnerabilities or []
        person.plan, person.plan_revision = plans.choose(_profile(person)).name, 1
        chosen.append({"person_id": record.id, "plan": person.plan})
        rows.extend(_plan_rows(person, content, now, done=frozenset()))
    if chosen:
        person_table = Person.__table__
        session.connection().execute(
            person_table.update()
            .where(person_table.c.id == bindparam("person_id"))
            .values(plan=bindparam("plan"), plan_revision=1, enrolled_at=now),
            chosen,
        )
    _insert_rows(session, rows)
    return len(rows)


PROMPT_COLUMNS = (
    "person_id", "plan", "plan_revision", "step_key", "kind", "instrument", "message", "wave",
    "status", "note", "due_at", "created_at",
)  # fmt: skip


def _insert_rows(session: Session, rows: list[tuple]) -> None:
    """One executemany straight to the driver: enrolling a cohort writes hundreds of
    thousands of rows, and per-row ORM processing would dominate. Datetimes are written
    exactly as the UTCDateTime column stores them (naive UTC; SQLAlchemy's SQLite format)."""
    if not rows:
        return
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    formatted: dict[datetime, object] = {}  # people who came back the same day share due times

    def stored(moment: datetime):
        value = formatted.get(moment)
        if value is None:
            naive = moment.astimezone(UTC).replace(tzinfo=None)
            value = formatted[moment] = naive.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else naive
        return value

    marks = ", ".join("?" if sqlite else "%s" for _ in PROMPT_COLUMNS)
    statement = f"INSERT INTO scheduled_prompt ({', '.join(PROMPT_COLUMNS)}) VALUES ({marks})"
    connection.exec_driver_sql(
        statement, [(*row[:10], stored(row[10]), stored(row[11])) for row in rows]
    )


def _insert_plan(
    session: Session, person: Person, content: Content, now: datetime, done: set[str]
) -> int:
    rows = _plan_rows(person, content, now, frozenset(done))
    _insert_rows(session, rows)
    return len(rows)


def _plan_rows(person, content: Content, now: datetime, done: frozenset[str]) -> list[tuple]:
    """Rows in PROMPT_COLUMNS order."""
    anchor = person.return_date or local_today(person, content, now)
    steps = _planned(
        content, person.plan, anchor, now, timezone_of(person, content), person.preferred_time
    )
    head = (person.id, person.plan, person.plan_revision)
    return [head + step + (now,) for key, step in steps if key not in done]


_PLANNED: dict[tuple, tuple] = {}


def _planned(
    content: Content, plan: str, anchor, now: datetime, timezone: str, preferred: str | None
):
    """Pure, so people who came back on the same day share one computation: each step as
    (step_key, kind, instrument, message, wave, status, note, due_at)."""
    key = (id(content.plans), plan, anchor, now, timezone, preferred)
    found = _PLANNED.get(key)
    if found is None:
        if len(_PLANNED) > 4096:
            _PLANNED.clear()
        plans = content.plans
        items = plan_prompts(plans.plans[plan], plans, anchor, now, timezone, preferred)
        found = _PLANNED[key] = tuple(
            (
                item.step.key,
                (
                    item.step.key, item.step.kind, item.step.instrument, item.step.message,
                    item.step.wave, item.status,
                    "late enrolment" if item.status == "skipped" else None, item.due_at,
                ),
            )
            for item in items
        )  # fmt: skip
    return found


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
        statement = (
            select(ScheduledPrompt)
            .where(*conditions)
            .order_by(ScheduledPrompt.due_at, ScheduledPrompt.id)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        return list(session.exec(statement).all())

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
                batch = _Batch.load(session, [row.person_id for row in rows], now)
                for row in rows:
                    self._fire(session, row, now, batch)
                return len(rows)
        except Exception:  # noqa: BLE001 - find the bad row without holding back the rest
            log.exception("firing a batch failed; retrying one by one")
        return self._fire_one_by_one(now)

    def _claim_due(self, session: Session, now: datetime) -> list[ScheduledPrompt]:
        return self._claim(
            session,
            ScheduledPrompt.status.in_(("pending", "waiting")),
            ScheduledPrompt.due_at <= now,
        )

    def _fire_one_by_one(self, now: datetime) -> int:
        with transaction(self.engine) as session:
            rows = self._claim_due(session, now)
            for row in rows:
                try:
                    with session.begin_nested():
                        self._fire(session, row, now, _Batch.load(session, [row.person_id], now))
                except Exception:  # noqa: BLE001 - one bad row must not hold back the rest
                    log.exception("prompt %s could not fire", row.id)
                    row.due_at = now + LEASE
            return len(rows)

    def _fire(self, session: Session, row: ScheduledPrompt, now: datetime, batch: _Batch) -> None:
        person = batch.people[row.person_id]
        if person.status != "active" or person.outcome in ("remigrated", "left_programme"):
            row.status, row.note = "cancelled", f"person {person.outcome or person.status}"
            return
        if person.opted_out_at is not None:
            row.status, row.note = "skipped", "opted out"
            return
        if person.followup_paused:
            # Held, not lost: resuming brings it back at once (bot/casework.py set_paused).
            row.due_at, row.status, row.note = now + PAUSED_RECHECK, "pending", PAUSED_NOTE
            return
        consents = batch.consents.get(person.id, {})
        if row.kind in NEEDS_SURVEY_CONSENT and not consents.get("surveys"):
            row.status, row.note = "skipped", "no consent to surveys"
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
        delivery = self.content.plans.delivery
        slot = next_slot(now, timezone, delivery)
        if slot > now:
            row.due_at, row.status = slot, "pending"
            return
        if batch.sent_today(person.id, timezone, now) >= delivery.max_per_day:
            row.due_at, row.status = self._tomorrow(timezone, now), "pending"
            return
        conversation = batch.conversations[person.id]
        if _busy(conversation, now):
            row.due_at, row.status = now + WAIT_BEHIND_CONVERSATION, "waiting"
            return
        contact = batch.contact(person.id)
        if contact is None and person.enrolled_by_staff and not batch.contacts.get(person.id):
            # Enrolled in person, with no phone of their own: the facilitator asks instead.
            row.status, row.note = "skipped", "no phone: to ask in person"
            return
        if contact is None:
            row.status, row.note = "missed", "no working contact"
            self._missed(session, person, now)
            return
        from bot.runtime.handle import apply_result

        snap = self._snapshot(session, person, contact, conversation, now, consents)
        prompt = PromptView(row.id, row.kind, row.instrument, row.message, row.wave)
        result = followup.start(snap, self.content, prompt)
        row.fired_at = now
        batch.sent.setdefault(person.id, []).append(now)
        if row.kind in ("info", "closure"):
            row.status = "answered"
        else:
            no_reply = self.content.plans.no_reply
            row.status = OPEN
            row.reminder_due_at = next_slot(now + no_reply.reminder_after, timezone, delivery)
            row.closes_at = row.reminder_due_at + no_reply.missed_after
        apply_result(session, person, contact, conversation, result, now, content=self.content)

    def _snapshot(self, session, person, contact, conversation, now, consents=None) -> Snapshot:
        return Snapshot(
            person=person_view(session, person, contact, consents),
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
            batch = _Batch.load(session, [row.person_id for row in rows], now)
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
        delivery = self.content.plans.delivery
        slot = next_slot(now, timezone, delivery)
        if slot > now:
            row.reminder_due_at = slot
            return
        if batch.sent_today(person.id, timezone, now) >= delivery.max_per_day:
            row.reminder_due_at = self._tomorrow(timezone, now)
            return
        from bot.runtime.handle import enqueue

        snap = self._snapshot(
            session, person, contact, conversation, now, batch.consents.get(person.id, {})
        )
        for message in followup.remind(snap, self.content):
            enqueue(session, person, contact, message, now)
        row.reminded_at = now
        batch.sent.setdefault(person.id, []).append(now)
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
                    if not person.followup_paused:  # a paused person is not failing to answer
                        self._missed(session, person, now)
            return len(rows)

    def _missed(self, session: Session, person: Person, now: datetime) -> None:
        person.missed_in_row += 1
        if person.missed_in_row >= self.content.plans.no_reply.unreachable_after:
            mark_unreachable(
                session, person, f"{person.missed_in_row} waves missed in a row", now, self.content
            )


OUTCOMES = ("completed", "remigrated", "left_programme")
SUMMARY_MAX = 200


def record_outcome(
    session: Session, person: Person, outcome: str, actor: str, now: datetime
) -> int:
    """Re-migration or leaving is recorded, never a deletion: what was said stays; what was
    still to come is cancelled. Returns how many prompts were cancelled."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    person.outcome, person.outcome_at = outcome, now
    rows = session.exec(
        select(ScheduledPrompt).where(
            ScheduledPrompt.person_id == person.id,
            ScheduledPrompt.status.in_(("pending", "waiting", OPEN)),
        )
    ).all()
    for row in rows:
        row.status, row.note = "cancelled", f"outcome: {outcome}"
    audit(session, actor, "person.outcome", person.id, now, outcome=outcome, cancelled=len(rows))
    return len(rows)


def said_we_did(
    session: Session,
    round_key: str,
    summaries: dict[str, str],
    content: Content,
    actor: str,
    now: datetime,
) -> int:
    """After a feedback round: what changed, to everyone who answered it (anonymous answers
    included), each on the channel they answered on. Staff learn how many, never who."""
    from bot.runtime.handle import enqueue

    default = content.programme.get("default_language", content.languages[0])
    if not summaries.get(default):
        raise ValueError(f"a summary in {default} is needed (the fallback language)")
    if any(len(text) > SUMMARY_MAX for text in summaries.values()):
        raise ValueError(f"keep each summary to {SUMMARY_MAX} characters: it goes out by SMS too")
    contacts = session.exec(
        select(Contact)
        .join(FeedbackRespondent, FeedbackRespondent.contact_id == Contact.id)
        .where(FeedbackRespondent.round == round_key)
    ).all()
    sent = 0
    for contact in contacts:
        person = session.get(Person, contact.person_id)
        if contact.stopped or person.opted_out_at is not None:
            continue
        language = person.language if person.language in summaries else default
        text = content.catalog.text(
            language, "followup.said_we_did", contact.channel, summary=summaries[language].strip()
        )
        enqueue(session, person, contact, Message(text, key="followup.said_we_did"), now)
        sent += 1
    audit(session, actor, "feedback.said_we_did", None, now, round=round_key, sent=sent)
    return sent


def mark_unreachable(
    session: Session, person: Person, why: str, now: datetime, content: Content | None = None
) -> None:
    if person.unreachable_at is not None:
        return
    person.unreachable_at = now
    audit(session, "system", "person.unreachable", person.id, now, why=why)
    due_hours = content.programme.get("alert_due_hours") if content is not None else None
    raise_alert(session, person, "unreachable", "medium", why, now, due_hours)


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


class _Batch:
    """Everything firing a batch of prompts needs about its people, loaded in a few queries."""

    def __init__(self, people, consents, conversations, contacts, sent):
        self.people: dict[int, Person] = people
        self.consents: dict[int, dict[str, bool]] = consents
        self.conversations: dict[int, Conversation] = conversations
        self.contacts: dict[int, list[Contact]] = contacts
        self.sent: dict[int, list[datetime]] = sent

    @classmethod
    def load(cls, session: Session, person_ids: list[int], now: datetime) -> _Batch:
        ids = sorted(set(person_ids))
        if not ids:
            return cls({}, {}, {}, {}, {})
        people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(ids))).all()}
        consents: dict[int, dict[str, bool]] = {}
        rows = session.exec(
            select(Consent).where(Consent.person_id.in_(ids)).order_by(Consent.at, Consent.id)
        )
        for consent in rows.all():
            consents.setdefault(consent.person_id, {})[consent.purpose] = consent.granted
        conversations = {
            c.person_id: c
            for c in session.exec(
                select(Conversation).where(Conversation.person_id.in_(ids)).with_for_update()
            ).all()
        }
        contacts: dict[int, list[Contact]] = {}
        for contact in session.exec(select(Contact).where(Contact.person_id.in_(ids))).all():
            contacts.setdefault(contact.person_id, []).append(contact)
        # Programme messages of the last day and a half: enough for any local "today".
        since = now - timedelta(hours=38)
        sent: dict[int, list[datetime]] = {}
        recent = session.exec(
            select(
                ScheduledPrompt.person_id, ScheduledPrompt.fired_at, ScheduledPrompt.reminded_at
            ).where(
                ScheduledPrompt.person_id.in_(ids),
                or_(ScheduledPrompt.fired_at >= since, ScheduledPrompt.reminded_at >= since),
            )
        ).all()
        for person_id, fired_at, reminded_at in recent:
            sent.setdefault(person_id, []).extend(
                t for t in (fired_at, reminded_at) if t is not None
            )
        return cls(people, consents, conversations, contacts, sent)

    def sent_today(self, person_id: int, timezone: str, now: datetime) -> int:
        local = now.astimezone(ZoneInfo(timezone))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return sum(1 for at in self.sent.get(person_id, []) if at >= midnight)

    def contact(self, person_id: int) -> Contact | None:
        working = [c for c in self.contacts.get(person_id, []) if not c.stopped]
        if not working:
            return None
        return max(
            working,
            key=lambda c: (c.last_inbound_at is not None, c.last_inbound_at or c.created_at, c.id),
        )

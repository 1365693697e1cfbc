"""The savings tick: claims the savings groups' due rows (shared scheduling: SKIP LOCKED
claims, the daytime window, the daily cap over every programme message, never in the middle
of a conversation) and does them: a member's meeting reminder, a repayment reminder, the
share-out countdown; the officers' report prompt after a meeting.

Every reminder goes to one member about their own group, never a list of who owes; its
wording is discreet (no amounts, no word of loans) unless the member chose to see amounts
or reads it off SMS (flows/savings/statement.py)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from bot.db import transaction
from bot.followup.batch import PeopleBatch
from bot.messaging.outbox import enqueue_all
from bot.models import (
    Conversation,
    Person,
    SavingsEntry,
    SavingsGroup,
    SavingsMeeting,
    SavingsMember,
    SavingsTask,
)
from bot.people.local_time import timezone_of
from bot.people.reach import why_not
from bot.runtime.snapshot import snapshot
from bot.savings import health
from bot.savings.book import box_of
from bot.savings.registry import constitution_of, current_officers, members_of, today_in
from bot.scheduling.claim import claim_due
from bot.scheduling.pacing import HOLDING_FLOWS, WAIT_BEHIND_CONVERSATION, busy, hold_until
from bot.timeutil import Clock
from flows.content import Content
from flows.context import spoken_language
from flows.groups.when import local_time, local_when
from flows.savings import report
from flows.savings.constitution import RECORDERS
from flows.savings.money import format_amount
from flows.savings.recording import Position
from flows.savings.statement import day_label, savings_key, shows_details
from flows.types import Message, Result

log = logging.getLogger(__name__)

TO_DO = ("pending", "waiting")
RETRY_AFTER = timedelta(minutes=15)
REPORT_DAYS = 3  # an officer's report prompt stays open this long
REPORT_TRIES_FOR = timedelta(days=1)  # an officer busy in a conversation is asked again until


class SavingsTick:
    def __init__(self, engine, content: Content, clock: Clock, batch: int = 200):
        self.engine, self.content, self.clock, self.batch = engine, content, clock, batch

    def tick(self) -> int:
        done = 0
        while True:
            moved = self._batch()
            done += moved
            if moved < self.batch:
                return done

    def _batch(self) -> int:
        now = self.clock()
        with transaction(self.engine) as session:
            rows = claim_due(
                session, SavingsTask, SavingsTask.status.in_(TO_DO), SavingsTask.due_at <= now,
                batch=self.batch,
            )  # fmt: skip
            members = {
                m.id: m
                for m in session.scalars(
                    select(SavingsMember).where(
                        SavingsMember.id.in_({r.member_id for r in rows if r.member_id})
                    )
                )
            }
            people = {m.person_id for m in members.values() if m.person_id is not None}
            people |= self._officers(session, rows)
            fire = _Firing(self, session, now, PeopleBatch.load(session, self.content.delivery,
                                                               people, now), members)  # fmt: skip
            for row in rows:
                try:
                    with session.begin_nested():
                        fire.row(row)
                except Exception:  # noqa: BLE001 - one bad row must not hold back the rest
                    log.exception("savings task %s failed; trying again later", row.id)
                    row.due_at, row.note = now + RETRY_AFTER, "failed; retried"
            return len(rows)

    def _officers(self, session: Session, rows) -> set[int]:
        groups = {r.group_id for r in rows if r.kind == "report"}
        if not groups:
            return set()
        return {
            pid
            for group in groups
            for office, officer in current_officers(session, group).items()
            if office in RECORDERS
            and (pid := session.get(SavingsMember, officer.member_id).person_id) is not None
        }


class _Firing:
    def __init__(self, tick: SavingsTick, session: Session, now: datetime, batch, members):
        self.content, self.session, self.now = tick.content, session, now
        self.batch, self.members = batch, members
        self._boxes: dict[int, object] = {}

    def done(self, row, status: str = "done", note: str | None = None) -> None:
        row.status, row.note = status, note
        if status == "done":
            row.fired_at = self.now

    def row(self, row: SavingsTask) -> None:
        group = self.session.get(SavingsGroup, row.group_id)
        if group is None or group.status != "active":
            return self.done(row, "cancelled", "group closed")
        if row.kind == "report":
            return self._report(row, group)
        if row.kind == "health":
            alert = health.check(self.session, group, self.content, self.now)
            return self.done(row, note=f"alert {alert.id}" if alert else None)
        member = self.members.get(row.member_id)
        if member is None or member.status != "active" or member.person_id is None:
            return self.done(row, "cancelled", "member gone")
        stale = self._stale(row, group)
        if stale:
            return self.done(row, "cancelled", stale)
        person = self.batch.people.get(member.person_id)
        contact = self.batch.contact(member.person_id) if person is not None else None
        reason = None if person is None else why_not(person, self.batch.consents.get(person.id, {}))
        if person is None or contact is None or reason:
            return self.done(row, "cancelled", (reason or "no contact")[:120])
        timezone = timezone_of(person, self.content)
        conversation = self.batch.conversations[person.id]
        later = hold_until(self.batch.cap, conversation, person.id, timezone, self.now)
        if later is not None:
            if self._deadline(row) is not None and later >= self._deadline(row):
                return self.done(row, "skipped", "no time to send before it was due")
            row.status, row.due_at = "waiting", later
            return None
        message = self._message(row, group, member, person, contact.channel, timezone)
        self.batch.cap.note(person.id, self.now)
        enqueue_all(self.session, _Person(person), contact, (message,), self.now, initiated=True)
        return self.done(row)

    # -- what is no longer to do ------------------------------------------------------------

    def _stale(self, row, group) -> str | None:
        if row.kind in ("before", "morning"):
            meeting = self.session.get(SavingsMeeting, row.meeting_id)
            if meeting is None or meeting.status != "scheduled" or meeting.starts_at <= self.now:
                return "meeting not ahead"
            return None
        if row.kind in ("repay_before", "repay_day"):
            state = self._loan(group, row.loan_id)
            if state is None or row.instalment > len(state.instalments):
                return "no loan"
            if state.covered_on[row.instalment - 1] is not None:
                return "paid"
        if row.kind == "share_out" and group.cycle != int(row.key.split(":")[3]):
            return "cycle over"
        return None

    def _deadline(self, row) -> datetime | None:
        if row.kind in ("before", "morning") and row.meeting_id:
            meeting = self.session.get(SavingsMeeting, row.meeting_id)
            return meeting.starts_at if meeting else None
        return None

    def _box(self, group):
        """The group's box as it stands today, read once per batch."""
        if group.id not in self._boxes:
            today = today_in(self.content, self.now)
            self._boxes[group.id] = box_of(self.session, group, until=today)
        return self._boxes[group.id]

    def _loan(self, group, loan_id):
        return self._box(group).loans.get(_standing(self.session, loan_id))

    # -- what they get ---------------------------------------------------------------------

    def _message(self, row, group, member, person, channel, timezone) -> Message:
        content = self.content
        language = spoken_language(person.language, content)
        detailed = shows_details(member.details, channel)
        c = constitution_of(group, content)
        decimals = content.savings.decimals(c.currency)

        def money(minor: int) -> str:
            return format_amount(minor, c.currency, decimals)

        values: dict = {}
        if row.kind in ("before", "morning"):
            meeting = self.session.get(SavingsMeeting, row.meeting_id)
            values = {"when": local_when(content, language, meeting.starts_at, timezone),
                      "time": local_time(meeting.starts_at, timezone), "share": money(c.share_value),
                      "min": c.min_shares, "max": c.max_shares, "social": money(c.social_fund)}  # fmt: skip
        elif row.kind in ("repay_before", "repay_day"):
            state = self._loan(group, row.loan_id)
            instalment = state.instalments[row.instalment - 1]
            values = {"date": day_label(content, language, instalment.due_on),
                      "amount": money(state.left_on(instalment))}  # fmt: skip
        elif row.kind == "share_out":
            days = int(row.key.rsplit(":", 2)[-2])
            box = self._box(group)
            values = {"days": days, "date": day_label(content, language, c.share_out_on),
                      "savings": money(box.savings.get(member.id, 0))}  # fmt: skip
        key = savings_key(row.kind, detailed)
        return Message(content.catalog.text(language, key, channel, **values), (), key)

    def _report(self, row, group) -> None:
        """The meeting's record asked of its treasurer and secretary, in the chat (only of
        those who see amounts; the others' facilitator enters it in the admin)."""
        meeting = self.session.get(SavingsMeeting, row.meeting_id)
        if meeting is None or meeting.status != "scheduled" or meeting.recorded_at is not None:
            return self.done(row, "cancelled", "recorded or cancelled")
        asked, busy_now = 0, 0
        for office, officer in sorted(current_officers(self.session, group.id).items()):
            if office not in RECORDERS:
                continue
            member = self.session.get(SavingsMember, officer.member_id)
            if member.person_id is None or member.status != "active":
                continue
            said = self._ask_officer(group, meeting, member)
            asked += said is True
            busy_now += said is None
        if not asked and busy_now and self.now < meeting.starts_at + REPORT_TRIES_FOR:
            # Busy with another conversation: asked again a little later.
            row.status, row.due_at = "waiting", self.now + WAIT_BEHIND_CONVERSATION
            return None
        return self.done(row, note=f"asked {asked}")

    def _ask_officer(self, group, meeting, member) -> bool | None:
        """Whether the officer was asked (None: not now, they are in a conversation)."""
        person = self.batch.people.get(member.person_id)
        contact = self.batch.contact(member.person_id) if person is not None else None
        if person is None or contact is None:
            return False
        if why_not(person, self.batch.consents.get(person.id, {})) is not None:
            return False
        if not shows_details(member.details, contact.channel):
            return False
        row = self.session.get(Conversation, self.batch.conversations[person.id].id)
        if busy(row, self.now, HOLDING_FLOWS):
            return None
        content = self.content
        language = spoken_language(person.language, content)
        timezone = timezone_of(person, content)
        c = constitution_of(group, content)
        members = [m for m in members_of(self.session, group.id, active_only=True)]
        names = {
            p.id: (p.display_name or "").split()[0] if p.display_name else None
            for p in self.session.scalars(
                select(Person).where(Person.id.in_([m.person_id for m in members if m.person_id]))
            )
        }
        listed = [(m.id, names.get(m.person_id) or f"#{m.number}") for m in members]
        box = box_of(self.session, group)
        snap = snapshot(
            content, person, contact, row, self.now, self.batch.consents.get(person.id, {})
        )
        result: Result = report.start(
            snap, content, group_id=group.id, meeting_id=meeting.id,
            when=local_when(content, language, meeting.starts_at, timezone), members=listed,
            constitution=c, decimals=content.savings.decimals(c.currency),
            position=Position.of(box, [m.id for m in members]),
            until=self.now + timedelta(days=REPORT_DAYS),
        )  # fmt: skip
        row.flow, row.step = result.conversation.flow, result.conversation.step
        row.state, row.updated_at = dict(result.conversation.data), self.now
        enqueue_all(
            self.session, _Person(person), contact, result.messages, self.now, initiated=True
        )
        self.batch.cap.note(person.id, self.now)
        return True


class _Person:
    """A batch's person record where the outbox wants a person (its id and language)."""

    def __init__(self, record):
        self.id, self.language = record.id, record.language


def _standing(session: Session, loan_id: int) -> int:
    """The loan as it now stands: the last correction of the loan entry."""
    seen = {loan_id}
    while True:
        newer = session.scalar(select(SavingsEntry.id).where(SavingsEntry.corrects_id == loan_id))
        if newer is None or newer in seen:
            return loan_id
        seen.add(newer)
        loan_id = newer

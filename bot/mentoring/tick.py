"""The mentoring tick: claims due mentoring rows (shared scheduling: SKIP LOCKED claims, the
daytime window, quiet hours, the daily cap over every programme message, never in the
middle of a conversation) and does them: a pairing offer sent, an answer's time run out."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.casework.alerts import raise_alert
from bot.db import transaction
from bot.mentoring import pairing
from bot.models import MentoringTask, MentorMatch, Person
from bot.people.consents import consents_of
from bot.people.contacts import conversation_for, preferred_contact
from bot.people.local_time import timezone_of
from bot.people.reach import why_not
from bot.runtime.effects import EffectRegistry
from bot.runtime.handle import apply_result, step_context
from bot.runtime.snapshot import snapshot
from bot.scheduling.claim import claim_due
from bot.scheduling.pacing import DailyCap, hold_until
from bot.timeutil import Clock
from flows.content import Content
from flows.context import say
from flows.mentoring import pairing as pairing_flow
from flows.mentoring import pulse as pulse_flow
from flows.types import Result

log = logging.getLogger(__name__)

TO_DO = ("pending", "waiting")
# A follow-up survey in progress holds mentoring messages back until it ends (it has its own
# expiry). Any other conversation, a pairing or pulse question among them, holds them for
# pacing's BUSY_FOR only: an unanswered pulse must not hold back every later one.
RETRY_AFTER = timedelta(hours=1)
# A pairing message cannot reach this person: as a decline, so the next mentor is found.
UNREACHABLE = "unreachable"


class MentoringTick:
    def __init__(
        self,
        engine: Engine,
        content: Content,
        clock: Clock,
        effects: EffectRegistry,
        batch: int = 100,
    ):
        self.engine = engine
        self.content = content
        self.clock = clock
        self.effects = effects
        self.batch = batch

    def tick(self) -> int:
        """Does every due row (in batches, one transaction each); returns how many."""
        done = 0
        while True:
            now = self.clock()
            with transaction(self.engine) as session:
                rows = claim_due(
                    session,
                    MentoringTask,
                    MentoringTask.status.in_(TO_DO),
                    MentoringTask.due_at <= now,
                    batch=self.batch,
                )
                for task in rows:
                    try:
                        with session.begin_nested():
                            self._do(session, task, now)
                    except Exception:  # noqa: BLE001 - one bad row must not hold back the rest
                        log.exception("mentoring task %s failed; trying again later", task.id)
                        task.due_at, task.note = now + RETRY_AFTER, "failed; retried"
            done += len(rows)
            if len(rows) < self.batch:
                return done

    def _do(self, session, task: MentoringTask, now: datetime) -> None:
        if task.kind == "refresher":
            self._refresher(session, task, now)
            return
        match = session.get(MentorMatch, task.match_id)
        if task.kind == "answer_due":
            pairing.expire(session, self.content, match, task.role, now)
            task.status, task.fired_at = "done", now
        elif task.kind == "offer":
            self._offer(session, task, match, now)
        elif task.kind in pulse_flow.KINDS:
            self._pulse(session, task, match, now)
        elif task.kind == "cycle_end":
            # The mentee never said what next for this cycle: it closes, kindly and quietly.
            if match.status == "active" and not pairing.chose_next(session, match, _month(task)):
                pairing.end_cycle(session, self.content, match, "close", now)
            task.status, task.fired_at = "done", now
        else:
            raise ValueError(f"unknown mentoring task kind {task.kind!r}")

    def _offer(self, session, task: MentoringTask, match: MentorMatch, now: datetime) -> None:
        if pairing.WAITING_FOR.get(match.status) != task.role:
            task.status, task.note = "cancelled", f"match {match.status}"
            return
        until = pairing.answer_by(self.content, now)

        def start(snap, person, contact, other, language):
            return pairing_flow.offer(
                snap,
                self.content,
                match_id=match.id,
                role=task.role,
                name=pairing.first_name(other, self.content, language),
                area=pairing.area_name(other, self.content, language),
                reach=_reach(contact),
                until=until,
            )

        sent = self._send(session, task, match, now, start)
        if sent is None:
            # Nobody can be written to: as a decline, so the next mentor is found.
            pairing.answered(session, self.content, match, task.role, False, None, now)
            match.declined_by = UNREACHABLE
            return
        if not sent:
            return
        if task.role == "mentor":
            match.offered_at = now
        match.answer_due_at, match.updated_at = until, now
        session.add(
            MentoringTask(
                key=f"answer_due:{match.id}:{task.role}",
                kind="answer_due",
                match_id=match.id,
                role=task.role,
                person_id=task.person_id,
                due_at=until,
                created_at=now,
            )
        )

    def _pulse(self, session, task: MentoringTask, match: MentorMatch, now: datetime) -> None:
        if match.status != "active":
            task.status, task.note = "cancelled", f"match {match.status}"
            return

        def start(snap, person, contact, other, language):
            return pulse_flow.start(
                snap,
                self.content,
                match_id=match.id,
                kind=task.kind,
                role=task.role,
                month=_month(task),
                name=pairing.first_name(other, self.content, language),
            )

        self._send(session, task, match, now, start)

    def _refresher(self, session, task: MentoringTask, now: datetime) -> None:
        """The mentor hears their refresher is due; their facilitator gets a low alert."""
        person = session.get(Person, task.person_id)
        day = task.note or ""
        if task.status == "pending":  # the first try: a row held back comes back "waiting"
            raise_alert(
                session,
                person,
                "mentor_refresher_due",
                "low",
                f"refresher due {day}",
                now,
                self.content.programme,
                while_open=True,
            )

        def start(snap, person, contact, other, language):
            text = say(snap, self.content, "mentoring.refresher", day=day)
            return Result(snap.conversation, (text,))

        self._send(session, task, None, now, start)

    def _send(self, session, task: MentoringTask, match: MentorMatch | None, now: datetime, start):
        """Starts the task's flow on the recipient's conversation when a programme message
        may go to them now: True when sent, False when held back (the row waits), None when
        they cannot be written to (the row is cancelled)."""
        person = session.get(Person, task.person_id)
        consents = consents_of(session, person.id)
        contact = preferred_contact(session, person.id)
        reason = why_not(person, consents) or (None if contact is not None else "no contact")
        if reason is not None:
            task.status, task.note = "cancelled", reason[:120]
            return None
        cap = DailyCap.load(session, self.content.delivery, [person.id], now)
        conversation = conversation_for(session, person.id, lock=True)
        later = hold_until(cap, conversation, person.id, timezone_of(person, self.content), now)
        if later is not None:
            task.status, task.due_at = "waiting", later
            return False
        other = (
            session.get(Person, pairing.recipient(session, match, _other(task.role)))
            if match is not None
            else None
        )
        language = person.language or self.content.default_language
        snap = snapshot(self.content, person, contact, conversation, now, consents)
        result = start(snap, person, contact, other, language)
        context = step_context(session, person, contact, conversation, self.content, now)
        apply_result(context, result, self.effects, initiated=True)
        task.status, task.fired_at = "done", now
        return True


def _month(task: MentoringTask) -> int:
    return int(task.key.rsplit(":", 1)[1])


def _other(role: str) -> str:
    return "mentee" if role == "mentor" else "mentor"


def _reach(contact) -> str:
    """What a yes will share: the number we write to on SMS, the Telegram name if they have
    one; otherwise they type the number to share."""
    if contact.channel == "sms":
        return "phone"
    if contact.channel == "telegram" and contact.handle:
        return "telegram"
    return "ask"

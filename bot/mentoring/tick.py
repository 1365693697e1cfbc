"""The mentoring tick: claims due mentoring rows (shared scheduling: SKIP LOCKED claims, the
daytime window, quiet hours, the daily cap over every programme message, never in the
middle of a conversation) and does them: a pairing offer sent, an answer's time run out."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

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
from bot.scheduling.pacing import DailyCap, busy
from bot.timeutil import Clock
from flows.content import Content
from flows.followup import flow as followup
from flows.mentoring import pairing as pairing_flow

log = logging.getLogger(__name__)

TO_DO = ("pending", "waiting")
# A survey or another pairing question in progress holds an offer back until it ends.
HOLDING_FLOWS = (followup.NAME, pairing_flow.NAME)
WAIT_BEHIND_CONVERSATION = timedelta(minutes=30)
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
                    with session.begin_nested():
                        self._do(session, task, now)
            done += len(rows)
            if len(rows) < self.batch:
                return done

    def _do(self, session, task: MentoringTask, now: datetime) -> None:
        match = session.get(MentorMatch, task.match_id)
        if task.kind == "answer_due":
            pairing.expire(session, self.content, match, task.role, now)
            task.status, task.fired_at = "done", now
        elif task.kind == "offer":
            self._offer(session, task, match, now)
        else:
            raise ValueError(f"unknown mentoring task kind {task.kind!r}")

    def _offer(self, session, task: MentoringTask, match: MentorMatch, now: datetime) -> None:
        if pairing.WAITING_FOR.get(match.status) != task.role:
            task.status, task.note = "cancelled", f"match {match.status}"
            return
        person = session.get(Person, task.person_id)
        consents = consents_of(session, person.id)
        contact = preferred_contact(session, person.id)
        reason = why_not(person, consents) or (None if contact is not None else "no contact")
        if reason is not None:
            task.status, task.note = "cancelled", reason[:120]
            pairing.answered(session, self.content, match, task.role, False, None, now)
            match.declined_by = UNREACHABLE
            return
        later = DailyCap.load(session, self.content.delivery, [person.id], now).hold_until(
            person.id, timezone_of(person, self.content), now
        )
        conversation = conversation_for(session, person.id, lock=True)
        if later is None and busy(conversation, now, HOLDING_FLOWS):
            later = now + WAIT_BEHIND_CONVERSATION
        if later is not None:
            task.status, task.due_at = "waiting", later
            return
        other = session.get(Person, pairing.recipient(session, match, _other(task.role)))
        language = person.language or self.content.default_language
        until = pairing.answer_by(self.content, now)
        snap = snapshot(self.content, person, contact, conversation, now, consents)
        result = pairing_flow.offer(
            snap,
            self.content,
            match_id=match.id,
            role=task.role,
            name=pairing.first_name(other, self.content, language),
            area=pairing.area_name(other, self.content, language),
            reach=_reach(contact),
            until=until,
        )
        context = step_context(session, person, contact, conversation, self.content, now)
        apply_result(context, result, self.effects, initiated=True)
        if task.role == "mentor":
            match.offered_at = now
        match.answer_due_at, match.updated_at = until, now
        task.status, task.fired_at = "done", now
        session.add(
            MentoringTask(
                key=f"answer_due:{match.id}:{task.role}",
                kind="answer_due",
                match_id=match.id,
                role=task.role,
                person_id=person.id,
                due_at=until,
                created_at=now,
            )
        )


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

"""Handlers of the savings effects: BALANCE (the member's own statement), the choice to see
amounts, and an officer's confirmed record of a meeting."""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.messaging.outbox import enqueue_all
from bot.models import SavingsGroup, SavingsMeeting, SavingsMember
from bot.people.consents import consents_of
from bot.people.local_time import local_today
from bot.runtime.effects import EffectContext, EffectRegistry
from bot.runtime.snapshot import snapshot
from bot.savings import book, health, receipts
from bot.savings.errors import SavingsError
from bot.savings.registry import offices_of
from bot.savings.standing import memberships, standing_of
from flows.context import say
from flows.savings import balance
from flows.savings.constitution import RECORDERS
from flows.savings.effects import ChooseDetails, RecordSavingsMeeting, ShowStatement
from flows.savings.recording import MeetingReport

log = logging.getLogger(__name__)


def register(effects: EffectRegistry) -> None:
    effects.add(ShowStatement, _show_statement)
    effects.add(ChooseDetails, _choose_details)
    effects.add(RecordSavingsMeeting, _record_meeting)


def _snap(ctx: EffectContext):
    consents = consents_of(ctx.session, ctx.person.id)
    return snapshot(ctx.content, ctx.person, ctx.contact, ctx.conversation, ctx.now, consents)


def _show_statement(ctx: EffectContext, effect: ShowStatement) -> None:
    today = local_today(ctx.person, ctx.content, ctx.now)
    groups = standing_of(ctx.session, ctx.person.id, ctx.content, today)
    result = balance.answer(_snap(ctx), ctx.content, groups, today)
    conversation = ctx.conversation
    conversation.flow = result.conversation.flow
    conversation.step = result.conversation.step
    conversation.state = dict(result.conversation.data)
    enqueue_all(ctx.session, ctx.person, ctx.contact, result.messages, ctx.now)


def _choose_details(ctx: EffectContext, effect: ChooseDetails) -> None:
    for member, _group in memberships(ctx.session, ctx.person.id):
        member.details = effect.show
    if effect.show and effect.then_statement:
        today = local_today(ctx.person, ctx.content, ctx.now)
        groups = standing_of(ctx.session, ctx.person.id, ctx.content, today)
        messages = balance.shown(_snap(ctx), ctx.content, groups, today)
        enqueue_all(ctx.session, ctx.person, ctx.contact, messages, ctx.now)


def _record_meeting(ctx: EffectContext, effect: RecordSavingsMeeting) -> None:
    """Only the group's treasurer or secretary may record; a record the ledger refuses now
    (another officer recorded it first) is answered, not kept."""
    session: Session = ctx.session
    group = session.get(SavingsGroup, effect.group_id, with_for_update=True)
    meeting = session.get(SavingsMeeting, effect.meeting_id)
    officer = _recorder(session, group, ctx.person.id) if group is not None else None
    if group is None or meeting is None or officer is None:
        log.info("savings record from someone who is not a recording officer ignored")
        return
    try:
        with session.begin_nested():
            book.record_meeting(
                session, group, meeting, MeetingReport.from_dict(effect.report), ctx.content,
                ctx.now, actor=f"person:{ctx.person.id}",
            )  # fmt: skip
    except SavingsError as error:
        key = (
            "savings.detail.report.already"
            if error.key == "savings.error.recorded"
            else ("savings.detail.report.failed")
        )
        enqueue_all(session, ctx.person, ctx.contact, (say(_snap(ctx), ctx.content, key),), ctx.now)
        return
    receipts.send(session, group, meeting, ctx.content, ctx.now)
    health.check(session, group, ctx.content, ctx.now)


def _recorder(session: Session, group: SavingsGroup, person_id: int) -> SavingsMember | None:
    for member, g in memberships(session, person_id):
        if g.id == group.id and offices_of(session, member.id) & set(RECORDERS):
            return member
    return None

"""Handlers of the peer-group effects."""

from __future__ import annotations

from sqlalchemy import select

from bot.audit import PERSON
from bot.casework.handoff import current_assignee
from bot.groups import attendance, forming, lifecycle, polls
from bot.models import GroupMeeting, GroupMember, PeerGroup
from bot.runtime.effects import EffectContext, EffectRegistry
from flows.groups.effects import (
    AnswerInvitation,
    AnswerPoll,
    AnswerRsvp,
    AnswerVote,
    AskToJoinGroup,
    RecordAttendance,
    RecordMeetingPulse,
    ReplyToGroup,
)

GROUP_REPLY = "group_reply"


def register(effects: EffectRegistry) -> None:
    effects.add(AnswerInvitation, _answer_invitation)
    effects.add(AnswerPoll, _answer_poll)
    effects.add(AnswerRsvp, _answer_rsvp)
    effects.add(RecordMeetingPulse, _record_pulse)
    effects.add(AnswerVote, _answer_vote)
    effects.add(RecordAttendance, _record_attendance)
    effects.add(ReplyToGroup, _reply_to_group)
    effects.add(AskToJoinGroup, _ask_to_join)


def _answer_invitation(ctx: EffectContext, effect: AnswerInvitation) -> None:
    member = ctx.session.scalar(
        select(GroupMember)
        .where(GroupMember.group_id == effect.group_id, GroupMember.person_id == ctx.person.id)
        .with_for_update()
    )
    if member is not None:
        forming.answer_invitation(
            ctx.session, member, effect.joined, ctx.content, ctx.now, actor=PERSON
        )


def _answer_poll(ctx: EffectContext, effect: AnswerPoll) -> None:
    polls.record_answers(
        ctx.session, effect.group_id, effect.poll, ctx.person.id, effect.answers, ctx.now
    )


def _answer_rsvp(ctx: EffectContext, effect: AnswerRsvp) -> None:
    attendance.record_rsvp(ctx.session, effect.meeting_id, ctx.person.id, effect.coming, ctx.now)


def _record_pulse(ctx: EffectContext, effect: RecordMeetingPulse) -> None:
    attendance.record_pulse(ctx.session, effect.meeting_id, ctx.person.id, effect.helpful)


def _answer_vote(ctx: EffectContext, effect: AnswerVote) -> None:
    lifecycle.record_vote(ctx.session, effect.group_id, ctx.person.id, effect.keep_meeting, ctx.now)


def _record_attendance(ctx: EffectContext, effect: RecordAttendance) -> None:
    """Only the group's own facilitator may tick who came."""
    meeting = ctx.session.get(GroupMeeting, effect.meeting_id)
    if meeting is None:
        return
    group = ctx.session.get(PeerGroup, meeting.group_id, with_for_update=True)
    if group.facilitator_person_id != ctx.person.id:
        return
    attendance.record_attendance(
        ctx.session,
        group,
        meeting,
        effect.present,
        ctx.content,
        ctx.now,
        actor=f"person:{ctx.person.id}",
    )


def _reply_to_group(ctx: EffectContext, effect: ReplyToGroup) -> None:
    """The message goes to the inbox, assigned to the group's staff facilitator."""
    if ctx.inbound is None or ctx.inbound.handoff == "possible_distress":
        return
    group = ctx.session.get(PeerGroup, effect.group_id)
    ctx.inbound.handoff = GROUP_REPLY
    owner = group.facilitator_id if group is not None else None
    ctx.inbound.assigned_to = owner or current_assignee(ctx.session, ctx.person.id)


def _ask_to_join(ctx: EffectContext, effect: AskToJoinGroup) -> None:
    forming.ask_to_join(ctx.session, ctx.person, ctx.now, actor=PERSON)

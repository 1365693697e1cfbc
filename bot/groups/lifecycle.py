"""After the first series: members vote whether to keep meeting; more yes than no and the
group goes on (follow-up sessions, within a year of the first meeting), else it ends. It ends
at the latest a year after its first meeting. Members are told either way."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from bot.audit import audit
from bot.groups.meetings import joined, series_over
from bot.groups.tasks import add_tasks, cancel_tasks
from bot.models import GroupMeeting, GroupMember, PeerGroup
from bot.models.groups import JOINED
from flows.content import Content


def after_meeting(
    session: Session, group: PeerGroup, meeting: GroupMeeting, content: Content, now: datetime
):
    """A meeting's time is over: after the series' last, the vote opens."""
    if (
        meeting.status == "cancelled"
        or group.status != "active"
        or group.vote_open_until is not None
    ):
        return
    if not series_over(session, group, meeting):
        return
    until = now + timedelta(days=content.groups.poll_days)
    group.vote_open_until, group.updated_at = until, now
    session.execute(
        update(GroupMember)
        .where(GroupMember.group_id == group.id, GroupMember.status == JOINED)
        .values(vote=None)
    )
    # The question is the whole group's row (every member who joined is asked).
    add_tasks(
        session,
        [{"key": f"vote:{group.id}:all", "kind": "vote", "group_id": group.id, "due_at": now},
         {"key": f"vote_close:{group.id}", "kind": "vote_close", "group_id": group.id,
          "due_at": until}],
        now,
    )  # fmt: skip
    audit(session, "system", "group.vote_opened", None, now, group=group.id)


def record_vote(session: Session, group_id: int, person_id: int, keep: bool, now: datetime) -> None:
    group = session.get(PeerGroup, group_id)
    if group is None or group.vote_open_until is None or group.vote_open_until <= now:
        return
    member = session.scalar(
        select(GroupMember).where(
            GroupMember.group_id == group_id,
            GroupMember.person_id == person_id,
            GroupMember.status == JOINED,
        )
    )
    if member is not None:
        member.vote = keep


def close_vote(session: Session, group: PeerGroup, now: datetime) -> str:
    """More yes than no: the group continues; else it ends."""
    votes = [m.vote for m in joined(session, group.id)]
    keep, stop = votes.count(True), votes.count(False)
    if group.status != "active":
        return group.outcome or group.status
    if keep > stop:
        group.outcome, group.updated_at = "continued", now
        _tell_group(session, group, "continues", now)
        audit(session, "system", "group.continued", None, now, group=group.id, keep=keep, stop=stop)
        return "continued"
    end(session, group, "stopped", now, actor="system")
    return "stopped"


def end(session: Session, group: PeerGroup, outcome: str, now: datetime, *, actor: str) -> None:
    """The group ends: what was still to come is cancelled, members are thanked."""
    if group.status == "ended":
        return
    cancel_tasks(session, f"group {outcome}", group_id=group.id)
    for meeting in session.scalars(
        select(GroupMeeting).where(
            GroupMeeting.group_id == group.id,
            GroupMeeting.status == "scheduled",
            GroupMeeting.starts_at > now,
        )
    ):
        meeting.status, meeting.updated_at = "cancelled", now
    group.status, group.outcome, group.ended_at, group.updated_at = "ended", outcome, now, now
    _tell_group(session, group, "ended", now)
    audit(session, actor, "group.ended", None, now, group=group.id, outcome=outcome)


def _tell_group(session: Session, group: PeerGroup, kind: str, now: datetime) -> None:
    """The whole group's row: every member who joined is told when it falls due."""
    add_tasks(
        session, [{"key": f"{kind}:{group.id}:all", "kind": kind, "group_id": group.id,
                   "due_at": now}], now,
    )  # fmt: skip

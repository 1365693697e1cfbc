"""Erasing a person from the peer groups: their memberships, requests and poll answers
deleted, their due rows cancelled and unlinked; their attendance rows stay with no person,
so a meeting's counts do not change; a group they led as a trained returnee loses the link."""

from __future__ import annotations

from sqlalchemy import delete, update

from bot.casework.erasure import Eraser, ErasureContext
from bot.groups.tasks import TO_DO
from bot.models import (
    GroupMember,
    GroupRequest,
    GroupTask,
    MeetingAttendance,
    PeerGroup,
    SlotAnswer,
)


def _erase_groups(ctx: ErasureContext) -> None:
    session, pid = ctx.session, ctx.person_id
    session.execute(
        update(GroupTask)
        .where(GroupTask.person_id == pid, GroupTask.status.in_(TO_DO))
        .values(status="cancelled")
    )
    session.execute(
        update(GroupTask).where(GroupTask.person_id == pid).values(person_id=None, note=None)
    )
    session.execute(
        update(MeetingAttendance).where(MeetingAttendance.person_id == pid).values(person_id=None)
    )
    session.execute(delete(SlotAnswer).where(SlotAnswer.person_id == pid))
    session.execute(delete(GroupMember).where(GroupMember.person_id == pid))
    session.execute(delete(GroupRequest).where(GroupRequest.person_id == pid))
    session.execute(
        update(PeerGroup)
        .where(PeerGroup.facilitator_person_id == pid)
        .values(facilitator_person_id=None, updated_at=ctx.now)
    )


ERASERS = (
    Eraser(
        "groups",
        frozenset(
            {
                ("group_member", "person_id"),
                ("group_request", "person_id"),
                ("slot_answer", "person_id"),
                ("meeting_attendance", "person_id"),
                ("group_task", "person_id"),
                ("peer_group", "facilitator_person_id"),
                # Rows of groups and meetings, which a person's rows point into: they stay
                # (a meeting's counts), the person's own rows above are what is erased.
                ("group_meeting", "group_id"),
                ("group_member", "group_id"),
                ("group_slot", "group_id"),
                ("group_task", "group_id"),
                ("group_task", "meeting_id"),
                ("meeting_attendance", "meeting_id"),
                ("slot_answer", "slot_id"),
            }
        ),
        _erase_groups,
    ),
)

"""Erasing a member: their memberships, requests and poll answers go, their due rows are
cancelled, and the meetings' attendance counts stay, with no person attached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.casework.erasure import erase_person
from bot.db import transaction
from bot.groups import attendance, polls
from bot.models import (
    GroupMeeting,
    GroupMember,
    GroupRequest,
    GroupTask,
    MeetingAttendance,
    PeerGroup,
    Person,
    SlotAnswer,
)
from tests.bot.groups import helpers as g
from tests.builders import add_person

TIMES = [datetime(2026, 12, 1, 17, tzinfo=UTC), datetime(2026, 12, 3, 10, tzinfo=UTC)]


async def test_an_erased_member_leaves_counts_but_nothing_of_theirs(stack):
    awa, fatou = add_person(stack, "Awa"), add_person(stack, "Fatou")
    gid = g.create_group(stack)
    for person in (awa, fatou):
        g.invite(stack, gid, person)
    with transaction(stack.engine) as session:
        for member in session.exec(select(GroupMember)):
            member.status = "joined"
        session.add(GroupRequest(person_id=awa, requested_at=stack.clock()))
    poll = g.open_poll(stack, gid, TIMES)
    with transaction(stack.engine) as session:
        polls.record_answers(session, gid, poll, awa, {1: "yes", 2: "no"}, stack.clock())
    g.approve(stack, gid)
    g.add_meeting(stack, gid, TIMES[0])
    stack.clock.now = TIMES[0] + timedelta(hours=2)
    with transaction(stack.engine) as session:
        meeting = session.exec(select(GroupMeeting)).one()
        attendance.record_attendance(
            session, session.get(PeerGroup, gid), meeting, [awa, fatou], stack.services.content,
            stack.clock(), actor="staff:1",
        )  # fmt: skip
    with transaction(stack.engine) as session:
        erase_person(
            session, session.get(Person, awa), stack.services.content, "staff:1", stack.clock(),
            stack.services.erasers,
        )  # fmt: skip
    with transaction(stack.engine) as session:
        assert [m.person_id for m in session.exec(select(GroupMember))] == [fatou]
        assert session.exec(select(GroupRequest)).all() == []
        assert session.exec(select(SlotAnswer).where(SlotAnswer.person_id == awa)).all() == []
        records = session.exec(select(MeetingAttendance)).all()
        assert sorted((r.person_id or 0, r.attended) for r in records) == [(0, True), (fatou, True)]
        assert session.exec(select(GroupTask).where(GroupTask.person_id == awa)).all() == []

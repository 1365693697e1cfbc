"""A peer group as tests build it: staff create it and invite people, members answer."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.db import transaction
from bot.groups import forming, polls
from bot.groups import meetings as group_meetings
from bot.models import GroupMeeting, GroupMember, GroupTask, PeerGroup, Person

STAFF = "staff:1"


def create_group(stack, name: str = "Thursday circle", **fields) -> int:
    values = forming.GroupValues(
        name=name,
        district=fields.pop("district", "central"),
        language=fields.pop("language", "en"),
        venues=tuple(fields.pop("venues", ("the community hall",))),
        series_meetings=fields.pop("series_meetings", 4),
        **fields,
    )
    with transaction(stack.engine) as session:
        group = forming.create(
            session, values, stack.services.content, stack.clock(), actor=STAFF, by=None
        )
        return group.id


def invite(stack, group_id: int, person_id: int, override: str | None = None) -> None:
    with transaction(stack.engine) as session:
        forming.invite(
            session,
            session.get(PeerGroup, group_id),
            session.get(Person, person_id),
            stack.services.content,
            stack.clock(),
            actor=STAFF,
            by=None,
            override=override,
        )


def approve(stack, group_id: int, leader: str = "Chief Ndiaye") -> None:
    with transaction(stack.engine) as session:
        forming.record_approval(
            session, session.get(PeerGroup, group_id), leader, stack.clock().date(), stack.clock(),
            actor=STAFF, by=None,
        )  # fmt: skip


def open_poll(stack, group_id: int, times: list[datetime]) -> int:
    with transaction(stack.engine) as session:
        return polls.open_poll(
            session, session.get(PeerGroup, group_id), [(t, None) for t in times],
            stack.services.content, stack.clock(), actor=STAFF,
        )  # fmt: skip


def tally(stack, group_id: int):
    with transaction(stack.engine) as session:
        return polls.view(session, group_id, stack.clock())


def confirm(stack, group_id: int, position: int, count: int | None = None) -> list[int]:
    with transaction(stack.engine) as session:
        return polls.confirm(
            session, session.get(PeerGroup, group_id), position, stack.services.content,
            stack.clock(), actor=STAFF, meetings_count=count,
        )  # fmt: skip


def add_meeting(stack, group_id: int, starts_at: datetime) -> int:
    """A meeting added by staff (at the group's usual venue); its id."""
    with transaction(stack.engine) as session:
        return group_meetings.add_meeting(
            session, session.get(PeerGroup, group_id), starts_at, None, stack.services.content,
            stack.clock(), actor=STAFF,
        ).id  # fmt: skip


def members(stack, group_id: int) -> dict[int, str]:
    with transaction(stack.engine) as session:
        rows = session.exec(select(GroupMember).where(GroupMember.group_id == group_id)).all()
        return {m.person_id: m.status for m in rows}


def member(stack, group_id: int, person_id: int) -> GroupMember:
    with transaction(stack.engine) as session:
        row = session.exec(
            select(GroupMember).where(
                GroupMember.group_id == group_id, GroupMember.person_id == person_id
            )
        ).one()
        session.expunge(row)
        return row


def group(stack, group_id: int) -> PeerGroup:
    with transaction(stack.engine) as session:
        row = session.get(PeerGroup, group_id)
        session.expunge(row)
        return row


def meetings(stack, group_id: int) -> list[GroupMeeting]:
    with transaction(stack.engine) as session:
        rows = session.exec(
            select(GroupMeeting)
            .where(GroupMeeting.group_id == group_id)
            .order_by(GroupMeeting.number)
        ).all()
        session.expunge_all()
        return list(rows)


def tasks(stack, kind: str | None = None) -> list[GroupTask]:
    with transaction(stack.engine) as session:
        query = select(GroupTask).order_by(GroupTask.id)
        if kind is not None:
            query = query.where(GroupTask.kind == kind)
        rows = session.exec(query).all()
        session.expunge_all()
        return list(rows)

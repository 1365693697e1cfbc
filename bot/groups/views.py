"""What the admin shows of groups, read in a few queries: the list, a group's page
(members, approval, the poll's tally, the meeting calendar with RSVPs, attendance and pulse
results), a person's groups, and the dashboard's group activity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlmodel import Session

from bot.groups import polls
from bot.models import GroupMeeting, GroupMember, MeetingAttendance, PeerGroup, Person, Staff
from bot.models.groups import JOINED
from flows.content import Content


@dataclass(frozen=True)
class GroupRow:
    group: PeerGroup
    joined: int
    invited: int
    next_meeting: datetime | None
    facilitator: str | None


@dataclass(frozen=True)
class MemberRow:
    member: GroupMember
    name: str | None
    district: str | None
    attended: int
    missed: int


@dataclass(frozen=True)
class MeetingRow:
    meeting: GroupMeeting
    coming: int = 0
    cant: int = 0
    attended: int = 0
    absent: int = 0
    helpful: int = 0
    not_helpful: int = 0
    present: frozenset[int] = field(default_factory=frozenset)  # person ids marked there


@dataclass(frozen=True)
class GroupPage:
    group: PeerGroup
    members: list[MemberRow]
    meetings: list[MeetingRow]
    poll: polls.PollView | None
    size_warnings: tuple[str, ...]
    votes: dict[str, int]
    facilitator: str | None
    facilitator_person: str | None


def groups_list(session: Session, condition, now: datetime) -> list[GroupRow]:
    groups = session.scalars(
        select(PeerGroup).where(condition).order_by(PeerGroup.status != "forming", PeerGroup.name)
    ).all()
    ids = [g.id for g in groups]
    counts = {
        (gid, status): n
        for gid, status, n in session.execute(
            select(GroupMember.group_id, GroupMember.status, func.count())
            .where(GroupMember.group_id.in_(ids))
            .group_by(GroupMember.group_id, GroupMember.status)
        )
    }
    upcoming = dict(
        session.execute(
            select(GroupMeeting.group_id, func.min(GroupMeeting.starts_at))
            .where(
                GroupMeeting.group_id.in_(ids),
                GroupMeeting.status == "scheduled",
                GroupMeeting.starts_at > now,
            )
            .group_by(GroupMeeting.group_id)
        ).all()
    )
    names = _staff_names(session, {g.facilitator_id for g in groups})
    return [
        GroupRow(
            g,
            counts.get((g.id, JOINED), 0),
            counts.get((g.id, "invited"), 0),
            upcoming.get(g.id),
            names.get(g.facilitator_id),
        )  # fmt: skip
        for g in groups
    ]


def _staff_names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all())


def group_page(session: Session, group: PeerGroup, content: Content, now: datetime) -> GroupPage:
    rows = session.execute(
        select(GroupMember, Person.display_name, Person.district)
        .join(Person, Person.id == GroupMember.person_id)
        .where(GroupMember.group_id == group.id)
        .order_by(GroupMember.status != JOINED, GroupMember.id)
    ).all()
    meetings = session.scalars(
        select(GroupMeeting)
        .where(GroupMeeting.group_id == group.id)
        .order_by(GroupMeeting.starts_at)
    ).all()
    records = (
        session.execute(
            select(MeetingAttendance).where(
                MeetingAttendance.meeting_id.in_([m.id for m in meetings])
            )
        )
        .scalars()
        .all()
    )
    by_meeting: dict[int, list[MeetingAttendance]] = {}
    for record in records:
        by_meeting.setdefault(record.meeting_id, []).append(record)
    meeting_rows = []
    for meeting in meetings:
        got = by_meeting.get(meeting.id, [])
        meeting_rows.append(
            MeetingRow(
                meeting,
                coming=sum(r.rsvp == "coming" for r in got),
                cant=sum(r.rsvp == "cant" for r in got),
                attended=sum(r.attended is True for r in got),
                absent=sum(r.attended is False for r in got),
                helpful=sum(r.helpful is True for r in got),
                not_helpful=sum(r.helpful is False for r in got),
                present=frozenset(r.person_id for r in got if r.attended and r.person_id),
            )
        )
    tallies = {pid: [0, 0] for pid in (m.person_id for m, _, _ in rows)}
    for record in records:
        if record.person_id in tallies and record.attended is not None:
            tallies[record.person_id][0 if record.attended else 1] += 1
    members = [
        MemberRow(m, name, district, *tallies.get(m.person_id, (0, 0)))
        for m, name, district in rows
    ]
    joined = [row for row in members if row.member.status == JOINED]
    votes = {
        "keep": sum(r.member.vote is True for r in joined),
        "stop": sum(r.member.vote is False for r in joined),
    }
    names = _staff_names(session, {group.facilitator_id})
    person = (
        session.get(Person, group.facilitator_person_id) if group.facilitator_person_id else None
    )
    return GroupPage(
        group=group,
        members=members,
        meetings=meeting_rows,
        poll=polls.view(session, group.id, now),
        size_warnings=content.groups.size_warnings(len(joined)),
        votes=votes,
        facilitator=names.get(group.facilitator_id),
        facilitator_person=person.display_name if person else None,
    )


def person_groups(session: Session, person_id: int) -> list[tuple[PeerGroup, GroupMember]]:
    rows = session.execute(
        select(PeerGroup, GroupMember)
        .join(GroupMember, GroupMember.group_id == PeerGroup.id)
        .where(GroupMember.person_id == person_id)
        .order_by(GroupMember.invited_at.desc())
    )
    return [(group, member) for group, member in rows]


@dataclass(frozen=True)
class Activity:
    forming: int
    active: int
    meetings_this_week: int
    attended: int  # of members marked at meetings in the last 30 days
    recorded: int


def activity(session: Session, condition, now: datetime) -> Activity:
    status = dict(
        session.execute(
            select(PeerGroup.status, func.count()).where(condition).group_by(PeerGroup.status)
        ).all()
    )
    mine = select(PeerGroup.id).where(condition)
    week = session.scalar(
        select(func.count()).where(
            GroupMeeting.group_id.in_(mine),
            GroupMeeting.status == "scheduled",
            GroupMeeting.starts_at >= now,
            GroupMeeting.starts_at < now + timedelta(days=7),
        )
    )
    attended, recorded = session.execute(
        select(
            func.coalesce(func.sum(case((MeetingAttendance.attended.is_(True), 1), else_=0)), 0),
            func.count(MeetingAttendance.attended),
        )
        .join(GroupMeeting, GroupMeeting.id == MeetingAttendance.meeting_id)
        .where(
            GroupMeeting.group_id.in_(mine),
            GroupMeeting.starts_at >= now - timedelta(days=30),
            GroupMeeting.starts_at <= now,
        )
    ).one()
    return Activity(
        status.get("forming", 0), status.get("active", 0), week, int(attended), int(recorded)
    )

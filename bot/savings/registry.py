"""Registering a savings group: its type, constitution, members and officers (chair,
treasurer, secretary: changeable, each change kept as history), and its meetings for the
cycle. Staff do this in the admin; every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from bot.audit import audit
from bot.models import Person, SavingsGroup, SavingsMeeting, SavingsMember, SavingsOfficer, Staff
from bot.savings import reminders
from bot.savings.errors import SavingsError
from flows.content import Content
from flows.pacing import at_local
from flows.savings.constitution import (
    OFFICES,
    TYPES,
    Constitution,
    constitution_from_dict,
    meeting_dates,
    problems,
)

MAX_MEMBERS = 40


@dataclass(frozen=True)
class SavingsGroupValues:
    name: str
    kind: str
    district: str | None
    language: str
    facilitator_id: int | None
    constitution: Constitution


def constitution_of(group: SavingsGroup, content: Content) -> Constitution:
    return constitution_from_dict(group.constitution, content.savings.defaults)


def group_timezone(content: Content) -> str:
    """Meetings are set in the programme's timezone; members are reminded at their own."""
    return content.programme.get("default_timezone", "UTC")


def check(session: Session, values: SavingsGroupValues, content: Content) -> None:
    if not values.name.strip():
        raise SavingsError("savings.error.name")
    if values.kind not in TYPES:
        raise SavingsError("savings.error.kind")
    if values.language not in content.languages:
        raise SavingsError("groups.error.language")
    if values.facilitator_id is not None:
        staff = session.get(Staff, values.facilitator_id)
        if staff is None or not staff.active or staff.role == "viewer":
            raise SavingsError("groups.error.facilitator")
    wrong = problems(values.constitution, content.savings)
    if wrong:
        raise SavingsError(wrong[0])


def register(
    session: Session,
    values: SavingsGroupValues,
    members: list[tuple[int, bool]],
    officers: dict[str, int],
    content: Content,
    now: datetime,
    *,
    actor: str,
    by: int | None,
) -> SavingsGroup:
    """A new group with its members ((person id, community member?) in list order), its
    officers (office -> person id, each a member) and the meetings of its first cycle."""
    check(session, values, content)
    group = SavingsGroup(
        name=values.name.strip()[:80],
        kind=values.kind,
        district=values.district,
        language=values.language,
        facilitator_id=values.facilitator_id,
        constitution=values.constitution.as_dict(),
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    session.add(group)
    session.flush()
    for person_id, community in members:
        add_member(session, group, person_id, now, actor=actor, community=community)
    by_person = {
        m.person_id: m
        for m in session.scalars(select(SavingsMember).where(SavingsMember.group_id == group.id))
    }
    for office, person_id in officers.items():
        if person_id not in by_person:
            raise SavingsError("savings.error.officer_member")
        appoint(session, group, office, by_person[person_id], now, actor=actor, by=by)
    schedule_cycle(session, group, content, now)
    audit(session, actor, "savings.register", None, now, group=group.id, kind=values.kind)
    return group


def update_constitution(
    session: Session, group: SavingsGroup, constitution: Constitution, content: Content,
    now: datetime, *, actor: str,
) -> None:  # fmt: skip
    """The group changed its rules: kept for what follows (the ledger is not touched);
    meetings not yet held are set again from the new cadence."""
    wrong = problems(constitution, content.savings)
    if wrong:
        raise SavingsError(wrong[0])
    old = constitution_of(group, content)
    changed = sorted(k for k, v in constitution.as_dict().items() if old.as_dict().get(k) != v)
    group.constitution, group.updated_at = constitution.as_dict(), now
    if {"cadence", "dates", "cycle_start", "cycle_end", "meeting_time", "share_out_on"} & set(
        changed
    ):
        schedule_cycle(session, group, content, now)
    audit(session, actor, "savings.constitution", None, now, group=group.id, fields=changed)


def add_member(
    session: Session, group: SavingsGroup, person_id: int, now: datetime, *, actor: str,
    community: bool = False,
) -> SavingsMember:  # fmt: skip
    person = session.get(Person, person_id)
    if person is None or person.erased_at is not None or person.status != "active":
        raise SavingsError("savings.error.person")
    existing = session.scalar(
        select(SavingsMember).where(
            SavingsMember.group_id == group.id, SavingsMember.person_id == person_id
        )
    )
    if existing is not None and existing.status == "active":
        raise SavingsError("savings.error.already_member")
    count = session.scalar(
        select(func.count()).where(
            SavingsMember.group_id == group.id, SavingsMember.status == "active"
        )
    )
    if count >= MAX_MEMBERS:
        raise SavingsError("savings.error.too_many")
    if existing is not None:  # back after leaving: the same number, the same history
        existing.status, existing.left_at = "active", None
        member = existing
    else:
        number = (
            session.scalar(
                select(func.max(SavingsMember.number)).where(SavingsMember.group_id == group.id)
            )
            or 0
        ) + 1
        member = SavingsMember(
            group_id=group.id, person_id=person_id, number=number, community=community,
            joined_at=now,
        )  # fmt: skip
        session.add(member)
    session.flush()
    audit(session, actor, "savings.member_added", person_id, now, group=group.id)
    return member


def appoint(
    session: Session, group: SavingsGroup, office: str, member: SavingsMember, now: datetime,
    *, actor: str, by: int | None = None,
) -> SavingsOfficer:  # fmt: skip
    """`member` holds `office` from now; whoever held it until now is kept as history."""
    if office not in OFFICES:
        raise SavingsError("savings.error.office")
    if member.group_id != group.id or member.status != "active":
        raise SavingsError("savings.error.officer_member")
    current = current_officers(session, group.id)
    if office in current and current[office].member_id == member.id:
        return current[office]
    if office in current:
        current[office].until = now
    row = SavingsOfficer(
        group_id=group.id, member_id=member.id, office=office, since=now, appointed_by=by
    )
    session.add(row)
    session.flush()
    audit(session, actor, "savings.officer", member.person_id, now, group=group.id, office=office)
    return row


def current_officers(session: Session, group_id: int) -> dict[str, SavingsOfficer]:
    return {
        o.office: o
        for o in session.scalars(
            select(SavingsOfficer).where(
                SavingsOfficer.group_id == group_id, SavingsOfficer.until.is_(None)
            )
        )
    }


def offices_of(session: Session, member_id: int) -> set[str]:
    return set(
        session.scalars(
            select(SavingsOfficer.office).where(
                SavingsOfficer.member_id == member_id, SavingsOfficer.until.is_(None)
            )
        )
    )


def schedule_cycle(session: Session, group: SavingsGroup, content: Content, now: datetime) -> None:
    """The cycle's meetings from its constitution: those ahead that no longer fit are
    cancelled, the new days added; held meetings stay as they were."""
    constitution = constitution_of(group, content)
    zone = ZoneInfo(group_timezone(content))
    days = meeting_dates(constitution)
    existing = {
        m.on: m
        for m in session.scalars(
            select(SavingsMeeting).where(
                SavingsMeeting.group_id == group.id, SavingsMeeting.cycle == group.cycle
            )
        )
    }
    number = max((m.number for m in existing.values()), default=0)
    for day, meeting in existing.items():
        if meeting.recorded_at is None and meeting.starts_at > now and day not in days:
            meeting.status = "cancelled"
    for day in days:
        starts_at = at_local(day, constitution.meeting_time, zone)
        meeting = existing.get(day)
        if meeting is not None:
            if meeting.recorded_at is None and meeting.starts_at > now:
                meeting.status, meeting.starts_at = "scheduled", starts_at
            continue
        if starts_at <= now:
            continue  # a day already past when the group was registered
        number += 1
        session.add(
            SavingsMeeting(
                group_id=group.id, cycle=group.cycle, number=number, on=day, starts_at=starts_at
            )
        )
    session.flush()
    reminders.plan_cycle(session, group, constitution, content, now)


def meetings_of(session: Session, group_id: int, cycle: int) -> list[SavingsMeeting]:
    return list(
        session.scalars(
            select(SavingsMeeting)
            .where(SavingsMeeting.group_id == group_id, SavingsMeeting.cycle == cycle)
            .order_by(SavingsMeeting.starts_at)
        )
    )


def members_of(session: Session, group_id: int, active_only: bool = False) -> list[SavingsMember]:
    query = select(SavingsMember).where(SavingsMember.group_id == group_id)
    if active_only:
        query = query.where(SavingsMember.status == "active")
    return list(session.scalars(query.order_by(SavingsMember.number)))


def today_in(content: Content, now: datetime) -> date:
    return now.astimezone(ZoneInfo(group_timezone(content))).date()

"""Forming a group: created by staff, people invited (from the people filter or from those
who asked to join), each placement checked against the programme's rules (size, newcomers in
new groups) with staff's reason kept when they go against them, the invitation sent and
answered, and the community leader's approval recorded, which makes the group active."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlmodel import Session

from bot.audit import audit
from bot.groups import meetings
from bot.groups.errors import GroupError
from bot.groups.tasks import add_task
from bot.models import GroupMember, GroupRequest, GroupSlot, PeerGroup, Person, Staff
from bot.models.groups import JOINED, PENDING_OR_JOINED
from flows.content import Content
from flows.groups.rules import placement_warnings

GENDER_MIX = ("mixed", "women", "men")
STATUSES = ("forming", "active", "ended")
MAX_VENUES = 5


@dataclass(frozen=True)
class GroupValues:
    name: str
    district: str | None
    language: str
    facilitator_id: int | None = None
    facilitator_person_id: int | None = None
    gender_mix: str = "mixed"
    target_size: int = 12
    venues: tuple[str, ...] = ()
    series_meetings: int = 4


def check(values: GroupValues, content: Content) -> None:
    rules = content.groups
    if not values.name.strip():
        raise GroupError("groups.error.name")
    if values.language not in content.languages:
        raise GroupError("groups.error.language")
    if values.gender_mix not in GENDER_MIX:
        raise GroupError("groups.error.gender_mix")
    if not 2 <= values.target_size <= 40:
        raise GroupError("groups.error.target_size")
    if not rules.series_min <= values.series_meetings <= rules.series_max:
        raise GroupError("groups.error.series")
    if len(values.venues) > MAX_VENUES:
        raise GroupError("groups.error.venues")


def check_facilitators(session: Session, values: GroupValues) -> None:
    """Who leads the group exists: a staff member who may run casework, or an enrolled
    person (a trained returnee) whose record was not erased."""
    if values.facilitator_id is not None:
        staff = session.get(Staff, values.facilitator_id)
        if staff is None or not staff.active or staff.role == "viewer":
            raise GroupError("groups.error.facilitator")
    if values.facilitator_person_id is not None:
        person = session.get(Person, values.facilitator_person_id)
        if person is None or person.erased_at is not None or person.status != "active":
            raise GroupError("groups.error.facilitator_person")


def create(
    session: Session,
    values: GroupValues,
    content: Content,
    now: datetime,
    *,
    actor: str,
    by: int | None,
) -> PeerGroup:
    check(values, content)
    check_facilitators(session, values)
    group = PeerGroup(
        name=values.name.strip()[:80],
        district=values.district or None,
        language=values.language,
        facilitator_id=values.facilitator_id,
        facilitator_person_id=values.facilitator_person_id,
        gender_mix=values.gender_mix,
        target_size=values.target_size,
        venues=[v.strip()[:120] for v in values.venues if v.strip()],
        series_meetings=values.series_meetings,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    session.add(group)
    session.flush()
    audit(session, actor, "group.created", None, now, group=group.id)
    return group


def update(
    session: Session,
    group: PeerGroup,
    values: GroupValues,
    content: Content,
    now: datetime,
    *,
    actor: str,
) -> list[str]:
    check(values, content)
    check_facilitators(session, values)
    changed = []
    fresh = {
        "name": values.name.strip()[:80],
        "district": values.district or None,
        "language": values.language,
        "facilitator_id": values.facilitator_id,
        "facilitator_person_id": values.facilitator_person_id,
        "gender_mix": values.gender_mix,
        "target_size": values.target_size,
        "venues": [v.strip()[:120] for v in values.venues if v.strip()],
        "series_meetings": values.series_meetings,
    }
    for name, value in fresh.items():
        if getattr(group, name) != value:
            setattr(group, name, value)
            changed.append(name)
    if changed:
        group.updated_at = now
        audit(session, actor, "group.updated", None, now, group=group.id, fields=changed)
    return changed


def joined_count(session: Session, group_id: int) -> int:
    return session.scalar(
        select(func.count()).where(GroupMember.group_id == group_id, GroupMember.status == JOINED)
    )


def has_met(group: PeerGroup, now: datetime) -> bool:
    return group.first_meeting_at is not None and group.first_meeting_at <= now


def newcomer(session: Session, person_id: int, now: datetime) -> bool:
    """Never in a group that has met: a newcomer to peer groups."""
    met = exists().where(
        GroupMember.group_id == PeerGroup.id,
        GroupMember.person_id == person_id,
        GroupMember.status.in_((JOINED, "left")),
        PeerGroup.first_meeting_at.is_not(None),
        PeerGroup.first_meeting_at <= now,
    )
    return not session.scalar(select(met))


def warnings_for(
    session: Session, group: PeerGroup, person: Person, content: Content, now: datetime
):
    """The rules that inviting this person would go against."""
    found = list(placement_warnings(newcomer(session, person.id, now), has_met(group, now)))
    counted = session.scalar(
        select(func.count()).where(
            GroupMember.group_id == group.id, GroupMember.status.in_(PENDING_OR_JOINED)
        )
    )
    if counted + 1 > content.groups.max_size:
        found.append("above_max")
    return tuple(found)


def invite(
    session: Session,
    group: PeerGroup,
    person: Person,
    content: Content,
    now: datetime,
    *,
    actor: str,
    by: int | None,
    override: str | None = None,
    community: bool = False,
) -> GroupMember:
    """Invites them (the invitation goes out through the group tick). Against a rule, only
    with a reason, which is kept."""
    if group.status == "ended":
        raise GroupError("groups.error.ended")
    if person.erased_at is not None or person.status not in ("active",):
        raise GroupError("groups.error.not_active")
    member = session.scalar(
        select(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.person_id == person.id
        )
    )
    if member is not None and member.status in PENDING_OR_JOINED:
        raise GroupError("groups.error.already")
    warnings = warnings_for(session, group, person, content, now)
    reason = (override or "").strip()[:300] or None
    if warnings and reason is None:
        raise GroupError("groups.error.override_needed", warnings)
    if member is None:
        member = GroupMember(group_id=group.id, person_id=person.id)
        session.add(member)
    member.status, member.invited_at, member.invited_by = "invited", now, by
    member.answered_at = member.left_at = None
    member.warnings, member.override = list(warnings), reason if warnings else None
    member.community = community or person.role == "community"
    session.flush()
    stamp = int(now.timestamp())
    add_task(
        session, f"invite:{member.id}:{stamp}", "invite", group.id, now, now, person_id=person.id
    )
    closes = now + timedelta(days=content.groups.invitation_days)
    add_task(
        session, f"invite_close:{member.id}:{stamp}", "invite_close", group.id, closes, now,
        person_id=person.id,
    )  # fmt: skip
    for request in session.scalars(
        select(GroupRequest).where(
            GroupRequest.person_id == person.id, GroupRequest.status == "waiting"
        )
    ):
        request.status, request.closed_at = "invited", now
    audit(
        session, actor, "group.invited", person.id, now, group=group.id, warnings=list(warnings),
        override=bool(warnings),
    )  # fmt: skip
    return member


def answer_invitation(
    session: Session,
    member: GroupMember,
    joined: bool,
    content: Content,
    now: datetime,
    *,
    actor: str,
) -> None:
    if member.status != "invited":
        return  # answered already, or staff removed them meanwhile
    member.status, member.answered_at = (JOINED if joined else "declined"), now
    audit(
        session,
        actor,
        "group.answered",
        member.person_id,
        now,
        group=member.group_id,
        joined=joined,
    )
    if not joined:
        return
    group = session.get(PeerGroup, member.group_id)
    if group.status == "active":
        meetings.welcome_member(session, group, member.person_id, content, now)
    # A poll still open: they are asked too.
    poll = session.scalar(
        select(func.max(GroupSlot.poll)).where(
            GroupSlot.group_id == member.group_id,
            GroupSlot.status == "open",
            GroupSlot.closes_at > now,
        )
    )
    if poll is not None:
        add_task(
            session, f"poll:{member.group_id}:{poll}:{member.person_id}", "poll", member.group_id, now,
            now, person_id=member.person_id,
        )  # fmt: skip


def remove(session: Session, member: GroupMember, now: datetime, *, actor: str) -> None:
    if member.status in ("left", "declined"):
        return
    member.status, member.left_at = "left", now
    audit(session, actor, "group.left", member.person_id, now, group=member.group_id)


def ask_to_join(session: Session, person: Person, now: datetime, *, actor: str) -> GroupRequest:
    found = session.scalar(
        select(GroupRequest).where(
            GroupRequest.person_id == person.id, GroupRequest.status == "waiting"
        )
    )
    if found is not None:
        return found
    request = GroupRequest(person_id=person.id, requested_at=now)
    session.add(request)
    session.flush()
    audit(session, actor, "group.requested", person.id, now)
    return request


def record_approval(
    session: Session,
    group: PeerGroup,
    leader: str,
    on: date,
    now: datetime,
    *,
    actor: str,
    by: int | None,
) -> None:
    """The community leader approved (who, when): the group becomes active."""
    leader = leader.strip()[:120]
    if not leader:
        raise GroupError("groups.error.leader")
    if on > now.date():
        raise GroupError("groups.error.approval_date")
    if group.status == "ended":
        raise GroupError("groups.error.ended")
    group.leader_name, group.leader_approved_on, group.approval_recorded_by = leader, on, by
    group.status, group.updated_at = "active", now
    audit(session, actor, "group.approved", None, now, group=group.id)

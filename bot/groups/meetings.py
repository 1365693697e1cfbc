"""A group's meetings: the first series scheduled weekly from the chosen time, follow-up
sessions, changes and cancellations (every member told at once), and for each meeting the
due rows around it: two reminders with an RSVP, the pulse after it, the facilitator's
attendance list, and after the series' last meeting the continue vote. A group ends at the
latest a year after its first meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from bot.audit import audit
from bot.groups.errors import GroupError
from bot.groups.tasks import add_task, add_tasks, cancel_tasks
from bot.models import GroupMeeting, GroupMember, PeerGroup, Person
from bot.models.groups import JOINED
from bot.people.local_time import timezone_of
from flows.content import Content
from flows.groups.rules import reminder_times, weekly
from flows.pacing import at_local

PER_MEMBER = ("before", "morning", "pulse")
AROUND_MEETING = (*PER_MEMBER, "attendance", "after")


def group_zone(content: Content) -> ZoneInfo:
    """Where groups meet: the programme's timezone (the admin enters times in it)."""
    try:
        return ZoneInfo(content.programme.get("default_timezone", "UTC"))
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def joined(session: Session, group_id: int) -> list[GroupMember]:
    return list(
        session.scalars(
            select(GroupMember)
            .where(GroupMember.group_id == group_id, GroupMember.status == JOINED)
            .order_by(GroupMember.id)
        )
    )


def schedule_weekly(
    session: Session,
    group: PeerGroup,
    first: datetime,
    count: int,
    venue: str | None,
    content: Content,
    now: datetime,
    *,
    actor: str,
    series: bool,
) -> list[int]:
    """`count` meetings a week apart from `first` (the same local time each week); every
    member is told the first one and how many follow. Returns the meetings' ids."""
    starts = weekly(first.astimezone(group_zone(content)), count, group_zone(content))
    made, rows = _create(session, group, starts, venue, content, now, actor=actor, series=series)
    # The whole group's row: when it falls due, every member who joined is told.
    rows.append(
        {"key": f"confirmed:{made[0].id}:all", "kind": "confirmed", "group_id": group.id,
         "due_at": now, "meeting_id": made[0].id, "note": str(count)}
    )  # fmt: skip
    add_tasks(session, rows, now)
    return [m.id for m in made]


def add_meeting(
    session: Session,
    group: PeerGroup,
    starts_at: datetime,
    venue: str | None,
    content: Content,
    now: datetime,
    *,
    actor: str,
    series: bool = False,
    tell: bool = True,
) -> GroupMeeting:
    """One meeting (a follow-up session unless `series`), within a year of the first."""
    (made,), rows = _create(
        session, group, [starts_at], venue, content, now, actor=actor, series=series
    )
    if tell:
        rows.append(
            {"key": f"added:{made.id}:all", "kind": "added", "group_id": group.id,
             "due_at": now, "meeting_id": made.id}
        )  # fmt: skip
    add_tasks(session, rows, now)
    return session.get(GroupMeeting, made.id)


@dataclass(frozen=True)
class Planned:
    """A meeting just inserted: what its due rows are made from."""

    id: int
    starts_at: datetime
    minutes: int
    revision: int = 0


def _create(
    session: Session,
    group: PeerGroup,
    starts: list[datetime],
    venue: str | None,
    content: Content,
    now: datetime,
    *,
    actor: str,
    series: bool,
) -> tuple[list[Planned], list[dict]]:
    """Meetings, in one statement for the whole series; returns them and the due rows
    around them, for the caller to add with its own in one statement."""
    if group.status != "active":
        raise GroupError("groups.error.not_approved")
    rules = content.groups
    earliest = min(starts)
    first = min(earliest, group.first_meeting_at) if group.first_meeting_at else earliest
    for starts_at in starts:
        if starts_at <= now:
            raise GroupError("groups.error.slot_times")
        if not rules.may_meet(starts_at, first):
            raise GroupError("groups.error.past_year_end")
    # Read before the group changes, so that nothing waits to be flushed first.
    zones = {zone for _, zone in _member_zones(session, group.id, content)}
    # A group that never had a meeting has none to number after.
    number = 0 if group.first_meeting_at is None else session.scalar(
        select(func.max(GroupMeeting.number)).where(GroupMeeting.group_id == group.id)
    ) or 0  # fmt: skip
    starts = sorted(starts)
    place = (venue or "").strip()[:120] or None
    values = [
        {"group_id": group.id, "number": number + n, "starts_at": starts_at,
         "minutes": rules.meeting_minutes, "venue": place, "series": series,
         "status": "scheduled", "revision": 0, "created_at": now, "updated_at": now}
        for n, starts_at in enumerate(starts, 1)
    ]  # fmt: skip
    ids = session.connection().execute(_INSERT_MEETINGS, values).scalars()
    made = [Planned(i, at, rules.meeting_minutes) for i, at in zip(ids, starts, strict=True)]
    rows = []
    changed = {"updated_at": now}
    if group.first_meeting_at is None or earliest < group.first_meeting_at:
        ends_by = rules.ends_by(earliest.astimezone(group_zone(content)).date())
        if group.first_meeting_at is not None:
            cancel_tasks(session, "first meeting moved", group_id=group.id, kinds=("year_end",))
        changed |= {"first_meeting_at": earliest, "ends_by": ends_by}
        end = at_local(ends_by, datetime.min.time(), group_zone(content))
        rows.append(
            {"key": f"year_end:{group.id}:{ends_by.isoformat()}", "kind": "year_end",
             "group_id": group.id, "due_at": end}
        )  # fmt: skip
    _write(session, group, changed)
    for meeting in made:
        rows += _meeting_rows(group, meeting, zones, content, now)
    audit(
        session, actor, "group.meetings_added", None, now, group=group.id,
        meetings=[m.id for m in made],
    )  # fmt: skip
    return made, rows


# Built once (statements are most of a confirmation's cost); an UPDATE sets the columns
# named in its parameters.
_INSERT_MEETINGS = insert(GroupMeeting.__table__).returning(
    GroupMeeting.__table__.c.id, sort_by_parameter_order=True
)
_UPDATE_GROUP = update(PeerGroup.__table__).where(PeerGroup.__table__.c.id == bindparam("group"))


def _write(session: Session, group: PeerGroup, values: dict) -> None:
    """The group's new dates in one UPDATE, and on the loaded row as they now are in the
    database (nothing left for the unit of work to flush)."""
    session.connection().execute(_UPDATE_GROUP, {"group": group.id, **values})
    for name, value in values.items():
        set_committed_value(group, name, value)


def _revision(meeting: GroupMeeting) -> int:
    return meeting.revision


def _meeting_tasks(
    session: Session, group: PeerGroup, meeting: GroupMeeting, content: Content, now
):
    zones = {zone for _, zone in _member_zones(session, group.id, content)}
    add_tasks(session, _meeting_rows(group, meeting, zones, content, now), now)


def _meeting_rows(group: PeerGroup, meeting: GroupMeeting, zones, content: Content, now) -> list:
    """One due row per reminder and per pulse for the whole group, at the earliest time any
    member's own timezone asks for; when it falls due the tick sends it to every member
    (whose own time has come; the others get a row of their own at theirs)."""
    rows = []
    rev = _revision(meeting)
    times: dict[str, datetime] = {}
    for zone in zones:
        for kind, at in reminder_times(
            meeting.starts_at, zone, content.groups, content.delivery
        ).items():
            times[kind] = min(times.get(kind, at), at)
    times["pulse"] = meeting.starts_at + timedelta(minutes=content.groups.pulse_after_minutes)
    for kind, at in times.items():
        if at > now or kind == "pulse":
            rows.append(
                {"key": f"{kind}:{meeting.id}:all:{rev}", "kind": kind, "group_id": group.id,
                 "due_at": at, "meeting_id": meeting.id}
            )  # fmt: skip
    end = meeting.starts_at + timedelta(minutes=meeting.minutes)
    if group.facilitator_person_id is not None:
        rows.append(
            {"key": f"attendance:{meeting.id}:{rev}", "kind": "attendance", "group_id": group.id,
             "due_at": end, "person_id": group.facilitator_person_id, "meeting_id": meeting.id}
        )  # fmt: skip
    rows.append(
        {"key": f"after:{meeting.id}:{rev}", "kind": "after", "group_id": group.id, "due_at": end,
         "meeting_id": meeting.id}
    )  # fmt: skip
    return rows


def member_time(meeting, kind: str, zone: str, content: Content) -> datetime | None:
    """When this member's own reminder or pulse falls due, in their timezone."""
    if kind == "pulse":
        return meeting.starts_at + timedelta(minutes=content.groups.pulse_after_minutes)
    return reminder_times(meeting.starts_at, zone, content.groups, content.delivery).get(kind)


# Built once: a group's confirmation reads it for every group.
_MEMBER_ZONES = (
    select(Person.id, Person.timezone)
    .join(GroupMember, GroupMember.person_id == Person.id)
    .where(GroupMember.group_id == bindparam("group_id"), GroupMember.status == JOINED)
    .order_by(GroupMember.id)
)


def _member_zones(session: Session, group_id: int, content: Content) -> list[tuple[int, str]]:
    """Each joined member's timezone, in one query (on the connection: no ORM rows)."""
    session.flush()
    found = session.connection().execute(_MEMBER_ZONES, {"group_id": group_id}).all()
    return [(row.id, timezone_of(row, content)) for row in found]


def _member_rows(
    group, meeting, person_id: int, zone: str, content: Content, now, zones: dict | None = None
) -> list[dict]:
    """`zones` keeps the reminder times per timezone: members mostly share one."""
    zones = {} if zones is None else zones
    if zone not in zones:
        zones[zone] = reminder_times(meeting.starts_at, zone, content.groups, content.delivery)
    rev = _revision(meeting)
    rows = [
        {"key": f"{kind}:{meeting.id}:{person_id}:{rev}", "kind": kind, "group_id": group.id,
         "due_at": at, "person_id": person_id, "meeting_id": meeting.id}
        for kind, at in zones[zone].items()
        if at > now
    ]  # fmt: skip
    pulse = meeting.starts_at + timedelta(minutes=content.groups.pulse_after_minutes)
    rows.append(
        {"key": f"pulse:{meeting.id}:{person_id}:{rev}", "kind": "pulse", "group_id": group.id,
         "due_at": pulse, "person_id": person_id, "meeting_id": meeting.id}
    )  # fmt: skip
    return rows


def member_tasks(
    session: Session, group: PeerGroup, meeting: GroupMeeting, person_id: int, content: Content, now
) -> None:
    """One member's reminders (in their timezone) and pulse for one meeting."""
    zone = timezone_of(session.get(Person, person_id), content)
    add_tasks(session, _member_rows(group, meeting, person_id, zone, content, now), now)


def upcoming(session: Session, group_id: int, now: datetime) -> list[GroupMeeting]:
    return list(
        session.scalars(
            select(GroupMeeting)
            .where(
                GroupMeeting.group_id == group_id,
                GroupMeeting.status == "scheduled",
                GroupMeeting.starts_at > now,
            )
            .order_by(GroupMeeting.starts_at)
        )
    )


def welcome_member(
    session: Session, group: PeerGroup, person_id: int, content: Content, now
) -> None:
    """Someone who joined once meetings were scheduled: their reminders, and the next date."""
    coming = upcoming(session, group.id, now)
    for meeting in coming:
        member_tasks(session, group, meeting, person_id, content, now)
    if coming:
        add_task(
            session, f"added:{coming[0].id}:{person_id}", "added", group.id, now, now,
            person_id=person_id, meeting_id=coming[0].id,
        )  # fmt: skip


def change(
    session: Session,
    group: PeerGroup,
    meeting: GroupMeeting,
    starts_at: datetime,
    venue: str | None,
    content: Content,
    now: datetime,
    *,
    actor: str,
) -> None:
    """A new time or place: its reminders are made again, and every member is told now."""
    if meeting.status != "scheduled":
        raise GroupError("groups.error.meeting_closed")
    if starts_at <= now or not content.groups.may_meet(starts_at, group.first_meeting_at):
        raise GroupError("groups.error.slot_times")
    cancel_tasks(session, "meeting changed", meeting_id=meeting.id, kinds=AROUND_MEETING)
    meeting.starts_at, meeting.venue = starts_at, (venue or "").strip()[:120] or meeting.venue
    meeting.revision, meeting.updated_at = meeting.revision + 1, now
    if meeting.number == 1 or starts_at < (group.first_meeting_at or starts_at):
        group.first_meeting_at = min(
            session.scalars(
                select(GroupMeeting.starts_at).where(
                    GroupMeeting.group_id == group.id, GroupMeeting.status != "cancelled"
                )
            )
        )
    _meeting_tasks(session, group, meeting, content, now)
    rev = _revision(meeting)
    # The whole group's row: every member who joined is told when it falls due (at once).
    add_task(
        session, f"change:{meeting.id}:all:{rev}", "change", group.id, now, now,
        meeting_id=meeting.id,
    )  # fmt: skip
    audit(session, actor, "group.meeting_changed", None, now, group=group.id, meeting=meeting.id)


def cancel(session: Session, group: PeerGroup, meeting: GroupMeeting, now: datetime, *, actor: str):
    if meeting.status != "scheduled":
        raise GroupError("groups.error.meeting_closed")
    cancel_tasks(session, "meeting cancelled", meeting_id=meeting.id, kinds=AROUND_MEETING)
    meeting.status, meeting.updated_at = "cancelled", now
    add_task(
        session, f"cancel:{meeting.id}:all", "cancel", group.id, now, now, meeting_id=meeting.id
    )
    audit(session, actor, "group.meeting_cancelled", None, now, group=group.id, meeting=meeting.id)


def series_over(session: Session, group: PeerGroup, meeting: GroupMeeting) -> bool:
    """This was the initial series' last meeting still on."""
    return meeting.id in series_ends(session, [meeting.id])


def series_ends(session: Session, meeting_ids) -> set[int]:
    """Of these meetings, those after which a group's vote may open: each a meeting of the
    initial series with no later series meeting of its group still on (for a batch of
    meetings in one query)."""
    ids = set(meeting_ids)
    if not ids:
        return set()
    this = GroupMeeting.__table__.alias("this")
    later = GroupMeeting.__table__.alias("later")
    followed = session.execute(
        select(this.c.id)
        .join(later, later.c.group_id == this.c.group_id)
        .where(
            this.c.id.in_(ids),
            later.c.series.is_(True),
            later.c.status == "scheduled",
            later.c.starts_at > this.c.starts_at,
        )
        .distinct()
    ).scalars()
    series = session.execute(
        select(this.c.id).where(this.c.id.in_(ids), this.c.series.is_(True))
    ).scalars()
    return set(series) - set(followed)

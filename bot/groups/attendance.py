"""Who comes: RSVPs from the reminders, attendance recorded after a meeting (by the
facilitator in the chat or in the admin), the pulse members give, and care for those who
drop away: two missed meetings in a row bring a kind check-in and a note to the facilitator."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from bot.audit import audit
from bot.casework.alerts import raise_alert
from bot.groups.errors import GroupError
from bot.groups.meetings import joined
from bot.groups.tasks import add_task
from bot.models import GroupMeeting, GroupMember, MeetingAttendance, PeerGroup, Person
from bot.upsert import insert_or_update
from flows.content import Content

NO_SHOW = "group_no_show"


def _upsert(session: Session, meeting_id: int, person_id: int, values: dict) -> None:
    """A member's row for a meeting, made or brought up to date with `values`."""
    session.flush()
    insert_or_update(
        session.connection(), MeetingAttendance.__table__, ("meeting_id", "person_id"),
        [{"meeting_id": meeting_id, "person_id": person_id, **values}], update=tuple(values),
    )  # fmt: skip


def record_rsvp(
    session: Session, meeting_id: int, person_id: int, coming: bool, now: datetime
) -> bool:
    meeting = session.get(GroupMeeting, meeting_id)
    if meeting is None or meeting.status != "scheduled" or meeting.starts_at <= now:
        return False
    _upsert(
        session, meeting_id, person_id, {"rsvp": "coming" if coming else "cant", "rsvp_at": now}
    )
    return True


def record_pulse(session: Session, meeting_id: int, person_id: int, helpful: bool) -> None:
    if session.get(GroupMeeting, meeting_id) is not None:
        _upsert(session, meeting_id, person_id, {"helpful": helpful})


def record_attendance(
    session: Session,
    group: PeerGroup,
    meeting: GroupMeeting,
    present: Iterable[int],
    content: Content,
    now: datetime,
    *,
    actor: str,
) -> int:
    """Marks every member as there or not (recording again corrects it); returns how many
    came. Members' runs of missed meetings are counted again from the record."""
    if meeting.status == "cancelled":
        raise GroupError("groups.error.meeting_closed")
    if meeting.starts_at > now:
        raise GroupError("groups.error.not_yet")
    came = set(present)
    members = joined(session, group.id)
    for member in members:
        _upsert(session, meeting.id, member.person_id, {"attended": member.person_id in came})
    meeting.status, meeting.attendance_at, meeting.attendance_by = "held", now, actor[:40]
    meeting.updated_at = now
    session.flush()
    for member in members:
        _count_misses(session, group, member, meeting, content, now)
    audit(
        session, actor, "group.attendance", None, now, group=group.id, meeting=meeting.id,
        present=len(came & {m.person_id for m in members}),
    )  # fmt: skip
    return len(came & {m.person_id for m in members})


def _count_misses(
    session, group: PeerGroup, member: GroupMember, meeting: GroupMeeting, content, now
):
    attended = session.execute(
        select(MeetingAttendance.attended)
        .join(GroupMeeting, GroupMeeting.id == MeetingAttendance.meeting_id)
        .where(
            GroupMeeting.group_id == group.id,
            GroupMeeting.status == "held",
            MeetingAttendance.person_id == member.person_id,
        )
        .order_by(GroupMeeting.starts_at.desc())
    ).scalars()
    misses = 0
    for came in attended:
        if came is not False:
            break
        misses += 1
    member.missed_in_row = misses
    if misses != content.groups.misses_for_checkin:
        return
    added = add_task(
        session, f"checkin:{group.id}:{member.person_id}:{meeting.id}", "checkin", group.id, now, now,
        person_id=member.person_id, meeting_id=meeting.id,
    )  # fmt: skip
    if not added:
        return  # attendance recorded again: the check-in and the note exist
    person = session.get(Person, member.person_id)
    alert = raise_alert(
        session,
        person,
        NO_SHOW,
        "low",
        f"missed {misses} meetings in a row of the group {group.name}",
        now,
        content.programme,
    )
    if group.facilitator_id is not None:
        alert.owner_id = group.facilitator_id

"""Peer-support groups: the group, its members, the availability polls and their answers,
meetings with each member's RSVP, attendance and pulse, and the groups' due rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow

# A member counted in the group (sizes, polls, reminders): they said Join.
JOINED = "joined"
# Still to answer the invitation, or in the group.
PENDING_OR_JOINED = ("invited", JOINED)


class PeerGroup(SQLModel, table=True):
    """A peer-support group: forming (inviting, polling) -> active (the community leader's
    approval recorded, meetings under way) -> ended (a year after its first meeting at the
    latest, or when it decides to stop)."""

    __tablename__ = "peer_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    district: str | None = Field(default=None, max_length=64, index=True)
    language: str = Field(default="en", max_length=8)
    status: str = Field(default="forming", max_length=16, index=True)  # forming, active, ended
    # Led by a staff member or a trained returnee (a person on the service), or both.
    facilitator_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    facilitator_person_id: int | None = Field(default=None, foreign_key="person.id")
    gender_mix: str = Field(default="mixed", max_length=16)  # mixed, women, men
    target_size: int = 12
    venues: list[str] = _json(list)
    series_meetings: int = 4  # the initial series: 1 to 6 weekly meetings
    leader_name: str | None = Field(default=None, max_length=120)  # the community leader
    leader_approved_on: date | None = None
    approval_recorded_by: int | None = Field(default=None, foreign_key="staff.id")
    first_meeting_at: datetime | None = _utc()
    ends_by: date | None = None  # a year after the first meeting
    vote_open_until: datetime | None = _utc()  # the continue vote after the first series
    outcome: str | None = Field(default=None, max_length=16)  # continued, stopped, year_over
    ended_at: datetime | None = _utc()
    note: str | None = Field(default=None, max_length=500)
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    updated_at: datetime = _utc(default_factory=utcnow, nullable=False)


class GroupMember(SQLModel, table=True):
    """A person in (or invited to) a group. `override` keeps why staff placed them against
    the rules (a size limit, a newcomer in an ongoing group): distance, existing bonds."""

    __tablename__ = "group_member"
    __table_args__ = (UniqueConstraint("group_id", "person_id", name="uq_group_member"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="peer_group.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    # invited -> joined | declined (Not now, or no answer in time); joined -> left
    status: str = Field(default="invited", max_length=16)
    community: bool = False  # a community member rather than a returnee
    warnings: list[str] = _json(list)  # the rules this placement went against
    override: str | None = Field(default=None, max_length=300)
    missed_in_row: int = 0
    invited_by: int | None = Field(default=None, foreign_key="staff.id")
    invited_at: datetime = _utc(default_factory=utcnow, nullable=False)
    answered_at: datetime | None = _utc()
    left_at: datetime | None = _utc()
    vote: bool | None = None  # keep meeting, after the first series


class GroupRequest(SQLModel, table=True):
    """Someone asked to join a group (from MENU); open until invited somewhere."""

    __tablename__ = "group_request"
    __table_args__ = (
        Index(
            "uq_group_request_open",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: str = Field(default="waiting", max_length=16)  # waiting, invited, closed
    requested_at: datetime = _utc(default_factory=utcnow, nullable=False)
    closed_at: datetime | None = _utc()


class GroupSlot(SQLModel, table=True):
    """A time proposed in a group's availability poll (poll 1, 2... : a group may poll again)."""

    __tablename__ = "group_slot"
    __table_args__ = (UniqueConstraint("group_id", "poll", "position", name="uq_group_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="peer_group.id", index=True)
    poll: int = 1
    position: int  # 1..5, as members see them
    starts_at: datetime = _utc(nullable=False)
    venue: str | None = Field(default=None, max_length=120)
    status: str = Field(default="open", max_length=16)  # open, chosen, closed
    closes_at: datetime = _utc(nullable=False)
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)


class SlotAnswer(SQLModel, table=True):
    """One member's answer for one proposed time: yes, maybe (if need be), no. One row per
    member and time, so two members answering at once never touch the same row."""

    __tablename__ = "slot_answer"
    __table_args__ = (UniqueConstraint("slot_id", "person_id", name="uq_slot_answer"),)

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="group_slot.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    answer: str = Field(max_length=8)
    answered_at: datetime = _utc(nullable=False)


class GroupMeeting(SQLModel, table=True):
    """One meeting of a group: number 1.. in order; the first series, then follow-ups."""

    __tablename__ = "group_meeting"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="peer_group.id", index=True)
    number: int
    starts_at: datetime = _utc(nullable=False, index=True)
    minutes: int = 60
    venue: str | None = Field(default=None, max_length=120)
    series: bool = True  # part of the initial series (else a follow-up session)
    status: str = Field(default="scheduled", max_length=16)  # scheduled, cancelled, held
    revision: int = 0  # a change of time or place: its due rows are made again
    attendance_at: datetime | None = _utc()  # when attendance was recorded
    attendance_by: str | None = Field(default=None, max_length=40)  # staff:<id> or person:<id>
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    updated_at: datetime = _utc(default_factory=utcnow, nullable=False)


class MeetingAttendance(SQLModel, table=True):
    """A member and a meeting: their RSVP, whether they came, their pulse. An erased member's
    row stays with no person, so a meeting's counts do not change."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id", name="uq_meeting_attendance"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="group_meeting.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    rsvp: str | None = Field(default=None, max_length=8)  # coming, cant
    rsvp_at: datetime | None = _utc()
    attended: bool | None = None
    helpful: bool | None = None  # the pulse after the meeting


class GroupTask(SQLModel, table=True):
    """The groups' due rows, claimed by the group tick: an invitation or a poll to send, a
    reminder, a pulse, a vote, a check-in, a change notice; one row per unique key."""

    __tablename__ = "group_task"
    __table_args__ = (
        UniqueConstraint("key", name="uq_group_task_key"),
        Index("ix_group_task_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    kind: str = Field(max_length=16)
    group_id: int = Field(foreign_key="peer_group.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="group_meeting.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # pending -> done; waiting (held back), cancelled, skipped
    status: str = Field(default="pending", max_length=16)
    due_at: datetime = _utc(nullable=False)
    fired_at: datetime | None = _utc()
    note: str | None = Field(default=None, max_length=500)  # an announcement's text, a reason
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)

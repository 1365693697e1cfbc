"""The mentor network: mentors (trained volunteers), requests for a mentor, matches, conflict
flags staff set, the mentoring due rows and the answers to pulses and evaluations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow

# A match still under way: proposed to staff, offered to the mentor, accepted by the mentor
# (the mentee is asked), or active. A mentee has at most one (a partial unique index).
OPEN_MATCH = ("proposed", "offered", "accepted", "active")
_OPEN_MATCH_SQL = text("status IN ('proposed', 'offered', 'accepted', 'active')")


class Mentor(SQLModel, table=True):
    """A volunteer who mentors: their profile as a mentor and where screening, training and
    approval stand. Their person row holds who they are (district, gender, languages...)."""

    __tablename__ = "mentor"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    # applied -> approved; paused (by staff or themselves), withdrawn
    status: str = Field(default="applied", max_length=16, index=True)
    capacity: int = 2  # mentees at once
    languages: list[str] = _json(list)  # besides the person's own language
    skills: list[str] = _json(list)  # what they can help with (content/options.yaml want)
    availability: str | None = Field(default=None, max_length=16)  # options: availability
    abroad_in: str | None = Field(default=None, max_length=60)  # where they migrated to
    years_abroad: int | None = None
    returned_on: date | None = None  # their own return
    screened_on: date | None = None
    screened_by: int | None = Field(default=None, foreign_key="staff.id")
    trained_on: date | None = None  # the initial training's first day
    training_days: int | None = None
    refreshed_on: date | None = None  # the last refresher training
    approved_at: datetime | None = _utc()
    approved_by: int | None = Field(default=None, foreign_key="staff.id")
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    updated_at: datetime = _utc(default_factory=utcnow, nullable=False)


class MentorRequest(SQLModel, table=True):
    """A returnee asking for a mentor, with what they prefer; open until matched or closed."""

    __tablename__ = "mentor_request"
    __table_args__ = (
        Index(
            "uq_mentor_request_open",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: str = Field(default="waiting", max_length=16)  # waiting, matched, withdrawn
    prefers_gender: str | None = Field(default=None, max_length=16)
    prefers_language: str | None = Field(default=None, max_length=8)
    prefers_sector: bool = False
    abroad_in: str | None = Field(default=None, max_length=60)
    years_abroad: int | None = None
    via: str = Field(default="chat", max_length=16)  # chat, staff
    requested_at: datetime = _utc(default_factory=utcnow, nullable=False)
    closed_at: datetime | None = _utc()


class MentorMatch(SQLModel, table=True):
    """A mentor and a mentee: proposed by a matching run, approved by staff, offered to the
    mentor, accepted by both, then a cycle; or declined, expired, rejected, ended."""

    __tablename__ = "mentor_match"
    __table_args__ = (
        Index(
            "uq_mentor_match_open",
            "mentee_id",
            unique=True,
            sqlite_where=_OPEN_MATCH_SQL,
            postgresql_where=_OPEN_MATCH_SQL,
        ),
        Index("ix_mentor_match_mentor", "mentor_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentor.id")
    mentee_id: int = Field(foreign_key="person.id")
    request_id: int | None = Field(default=None, foreign_key="mentor_request.id")
    # proposed -> offered -> accepted -> active -> ended; declined, expired, rejected
    status: str = Field(default="proposed", max_length=16)
    score: int = 0
    parts: list[Any] = _json(list)  # [[part, points], ...]: why, as the run saw it
    run: str | None = Field(default=None, max_length=32)  # the matching run that proposed it
    proposed_at: datetime = _utc(default_factory=utcnow, nullable=False)
    proposed_by: int | None = Field(default=None, foreign_key="staff.id")
    approved_by: int | None = Field(default=None, foreign_key="staff.id")
    offered_at: datetime | None = _utc()
    answer_due_at: datetime | None = _utc()  # the mentor's, then the mentee's
    mentor_answered_at: datetime | None = _utc()
    mentee_answered_at: datetime | None = _utc()
    declined_by: str | None = Field(default=None, max_length=16)  # mentor, mentee, staff, timeout
    # How each may be reached, as they consented to share it when they said yes ("phone",
    # "telegram", or a number they typed); shared only once both have.
    mentor_reach: str | None = Field(default=None, max_length=32)
    mentee_reach: str | None = Field(default=None, max_length=32)
    started_on: date | None = None
    ends_on: date | None = None
    ended_at: datetime | None = _utc()
    outcome: str | None = Field(default=None, max_length=16)  # continue, rematch, close
    updated_at: datetime = _utc(default_factory=utcnow, nullable=False)


class MentorConflict(SQLModel, table=True):
    """Staff know why these two must never be paired (family feud, a debt between them)."""

    __tablename__ = "mentor_conflict"
    __table_args__ = (UniqueConstraint("mentor_id", "person_id", name="uq_mentor_conflict"),)

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentor.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)


class MentoringTask(SQLModel, table=True):
    """Mentoring's due rows, claimed by the mentoring tick: a pairing offer to send, an
    answer's time running out; one row per unique key (kind, match, role)."""

    __tablename__ = "mentoring_task"
    __table_args__ = (
        UniqueConstraint("key", name="uq_mentoring_task_key"),
        Index("ix_mentoring_task_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    kind: str = Field(max_length=24)  # offer, answer_due
    match_id: int | None = Field(default=None, foreign_key="mentor_match.id", index=True)
    role: str | None = Field(default=None, max_length=16)  # mentor, mentee
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # pending -> done; waiting (held back: a conversation, the daily cap), cancelled
    status: str = Field(default="pending", max_length=16)
    due_at: datetime = _utc(nullable=False)
    fired_at: datetime | None = _utc()
    note: str | None = Field(default=None, max_length=120)
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)


class MentorPulse(SQLModel, table=True):
    """An answer during or at the end of a cycle: the mentee's monthly pulse (1 to 5, a
    comment), the mentor's monthly "we were in touch" (1 yes, 0 no), each side's evaluation
    at the end (and the mentee's choice: continue, rematch, close). Staff read them; the
    mentor never sees the mentee's."""

    __tablename__ = "mentor_pulse"
    __table_args__ = (
        UniqueConstraint("match_id", "kind", "role", "month", name="uq_mentor_pulse"),
    )

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="mentor_match.id")
    kind: str = Field(max_length=16)  # pulse, log, evaluation
    role: str = Field(max_length=16)  # mentee, mentor
    month: int  # of the cycle; the evaluation is the cycle's last
    score: int | None = None
    comment: str | None = Field(default=None, max_length=500)
    outcome: str | None = Field(default=None, max_length=16)  # continue, rematch, close
    answered_at: datetime = _utc(nullable=False)

"""Tables of the spine (DESIGN.md, Data). UTC everywhere; one table family per idea."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.timeutil import UTCDateTime, utcnow


def _utc(**kwargs: Any) -> Any:
    nullable = kwargs.pop("nullable", True)
    index = kwargs.pop("index", False)
    return Field(sa_type=UTCDateTime, nullable=nullable, index=index, **kwargs)


def _json(default_factory) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


def new_public_id() -> str:
    return uuid.uuid4().hex


class Person(SQLModel, table=True):
    """A returnee, community member or mentor. Profile fields stay empty until consent."""

    __table_args__ = (
        # The people list counts and pages the living (not erased) by id, and searches their
        # names: this index serves all three without reading the table.
        Index(
            "ix_person_live_name",
            "id",
            "display_name",
            "public_id",
            sqlite_where=text("erased_at IS NULL"),
            postgresql_where=text("erased_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, max_length=32)
    # Lifecycle: onboarding -> active; declined keeps nothing but the opt-out.
    status: str = Field(default="onboarding", max_length=20, index=True)
    language: str | None = Field(default=None, max_length=8)
    timezone: str | None = Field(default=None, max_length=64)
    display_name: str | None = Field(default=None, max_length=80)
    role: str | None = Field(default=None, max_length=20)
    district: str | None = Field(default=None, max_length=64, index=True)
    district_other: str | None = Field(default=None, max_length=120)
    return_date: date | None = Field(default=None, index=True)
    return_date_precision: str | None = Field(default=None, max_length=8)
    gender: str | None = Field(default=None, max_length=20)
    age_band: str | None = Field(default=None, max_length=20)
    sector: str | None = Field(default=None, max_length=40)
    sector_other: str | None = Field(default=None, max_length=120)
    interests: str | None = Field(default=None, max_length=40)
    preferred_time: str | None = Field(default=None, max_length=20)
    vulnerabilities: list[str] = _json(list)
    enrolled_by_staff: bool = False
    enrolled_at: datetime | None = _utc()
    # Follow-up: the plan chosen by the profile rules, and how often it was recomputed.
    plan: str | None = Field(default=None, max_length=40)
    plan_revision: int = 0
    facilitator_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    # Three missed waves in a row (or a permanent delivery failure) make a person unreachable.
    missed_in_row: int = 0
    unreachable_at: datetime | None = _utc()
    # How their time in the programme ended: completed, remigrated, left_programme.
    outcome: str | None = Field(default=None, max_length=32)
    outcome_at: datetime | None = _utc()
    # Staff may pause follow-ups (a hospital stay, a move) and resume them.
    followup_paused: bool = False
    erased_at: datetime | None = _utc()
    opted_out_at: datetime | None = _utc()
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    updated_at: datetime = _utc(default_factory=utcnow, nullable=False)


class Contact(SQLModel, table=True):
    """One way to reach a person: a channel and an address on it."""

    __table_args__ = (
        UniqueConstraint("channel", "address", name="uq_contact_channel_address"),
        # Searching by part of a number reads this narrow index, not the contact rows.
        Index("ix_contact_address_person", "address", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    address: str = Field(max_length=64)
    stopped: bool = False
    stopped_at: datetime | None = _utc()
    stopped_reason: str | None = Field(default=None, max_length=32)
    # While opted out we answer at most once a day with how to come back.
    comeback_hint_at: datetime | None = _utc()
    last_inbound_at: datetime | None = _utc()
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)


class Consent(SQLModel, table=True):
    """One decision about one purpose; the latest row per purpose is in force."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    purpose: str = Field(max_length=32)
    version: str = Field(max_length=32)
    granted: bool
    channel: str = Field(max_length=16)
    at: datetime = _utc(default_factory=utcnow, nullable=False)


class Conversation(SQLModel, table=True):
    """The one active conversation of a person: which flow, which step, its state."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    flow: str | None = Field(default=None, max_length=40)
    step: str | None = Field(default=None, max_length=60)
    state: dict[str, Any] = _json(dict)
    updated_at: datetime = _utc(default_factory=utcnow, nullable=False)


class Inbound(SQLModel, table=True):
    """Everything received, stored before it is acknowledged; processed from this row."""

    __table_args__ = (
        UniqueConstraint("channel", "provider_id", name="uq_inbound_channel_provider_id"),
        Index("ix_inbound_pending", "processed_at", "id"),
        # The inbox: what still waits for a person, without reading every message.
        Index(
            "ix_inbound_open_handoff",
            "person_id",
            "received_at",
            sqlite_where=text("handoff IS NOT NULL AND handled_at IS NULL"),
            postgresql_where=text("handoff IS NOT NULL AND handled_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    provider_id: str = Field(max_length=64)
    address: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=16)
    text: str | None = None
    choice: str | None = Field(default=None, max_length=64)
    # Twilio Advanced Opt-Out already answered STOP/START/HELP for us.
    provider_keyword: str | None = Field(default=None, max_length=16)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # Set when a person should read this (unhandled text, "talk to a person").
    handoff: str | None = Field(default=None, max_length=32)
    assigned_to: int | None = Field(default=None, foreign_key="staff.id")
    handled_at: datetime | None = _utc()
    handled_by: int | None = Field(default=None, foreign_key="staff.id")
    received_at: datetime = _utc(default_factory=utcnow, nullable=False)
    processed_at: datetime | None = _utc()
    attempts: int = 0
    error: str | None = None


class Outbound(SQLModel, table=True):
    """The outbox: a message is a row before it is sent."""

    __table_args__ = (
        Index("ix_outbound_due", "status", "next_attempt_at"),
        Index("ix_outbound_contact", "contact_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    contact_id: int = Field(foreign_key="contact.id")
    channel: str = Field(max_length=16)
    body: str
    choices: list[dict[str, str]] = _json(list)
    language: str | None = Field(default=None, max_length=8)
    # Where it came from (flow message key, "reply", "prompt:..."); helps staff read a timeline.
    origin: str | None = Field(default=None, max_length=80)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _utc(default_factory=utcnow, nullable=False)
    claimed_until: datetime | None = _utc()
    provider_id: str | None = Field(default=None, max_length=64, index=True)
    segments: int | None = None
    error_code: str | None = Field(default=None, max_length=32)
    error: str | None = None
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    sent_at: datetime | None = _utc()
    delivered_at: datetime | None = _utc()
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id", index=True)
    # Written by staff from the admin (a reply, a broadcast), not by a flow.
    staff_id: int | None = Field(default=None, foreign_key="staff.id")


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(default="facilitator", max_length=20)
    active: bool = True
    language: str = Field(default="en", max_length=8)
    # Districts a facilitator covers: people enrolling there are assigned to them.
    districts: list[str] = _json(list)
    last_login_at: datetime | None = _utc()
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)


class AuditLog(SQLModel, table=True):
    """Append-only record of who changed or viewed what."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(default_factory=utcnow, nullable=False, index=True)
    actor: str = Field(max_length=80)
    action: str = Field(max_length=60)
    person_id: int | None = Field(default=None, index=True)
    details: dict[str, Any] = _json(dict)


class ScheduledPrompt(SQLModel, table=True):
    """One step of a person's follow-up plan: a row with a due time, claimed by the tick."""

    __tablename__ = "scheduled_prompt"
    __table_args__ = (
        UniqueConstraint(
            "person_id", "step_key", "plan_revision", name="uq_prompt_person_step_revision"
        ),
        Index("ix_prompt_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Indexed by the unique constraint, which starts with person_id.
    person_id: int = Field(foreign_key="person.id")
    plan: str = Field(max_length=40)
    plan_revision: int
    step_key: str = Field(max_length=40)
    kind: str = Field(max_length=16)
    instrument: str | None = Field(default=None, max_length=40)
    message: str | None = Field(default=None, max_length=80)
    wave: str | None = Field(default=None, max_length=16)
    # pending -> (waiting) -> open -> answered | missed; skipped, superseded, cancelled
    status: str = Field(default="pending", max_length=16)
    due_at: datetime = _utc(nullable=False)
    claimed_until: datetime | None = _utc()
    fired_at: datetime | None = _utc()
    reminder_due_at: datetime | None = _utc()
    reminded_at: datetime | None = _utc()
    closes_at: datetime | None = _utc()
    answered_at: datetime | None = _utc()
    note: str | None = Field(default=None, max_length=120)
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)


class SurveyResponse(SQLModel, table=True):
    """One filled-in instrument. Anonymous responses have no person, prompt or exact time."""

    __tablename__ = "survey_response"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    prompt_id: int | None = Field(default=None, foreign_key="scheduled_prompt.id")
    instrument: str = Field(max_length=40)
    version: int
    wave: str | None = Field(default=None, max_length=16)
    anonymous: bool = False
    language: str | None = Field(default=None, max_length=8)
    # Dimension scores (0..1) and the composite, with the weights' version used.
    scores: dict[str, Any] = _json(dict)
    composite: float | None = None
    completed_on: date
    # Facilitator-assisted answers (someone without a phone of their own): who recorded them.
    recorded_by: int | None = Field(default=None, foreign_key="staff.id")


class Answer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("response_id", "question_id", name="uq_answer_question"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="survey_response.id", index=True)
    question_id: str = Field(max_length=40)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    score: float | None = None  # 0..1 where the question is scored


class FeedbackRespondent(SQLModel, table=True):
    """Who took part in a feedback round (not what they said): for "you said, we did"."""

    __tablename__ = "feedback_respondent"
    __table_args__ = (UniqueConstraint("round", "contact_id", name="uq_feedback_round_contact"),)

    id: int | None = Field(default=None, primary_key=True)
    round: str = Field(max_length=40)
    contact_id: int = Field(foreign_key="contact.id")


class Alert(SQLModel, table=True):
    """Something a person must act on; open until a staff member closes it with a note."""

    __table_args__ = (Index("ix_alert_open", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    reason: str = Field(max_length=40)  # distress_score, safety, phrase, unreachable, ...
    severity: str = Field(max_length=12)  # high, medium, low
    detail: str | None = Field(default=None, max_length=500)
    owner_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    status: str = Field(default="open", max_length=12)
    due_at: datetime = _utc(nullable=False)
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    closed_at: datetime | None = _utc()
    closed_by: int | None = Field(default=None, foreign_key="staff.id")
    close_note: str | None = None


class StaffSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _utc(nullable=False)
    last_seen_at: datetime = _utc(nullable=False)
    expires_at: datetime = _utc(nullable=False)


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins, by email and by address, to slow down guessing."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    at: datetime = _utc(nullable=False, index=True)


class Broadcast(SQLModel, table=True):
    """A message from staff to an audience, a text per language."""

    id: int | None = Field(default=None, primary_key=True)
    created_by: int = Field(foreign_key="staff.id")
    texts: dict[str, str] = _json(dict)
    audience: dict[str, Any] = _json(dict)
    status: str = Field(default="sending", max_length=16)
    recipients: int = 0
    # What staff saw before sending: segments and cost per language, for the record.
    estimate: dict[str, Any] = _json(dict)
    # One per preview: the same "send" twice (a double click, a re-post on a bad line)
    # finds this broadcast instead of sending everything again.
    nonce: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = _utc(nullable=False)
    finished_at: datetime | None = _utc()


class ResultsSnapshot(SQLModel, table=True):
    """Results aggregated ahead of time, so the results page reads one row, not every answer.

    These are anonymous aggregates: erasing a person leaves them until the next computation."""

    __tablename__ = "results_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    computed_at: datetime = _utc(nullable=False)
    data: dict[str, Any] = _json(dict)


class ProgrammeSetting(SQLModel, table=True):
    """A programme setting an admin changed in the page; it overrides content/programme.yaml."""

    __tablename__ = "programme_setting"

    key: str = Field(primary_key=True, max_length=40)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime = _utc(nullable=False)
    updated_by: int | None = Field(default=None, foreign_key="staff.id")

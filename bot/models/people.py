"""People and how to reach them: person, contact, consent, conversation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc, new_public_id
from bot.timeutil import utcnow


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
    # Their public name on the channel (a Telegram username), kept from their latest message.
    handle: str | None = Field(default=None, max_length=64)
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
    # Consent taken outside the service (an import): who took it, as the file says.
    taken_by: str | None = Field(default=None, max_length=64)


class Conversation(SQLModel, table=True):
    """The one active conversation of a person: which flow, which step, its state."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    flow: str | None = Field(default=None, max_length=40)
    step: str | None = Field(default=None, max_length=60)
    state: dict[str, Any] = _json(dict)
    updated_at: datetime = _utc(default_factory=utcnow, nullable=False)

"""Messages in and out: the inbox and the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow


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
    handle: str | None = Field(default=None, max_length=64)  # the sender's Telegram username
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # Set when a person should read this (unhandled text, "talk to a person").
    handoff: str | None = Field(default=None, max_length=32)
    # Possibly a cry for help (flows/distress/): read by this time, first in the inbox.
    review_due_at: datetime | None = _utc()
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
        # The daily cap counts a person's programme-initiated messages of a local day.
        Index(
            "ix_outbound_initiated",
            "person_id",
            "initiated_at",
            sqlite_where=text("initiated_at IS NOT NULL"),
            postgresql_where=text("initiated_at IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # A person's contact, or (for a notice to staff) a staff member's linked contact.
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    staff_contact_id: int | None = Field(default=None, foreign_key="staff_contact.id")
    channel: str = Field(max_length=16)
    body: str
    choices: list[dict[str, str]] = _json(list)
    language: str | None = Field(default=None, max_length=8)
    # Where it came from (flow message key, "reply", "prompt:..."); helps staff read a timeline.
    origin: str | None = Field(default=None, max_length=80)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _utc(default_factory=utcnow, nullable=False)
    # Set on a message the programme started (prompt, reminder, broadcast) to when it is
    # due: the daily cap counts these. Replies and safety messages leave it empty.
    initiated_at: datetime | None = _utc()
    claimed_until: datetime | None = _utc()
    # Which instance claimed it (HOMECOMING_INSTANCE), so a restarted one takes its own
    # rows back at once; and when the provider call began: set right before it, so a row
    # claimed by a process that died is known never to have been tried.
    claimed_by: str | None = Field(default=None, max_length=64)
    attempted_at: datetime | None = _utc()
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


class RateBudget(SQLModel, table=True):
    """A provider's rate limit shared by every instance on one PostgreSQL database: a token
    bucket per key (the bot, a chat, an SMS sender), refilled by the database's own clock.
    Tokens below zero are sends already promised: each caller waits its share."""

    __tablename__ = "rate_budget"

    key: str = Field(primary_key=True, max_length=80)
    tokens: float = 0.0
    updated_at: datetime = _utc(nullable=False)
    paused_until: datetime | None = _utc()

"""Alerts: something a person must act on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from bot.models.base import _utc
from bot.timeutil import utcnow


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
    # When the owner was sent a notice of this high alert (or found to have nowhere to get
    # one), and when the safeguarding lead was told it is still open past its due time.
    owner_noticed_at: datetime | None = _utc()
    escalated_at: datetime | None = _utc()
    closed_at: datetime | None = _utc()
    closed_by: int | None = Field(default=None, foreign_key="staff.id")
    close_note: str | None = None


class AlertMessage(SQLModel, table=True):
    """What an alert holds: the message (or answer) that raised it and every repeat, each
    kept with its own severity, never folded away silently."""

    __tablename__ = "alert_message"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inbound.id")
    reason: str = Field(max_length=40)
    severity: str = Field(max_length=12)
    detail: str | None = Field(default=None, max_length=500)
    at: datetime = _utc(default_factory=utcnow, nullable=False)

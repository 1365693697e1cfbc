"""Staff, their sessions and sign-in attempts, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow


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


class StaffContact(SQLModel, table=True):
    """A staff member's own Telegram chat or phone, linked with a one-time code they sent to
    the bot: where their alert notices go. Never a person's contact."""

    __tablename__ = "staff_contact"
    __table_args__ = (
        UniqueConstraint("channel", "address", name="uq_staff_contact_channel_address"),
    )

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    channel: str = Field(max_length=16)
    address: str = Field(max_length=64)
    linked_at: datetime = _utc(nullable=False)
    # Unlinked by them (STOP) or by the provider (blocked, unreachable): nothing goes there.
    stopped_at: datetime | None = _utc()
    stopped_reason: str | None = Field(default=None, max_length=32)


class StaffLinkCode(SQLModel, table=True):
    """A one-time code shown on the staff member's account page; only its hash is stored."""

    __tablename__ = "staff_link_code"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _utc(nullable=False)
    expires_at: datetime = _utc(nullable=False)
    used_at: datetime | None = _utc()


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


class AuditLog(SQLModel, table=True):
    """Append-only record of who changed or viewed what."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(default_factory=utcnow, nullable=False, index=True)
    actor: str = Field(max_length=80)
    action: str = Field(max_length=60)
    person_id: int | None = Field(default=None, index=True)
    details: dict[str, Any] = _json(dict)

"""What other systems use to reach the service: API tokens (one per integration, hashed at
rest, scoped, revocable)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow


class ApiToken(SQLModel, table=True):
    """A case-management system's key to /api/v1. Only its SHA-256 is kept; the token itself
    is shown once, when an admin creates it."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)  # the token's first characters, to tell tokens apart
    scopes: list[str] = _json(list)  # read, write, identities
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    last_used_at: datetime | None = _utc()
    revoked_at: datetime | None = _utc()
    revoked_by: int | None = Field(default=None, foreign_key="staff.id")

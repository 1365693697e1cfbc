"""Programme settings admins changed in the page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bot.models.base import _utc


class ProgrammeSetting(SQLModel, table=True):
    """A programme setting an admin changed in the page; it overrides content/programme.yaml."""

    __tablename__ = "programme_setting"

    key: str = Field(primary_key=True, max_length=40)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime = _utc(nullable=False)
    updated_by: int | None = Field(default=None, foreign_key="staff.id")

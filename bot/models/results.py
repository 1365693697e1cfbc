"""Results aggregated ahead of time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc


class ResultsSnapshot(SQLModel, table=True):
    """Results aggregated ahead of time, so the results page reads one row, not every answer.

    These are anonymous aggregates: erasing a person leaves them until the next computation."""

    __tablename__ = "results_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    computed_at: datetime = _utc(nullable=False)
    data: dict[str, Any] = _json(dict)

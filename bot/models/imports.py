"""A people import from a spreadsheet: the file as uploaded, its column mapping, and how far
writing it has gone (so a page can show progress, and a crash resumes where it stopped)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow


class PeopleImport(SQLModel, table=True):
    """uploaded -> running -> done (or failed); the file is dropped once it is done."""

    __tablename__ = "people_import"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=200)
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    mapping: dict = _json(dict)  # column index (as text) -> field
    status: str = Field(default="uploaded", max_length=16, index=True)
    total: int = 0  # rows in the file
    processed: int = 0  # rows written or skipped so far
    created: int = 0
    invited: int = 0  # of those created: without consent, invited through the consent flow
    existing: int = 0  # already here: left as they were
    invalid: int = 0
    problems: list = _json(list)  # [line, [message keys]] for the rows not written
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    started_at: datetime | None = _utc()
    updated_at: datetime | None = _utc()
    finished_at: datetime | None = _utc()

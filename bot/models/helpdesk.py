"""The inbox as a helpdesk: saved replies staff send in a few clicks (a text per language),
and notes staff leave on a person's thread for each other (never sent)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow


class CannedReply(SQLModel, table=True):
    """A saved reply, managed by admins: a title staff pick it by, a text per language."""

    __tablename__ = "canned_reply"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=80)
    texts: dict[str, str] = _json(dict)
    active: bool = True
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    updated_at: datetime = _utc(default_factory=utcnow, nullable=False)


class ThreadNote(SQLModel, table=True):
    """A note on a person's thread, for staff only: never sent to the person."""

    __tablename__ = "thread_note"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    text: str = Field(max_length=2000)
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)

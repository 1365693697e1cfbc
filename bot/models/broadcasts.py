"""Broadcasts: one message from staff to many people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc


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
    # "Reply if you want to come": for this many days after it reached them, what a person
    # writes back goes to the inbox (not to a question they had open). 0: no replies asked.
    reply_days: int = 0
    # Sent from this moment on (each person still in their own daytime); None: at once.
    send_at: datetime | None = _utc()

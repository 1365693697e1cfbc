"""A meeting's time as a person reads it: their own language, their own timezone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flows.content import Content


def local_when(content: Content, language: str, starts_at: datetime, timezone: str) -> str:
    """ "Tuesday 5 January, 18:00" in their language and local time."""
    local = starts_at.astimezone(ZoneInfo(timezone))
    catalog = content.catalog
    return catalog.text(
        language,
        "groups.when",
        weekday=catalog.text(language, f"time.weekday.{local.isoweekday()}"),
        day=local.day,
        month=catalog.text(language, f"time.month.{local.month}"),
        time=local.strftime("%H:%M"),
    )


def local_time(starts_at: datetime, timezone: str) -> str:
    return starts_at.astimezone(ZoneInfo(timezone)).strftime("%H:%M")

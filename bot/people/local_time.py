"""A person's own time: their timezone (else the programme's), and their local today."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.content import Content


def timezone_of(person, content: Content) -> str:
    """The person's timezone, else the programme's; an unknown name falls back to UTC.
    `person` is anything with a `timezone` attribute (a row, a record)."""
    name = person.timezone or content.programme.get("default_timezone", "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def local_today(person, content: Content, now: datetime) -> date:
    return now.astimezone(ZoneInfo(timezone_of(person, content))).date()


def programme_today(content: Content, now: datetime) -> date:
    """Today where the programme works (its default timezone): for staff's own work."""
    name = content.programme.get("default_timezone", "UTC")
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()

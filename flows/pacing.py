"""Pacing: when a programme message may reach a person. Pure: no clock, no storage.

One rule for every domain that writes first (follow-up, broadcasts, and the reminders of
mentoring, groups and savings): the person's local daytime window, quiet hours inside it,
rest days, and at most `max_per_day` programme messages a local day. Replies to what the
person just wrote and safety messages are never paced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Delivery:
    window: tuple[time, time] = (time(9), time(19))
    quiet_hours: tuple[tuple[time, time], ...] = ()
    rest_days: frozenset[int] = frozenset()
    max_per_day: int = 2
    preferred_times: dict[str, time] = field(default_factory=dict)


def next_slot(moment: datetime, timezone: str, delivery: Delivery) -> datetime:
    """The first instant at or after `moment` when a programme message may arrive."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    start, end = delivery.window
    for _ in range(60):
        day = local.date()
        if day.weekday() in delivery.rest_days:
            local = at_local(day + timedelta(days=1), start, zone)
            continue
        opening, closing = at_local(day, start, zone), at_local(day, end, zone)
        if local < opening:
            local = opening
        if local >= closing:
            local = at_local(day + timedelta(days=1), start, zone)
            continue
        quiet = next(
            (
                q
                for q in delivery.quiet_hours
                if at_local(day, q[0], zone) <= local < at_local(day, q[1], zone)
            ),
            None,
        )
        if quiet is not None:
            local = at_local(day, quiet[1], zone)
            continue
        return local.astimezone(UTC)
    raise ValueError("the delivery settings leave no time to send anything")


def at_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Local wall time; a time skipped by a daylight-saving change lands just after it."""
    naive = datetime.combine(day, at)
    moment = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return (
        moment
        if moment.replace(tzinfo=None) >= naive
        else (naive + timedelta(hours=1)).replace(tzinfo=zone)
    )


def local_midnight(moment: datetime, timezone: str) -> datetime:
    """The start of the person's local day containing `moment` (aware, local)."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def tomorrow_slot(moment: datetime, timezone: str, delivery: Delivery) -> datetime:
    """The first allowed instant of the person's next local day."""
    midnight = local_midnight(moment, timezone) + timedelta(days=1)
    return next_slot(midnight, timezone, delivery)


def _time(text: str) -> time:
    hours, minutes = str(text).split(":")
    return time(int(hours), int(minutes))


def delivery_from_dict(raw: dict[str, Any]) -> Delivery:
    window = tuple(_time(t) for t in raw.get("window", ["09:00", "19:00"]))
    if len(window) != 2 or window[0] >= window[1]:
        raise ValueError("plans: delivery window must be [start, end] with start before end")
    rest = frozenset(WEEKDAYS.index(str(d).lower()) for d in raw.get("rest_days", []))
    if len(rest) == 7:
        raise ValueError("plans: every day is a rest day")
    return Delivery(
        window=window,  # type: ignore[arg-type]
        quiet_hours=tuple((_time(a), _time(b)) for a, b in raw.get("quiet_hours", [])),
        rest_days=rest,
        max_per_day=int(raw.get("max_per_day", 2)),
        preferred_times={k: _time(v) for k, v in raw.get("preferred_times", {}).items()},
    )

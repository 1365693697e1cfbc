"""The programme's peer-group rules (content/groups.yaml) and the decisions made from them:
size warnings, newcomers in new groups, the best time of a poll, the one-year end and when
reminders fall due. Pure: times in, times out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flows.dates import add_months
from flows.pacing import Delivery, at_local, next_slot

ANSWERS = ("yes", "maybe", "no")  # a poll answer per time: Yes, If need be, No
# A reminder later than this before the start is no use: none is sent.
LAST_CALL = timedelta(minutes=15)
# Why staff might place someone against the rules (kept with the membership).
WARNINGS = ("below_min", "above_max", "newcomer_to_ongoing", "not_newcomer_to_forming")


@dataclass(frozen=True)
class GroupRules:
    min_size: int = 8
    max_size: int = 20
    series_min: int = 1
    series_max: int = 6
    meeting_minutes: int = 60
    last_months: int = 12
    slots_min: int = 2
    slots_max: int = 5
    invitation_days: int = 7
    poll_days: int = 5
    days_before: int = 2
    morning: time = time(8, 0)
    pulse_after_minutes: int = 90
    misses_for_checkin: int = 2

    def size_warnings(self, members: int) -> tuple[str, ...]:
        """Below 8 or above 20 joined members: a warning, never a refusal."""
        if members < self.min_size:
            return ("below_min",)
        if members > self.max_size:
            return ("above_max",)
        return ()

    def ends_by(self, first_meeting: date) -> date:
        """A group ends at the latest a year after its first meeting."""
        return add_months(first_meeting, self.last_months)

    def may_meet(self, starts_at: datetime, first_meeting_at: datetime | None) -> bool:
        if first_meeting_at is None:
            return True
        return starts_at.date() < self.ends_by(first_meeting_at.date())


def placement_warnings(newcomer: bool, group_has_met: bool) -> tuple[str, ...]:
    """Newcomers form new groups rather than joining ongoing ones; a group still forming
    is for newcomers. Staff may place someone anyway (distance, existing bonds)."""
    if newcomer and group_has_met:
        return ("newcomer_to_ongoing",)
    if not newcomer and not group_has_met:
        return ("not_newcomer_to_forming",)
    return ()


@dataclass(frozen=True)
class SlotTally:
    position: int
    yes: int = 0
    maybe: int = 0
    no: int = 0

    @property
    def answered(self) -> int:
        return self.yes + self.maybe + self.no


def tally(answers: Iterable[tuple[int, str]], positions: Iterable[int]) -> tuple[SlotTally, ...]:
    """Counts (position, answer) pairs per time."""
    counts = {p: {"yes": 0, "maybe": 0, "no": 0} for p in positions}
    for position, answer in answers:
        if position in counts and answer in ANSWERS:
            counts[position][answer] += 1
    return tuple(SlotTally(p, **c) for p, c in sorted(counts.items()))


def best_slot(tallies: Iterable[SlotTally]) -> int | None:
    """Most Yes, then fewest No, then the earlier-listed time; None before any answer."""
    ranked = sorted(tallies, key=lambda t: (-t.yes, t.no, t.position))
    if not ranked or ranked[0].answered == 0:
        return None
    return ranked[0].position


def weekly(first_local: datetime, count: int, zone: ZoneInfo) -> tuple[datetime, ...]:
    """`count` meetings a week apart at the same local time, as UTC instants."""
    day, clock = first_local.date(), first_local.time().replace(tzinfo=None)
    return tuple(at_local(day + timedelta(weeks=i), clock, zone) for i in range(count))


def reminder_times(
    starts_at: datetime, timezone: str, rules: GroupRules, delivery: Delivery
) -> dict[str, datetime]:
    """When the two reminders fall due: `days_before` days ahead at the meeting's local time
    of day, and on the morning of it; each moved into the daytime window outside quiet
    hours, and dropped when that would be too close to the start (an early meeting before
    the window opens has only the first)."""
    zone = ZoneInfo(timezone)
    local = starts_at.astimezone(zone)
    before = at_local(local.date() - timedelta(days=rules.days_before), local.time(), zone)
    morning = at_local(local.date(), rules.morning, zone)
    due = {}
    for kind, moment in (("before", before), ("morning", morning)):
        slot = next_slot(moment, timezone, delivery)
        if slot <= starts_at - LAST_CALL:
            due[kind] = slot
    return due


def rules_from_dict(raw: Mapping[str, Any] | None) -> GroupRules:
    raw = dict(raw or {})
    size, series_, slots = (dict(raw.get(k) or {}) for k in ("size", "series", "slots"))
    reminders = dict(raw.get("reminders") or {})
    values = {
        "min_size": size.get("min", GroupRules.min_size),
        "max_size": size.get("max", GroupRules.max_size),
        "series_min": series_.get("min", GroupRules.series_min),
        "series_max": series_.get("max", GroupRules.series_max),
        "slots_min": slots.get("min", GroupRules.slots_min),
        "slots_max": slots.get("max", GroupRules.slots_max),
        "days_before": reminders.get("days_before", GroupRules.days_before),
    }
    for name in (
        "meeting_minutes",
        "last_months",
        "invitation_days",
        "poll_days",
        "pulse_after_minutes",
        "misses_for_checkin",
    ):
        values[name] = raw.get(name, getattr(GroupRules, name))
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"groups.yaml: {name} must be a whole number >= 1")
    if values["min_size"] > values["max_size"] or values["series_min"] > values["series_max"]:
        raise ValueError("groups.yaml: a minimum is above its maximum")
    if values["slots_max"] > 9:
        raise ValueError("groups.yaml: at most 9 times in a poll (answered digit by digit)")
    morning = str(reminders.get("morning", "08:00"))
    hours, minutes = (int(part) for part in morning.split(":"))
    return GroupRules(morning=time(hours, minutes), **values)

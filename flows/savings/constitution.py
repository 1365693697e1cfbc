"""A savings group's constitution: the rules the group sets for itself (DOMAIN.md, "Savings
groups", decision) and the programme's defaults a facilitator starts from
(content/savings.yaml). Pure: checking a constitution and the meeting dates it gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flows.dates import add_months

TYPES = ("savings_and_loan", "self_help", "collective_investment")
CADENCES = ("weekly", "fortnightly", "monthly", "dates")
INTEREST_METHODS = ("flat", "declining")
OFFICES = ("chair", "treasurer", "secretary")
# Who may report a meeting's record in the chat.
RECORDERS = ("treasurer", "secretary")


@dataclass(frozen=True)
class Constitution:
    cadence: str = "fortnightly"
    dates: tuple[date, ...] = ()  # the group's own meeting dates, when cadence is "dates"
    currency: str = "XOF"
    share_value: int = 500  # minor units
    min_shares: int = 1
    max_shares: int = 5
    social_fund: int = 100  # per member per meeting, minor units
    loan_multiple: Decimal = Decimal(3)
    interest_percent: Decimal = Decimal(2)  # per month
    interest_method: str = "flat"
    loan_term_months: int = 3
    fines: bool = False
    fine_late: int = 100
    fine_absent: int = 200
    cycle_start: date | None = None
    cycle_end: date | None = None
    share_out_on: date | None = None
    keep_in_social_fund: int = 0  # kept from the earnings at share-out, minor units
    meeting_time: time = time(10, 0)  # local time of the group's meetings

    def as_dict(self) -> dict[str, Any]:
        """Stored as JSON: dates as ISO text, Decimals as text, never floats."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, date | time):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = [d.isoformat() for d in value]
            out[f.name] = value
        return out


@dataclass(frozen=True)
class SavingsRules:
    """The programme's side: defaults, currencies, reminder timing, health thresholds."""

    defaults: Constitution = field(default_factory=Constitution)
    cycle_months: int = 12
    cycle_min_months: int = 6
    cycle_max_months: int = 12
    currencies: Mapping[str, int] = field(default_factory=lambda: {"XOF": 0})
    meeting_days_before: int = 1
    morning: time = time(8, 0)
    repayment_days_before: int = 3
    share_out_days: tuple[int, ...] = (30, 7, 1)
    health_meetings: int = 4
    overdue_days: int = 30
    repayment_alert_below: Decimal = Decimal("0.8")

    def decimals(self, currency: str) -> int:
        return self.currencies.get(currency, 2)

    def constitution(self, start: date, **changes: Any) -> Constitution:
        """The defaults for a cycle starting on `start`, with the group's own changes."""
        end = add_months(start, self.cycle_months) - timedelta(days=1)
        base = replace(self.defaults, cycle_start=start, cycle_end=end, share_out_on=end)
        return replace(base, **changes)


def problems(c: Constitution, rules: SavingsRules) -> list[str]:
    """What is wrong with a constitution, as message keys (empty: it may be kept)."""
    wrong = []
    if c.cadence not in CADENCES:
        wrong.append("savings.error.cadence")
    if c.cadence == "dates" and not c.dates:
        wrong.append("savings.error.dates")
    if c.currency not in rules.currencies:
        wrong.append("savings.error.currency")
    if c.share_value <= 0:
        wrong.append("savings.error.share_value")
    if not 0 <= c.min_shares <= c.max_shares or c.max_shares < 1:
        wrong.append("savings.error.shares")
    if c.social_fund < 0 or c.keep_in_social_fund < 0 or c.fine_late < 0 or c.fine_absent < 0:
        wrong.append("savings.error.negative")
    if c.loan_multiple < 0 or not 0 <= c.interest_percent <= 20:
        wrong.append("savings.error.loan_rules")
    if c.interest_method not in INTEREST_METHODS:
        wrong.append("savings.error.interest_method")
    if not 1 <= c.loan_term_months <= 12:
        wrong.append("savings.error.loan_term")
    if c.cycle_start is None or c.cycle_end is None or c.cycle_end <= c.cycle_start:
        wrong.append("savings.error.cycle")
    else:
        months = (c.cycle_end - c.cycle_start).days / 30.44
        if not rules.cycle_min_months - 0.5 <= months <= rules.cycle_max_months + 0.5:
            wrong.append("savings.error.cycle_length")
        if c.share_out_on is None or not c.cycle_start < c.share_out_on <= c.cycle_end + timedelta(
            days=31
        ):
            wrong.append("savings.error.share_out")
        if c.cadence == "dates" and any(not c.cycle_start <= d <= c.cycle_end for d in c.dates):
            wrong.append("savings.error.dates")
    return wrong


def meeting_dates(c: Constitution) -> tuple[date, ...]:
    """Every meeting day of the cycle, from its start to its end."""
    if c.cycle_start is None or c.cycle_end is None:
        return ()
    if c.cadence == "dates":
        return tuple(sorted(d for d in set(c.dates) if c.cycle_start <= d <= c.cycle_end))
    days, n = [], 0
    while True:
        if c.cadence == "monthly":
            day = add_months(c.cycle_start, n)
        else:
            day = c.cycle_start + timedelta(weeks=n * (1 if c.cadence == "weekly" else 2))
        if day > c.cycle_end:
            return tuple(days)
        days.append(day)
        n += 1


def loan_limit(c: Constitution, savings: int) -> int:
    """The largest loan a member may take: a multiple of their savings (minor units)."""
    return int(c.loan_multiple * savings)


def constitution_from_dict(raw: Mapping[str, Any] | None, base: Constitution) -> Constitution:
    """A stored or content constitution over `base`; unknown keys are refused."""
    raw = dict(raw or {})
    known = {f.name: f for f in fields(Constitution)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ValueError(f"unknown constitution fields: {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        current = getattr(base, name)
        if value is None:
            values[name] = None
        elif isinstance(current, Decimal) or name in ("loan_multiple", "interest_percent"):
            values[name] = _decimal(value, name)
        elif name in ("cycle_start", "cycle_end", "share_out_on"):
            values[name] = value if isinstance(value, date) else date.fromisoformat(str(value))
        elif name == "dates":
            values[name] = tuple(
                d if isinstance(d, date) else date.fromisoformat(str(d)) for d in value
            )
        elif name == "meeting_time":
            values[name] = value if isinstance(value, time) else time.fromisoformat(str(value))
        elif name == "fines":
            values[name] = bool(value)
        elif isinstance(current, int):
            if isinstance(value, float):
                raise ValueError(f"{name}: a whole number of minor units, not {value!r}")
            values[name] = int(value)
        else:
            values[name] = str(value)
    return replace(base, **values)


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"{name}: write it as text ({value!r} would be a float)")
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"{name}: not a number: {value!r}") from error


def rules_from_dict(raw: Mapping[str, Any] | None) -> SavingsRules:
    raw = dict(raw or {})
    defaults = dict(raw.get("constitution") or {})
    cycle_months = int(defaults.pop("cycle_months", 12))
    reminders = dict(raw.get("reminders") or {})
    health = dict(raw.get("health") or {})
    cycle = dict(raw.get("cycle_months") or {})
    return SavingsRules(
        defaults=constitution_from_dict(defaults, Constitution()),
        cycle_months=cycle_months,
        cycle_min_months=int(cycle.get("min", 6)),
        cycle_max_months=int(cycle.get("max", 12)),
        currencies={str(k): int(v) for k, v in (raw.get("currencies") or {"XOF": 0}).items()},
        meeting_days_before=int(reminders.get("meeting_days_before", 1)),
        morning=time.fromisoformat(str(reminders.get("morning", "08:00"))),
        repayment_days_before=int(reminders.get("repayment_days_before", 3)),
        share_out_days=tuple(int(d) for d in reminders.get("share_out_days", (30, 7, 1))),
        health_meetings=int(health.get("meetings", 4)),
        overdue_days=int(health.get("overdue_days", 30)),
        repayment_alert_below=_decimal(
            health.get("repayment_alert_below", "0.8"), "repayment_alert_below"
        ),
    )

"""Follow-up plans: which prompts a person gets, and when. Pure: no clock, no storage.

Anchored on the return date in calendar months (31 January + 1 month = 28/29 February),
placed in the person's local daytime window, stored in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flows.dates import add_months
from flows.pacing import Delivery, at_local, delivery_from_dict, next_slot

KINDS = ("checkin", "survey", "feedback", "info", "closure")


@dataclass(frozen=True)
class Step:
    key: str
    kind: str
    instrument: str | None = None  # a survey in content/flows, for checkin/survey/feedback
    message: str | None = None  # a catalog key, for info/closure
    months: int = 0
    weeks: int = 0
    days: int = 0
    wave: str | None = None  # scores and feedback rounds are grouped by wave

    def local_date(self, return_date: date) -> date:
        return add_months(return_date, self.months) + timedelta(weeks=self.weeks, days=self.days)


@dataclass(frozen=True)
class Plan:
    name: str
    steps: tuple[Step, ...]
    requires_consent: str | None = None


@dataclass(frozen=True)
class NoReply:
    reminder_after: timedelta = timedelta(days=2)
    missed_after: timedelta = timedelta(days=2)
    unreachable_after: int = 3


@dataclass(frozen=True)
class Rule:
    plan: str
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def matches(self, profile: dict[str, Any]) -> bool:
        for name, allowed in self.when.items():
            value = profile.get(name)
            values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
            if not any(v in allowed for v in values):
                return False
        return True


@dataclass(frozen=True)
class Plans:
    version: int
    delivery: Delivery
    no_reply: NoReply
    grace: timedelta
    plans: dict[str, Plan]
    rules: tuple[Rule, ...]

    def choose(self, profile: dict[str, Any]) -> Plan:
        for rule in self.rules:
            if rule.matches(profile):
                return self.plans[rule.plan]
        return self.plans["default"]


@dataclass(frozen=True)
class Planned:
    step: Step
    due_at: datetime  # aware UTC
    status: str  # "pending", or "skipped" (late enrolment)


def plan_prompts(
    plan: Plan,
    plans: Plans,
    return_date: date,
    enrolled_at: datetime,
    timezone: str,
    preferred_time: str | None = None,
) -> list[Planned]:
    """Every step of the plan with its due time. Late enrolment: steps due before enrolment
    are skipped, except the most recent one, sent at once if it fell due within the grace."""
    delivery = plans.delivery
    first = delivery.preferred_times.get(preferred_time or "", delivery.window[0])
    zone = ZoneInfo(timezone)
    dated = sorted(
        (
            (step, at_local(step.local_date(return_date), first, zone).astimezone(UTC))
            for step in plan.steps
        ),
        key=lambda item: (item[1], item[0].key),
    )
    overdue = [index for index, (_, due) in enumerate(dated) if due < enrolled_at]
    latest = overdue[-1] if overdue else None
    planned = []
    for index, (step, due) in enumerate(dated):
        if index == latest and enrolled_at - due <= plans.grace:
            planned.append(Planned(step, next_slot(enrolled_at, timezone, delivery), "pending"))
        elif index in overdue:
            planned.append(Planned(step, due, "skipped"))
        else:
            planned.append(Planned(step, next_slot(due, timezone, delivery), "pending"))
    return planned


# -- loading from content/plans.yaml -------------------------------------------------------


def _step(raw: dict[str, Any], plan: str) -> Step:
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"plan {plan}: step {raw.get('key')}: unknown kind {kind!r}")
    if kind in ("checkin", "survey", "feedback") and not raw.get("instrument"):
        raise ValueError(f"plan {plan}: step {raw['key']} needs an instrument")
    if kind in ("info", "closure") and not raw.get("message"):
        raise ValueError(f"plan {plan}: step {raw['key']} needs a message")
    return Step(
        key=str(raw["key"]),
        kind=kind,
        instrument=raw.get("instrument"),
        message=raw.get("message"),
        months=int(raw.get("months", 0)),
        weeks=int(raw.get("weeks", 0)),
        days=int(raw.get("days", 0)),
        wave=raw.get("wave"),
    )


def plans_from_dict(data: dict[str, Any]) -> Plans:
    delivery = delivery_from_dict(data.get("delivery", {}))
    raw_no_reply = data.get("no_reply", {})
    no_reply = NoReply(
        reminder_after=timedelta(days=float(raw_no_reply.get("reminder_after_days", 2))),
        missed_after=timedelta(days=float(raw_no_reply.get("missed_after_days", 2))),
        unreachable_after=int(raw_no_reply.get("unreachable_after", 3)),
    )
    raw_plans = data.get("plans", {})
    plans: dict[str, Plan] = {}

    def build(name: str, seen: tuple[str, ...] = ()) -> Plan:
        if name in plans:
            return plans[name]
        if name in seen or name not in raw_plans:
            raise ValueError(f"plans: unknown or circular plan {name!r}")
        raw = raw_plans[name]
        steps = {s.key: s for s in (_step(r, name) for r in raw.get("steps", []))}
        if raw.get("extends"):
            base = build(raw["extends"], (*seen, name))
            inherited = {s.key: s for s in base.steps if s.key not in set(raw.get("drop", []))}
            steps = {**inherited, **steps}
        plans[name] = Plan(name, tuple(steps.values()), raw.get("requires_consent"))
        return plans[name]

    for name in raw_plans:
        build(name)
    if "default" not in plans:
        raise ValueError("plans: a 'default' plan is required")
    rules = tuple(
        Rule(
            plan=r["plan"],
            when={
                k: tuple(v if isinstance(v, list) else [v]) for k, v in r.get("when", {}).items()
            },
        )
        for r in data.get("rules", [])
    )
    for rule in rules:
        if rule.plan not in plans:
            raise ValueError(f"plans: rule names unknown plan {rule.plan!r}")
    grace = timedelta(days=float(data.get("catch_up", {}).get("grace_days", 30)))
    return Plans(int(data.get("version", 1)), delivery, no_reply, grace, plans, rules)

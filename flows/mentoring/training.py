"""Whether a mentor may be given new mentees: approved, and their training current.

Training is current from an initial training of at least `training_days_min` days until
`refresher_months` after it, or after the last refresher. A mentor whose training lapsed
keeps their current mentees but gets no new ones until a refresher is recorded."""

from __future__ import annotations

from datetime import date

from flows.dates import add_months
from flows.mentoring.rules import MentoringRules


def refresher_due(
    trained_on: date | None, refreshed_on: date | None, rules: MentoringRules
) -> date | None:
    last = max((d for d in (trained_on, refreshed_on) if d is not None), default=None)
    return None if last is None else add_months(last, rules.refresher_months)


def training_current(
    trained_on: date | None,
    training_days: int | None,
    refreshed_on: date | None,
    today: date,
    rules: MentoringRules,
) -> bool:
    if trained_on is None or (training_days or 0) < rules.training_days_min:
        return False
    due = refresher_due(trained_on, refreshed_on, rules)
    return due is not None and today < due


def ready(status: str, trained_on, training_days, refreshed_on, today: date, rules) -> bool:
    """May be matched with a new mentee."""
    return status == "approved" and training_current(
        trained_on, training_days, refreshed_on, today, rules
    )

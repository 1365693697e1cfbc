"""A group's health, for its facilitator's support (never for pressure on members):
attendance over the last meetings, savings per member, loans outstanding, the repayment rate
and the portfolio at risk.

- Repayment rate: of everything that had fallen due on the loans by today, the part paid
  (payments ahead of time count only up to what was due). No loan due yet: no rate.
- Portfolio at risk (PAR30): the principal outstanding on loans with an instalment overdue
  more than 30 days, over all principal outstanding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flows.savings.ledger import Box

PLACES = Decimal("0.001")


@dataclass(frozen=True)
class Health:
    attendance: Decimal | None  # share of member places filled at the last meetings
    meetings_counted: int
    members: int
    savings_per_member: int  # minor units, rounded down
    loans_outstanding: int
    repayment_rate: Decimal | None
    portfolio_at_risk: Decimal | None
    at_risk: int  # principal of the loans overdue more than the limit
    low_repayment: bool  # below the programme's threshold: the facilitator is told


def _ratio(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(PLACES, rounding=ROUND_HALF_UP)


def assess(
    box: Box,
    members: int,
    attendance: Sequence[tuple[int, int]],
    today: date,
    *,
    overdue_days: int = 30,
    alert_below: Decimal = Decimal("0.8"),
) -> Health:
    """`attendance`: (present, members then) for each of the last meetings counted."""
    present = sum(p for p, _ in attendance)
    places = sum(n for _, n in attendance)
    due = paid = at_risk = 0
    for state in box.loans.values():
        fallen = state.due_by(today)
        due += fallen
        paid += min(state.paid, fallen)
        if state.outstanding > 0 and state.days_overdue(today) > overdue_days:
            at_risk += state.outstanding
    rate = _ratio(paid, due)
    return Health(
        attendance=_ratio(present, places),
        meetings_counted=len(attendance),
        members=members,
        savings_per_member=box.total_savings // members if members else 0,
        loans_outstanding=box.loans_outstanding,
        repayment_rate=rate,
        portfolio_at_risk=_ratio(at_risk, box.loans_outstanding),
        at_risk=at_risk,
        low_repayment=rate is not None and rate < alert_below,
    )

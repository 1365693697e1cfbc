"""A loan from the group's box: its schedule of monthly instalments and what the member's
payments have covered. Interest per month is either flat (on the original amount) or
declining (on the principal still scheduled); the principal is repaid in equal parts, the
remainder of the division in the last. A payment covers the instalments in order, each one's
interest before its principal. Being late adds nothing (fines are the group's own choice)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flows.dates import add_months
from flows.savings.money import percent_of


@dataclass(frozen=True)
class LoanTerms:
    principal: int  # minor units
    issued_on: date
    interest_percent: Decimal  # per month
    method: str  # flat | declining
    term_months: int


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: date
    principal: int
    interest: int

    @property
    def amount(self) -> int:
        return self.principal + self.interest


def schedule(terms: LoanTerms) -> tuple[Instalment, ...]:
    term = max(1, terms.term_months)
    part, remainder = divmod(terms.principal, term)
    out, balance = [], terms.principal
    for n in range(1, term + 1):
        principal = part + (remainder if n == term else 0)
        base = terms.principal if terms.method == "flat" else balance
        interest = percent_of(base, terms.interest_percent)
        out.append(Instalment(n, add_months(terms.issued_on, n), principal, interest))
        balance -= principal
    return tuple(out)


@dataclass(frozen=True)
class LoanState:
    terms: LoanTerms
    instalments: tuple[Instalment, ...]
    paid: int  # everything paid, minor units
    interest_paid: int
    principal_paid: int
    overpaid: int  # paid beyond the whole schedule (the member's credit)
    # Per instalment: when it was covered in full (None: not yet).
    covered_on: tuple[date | None, ...]

    @property
    def outstanding(self) -> int:
        """Principal still out of the box."""
        return self.terms.principal - self.principal_paid

    @property
    def owed(self) -> int:
        """What remains of the whole schedule, interest included."""
        return sum(i.amount for i in self.instalments) - self.interest_paid - self.principal_paid

    def next_due(self) -> Instalment | None:
        for instalment, covered in zip(self.instalments, self.covered_on, strict=True):
            if covered is None:
                return instalment
        return None

    def left_on(self, instalment: Instalment) -> int:
        """What is still to pay of this instalment."""
        before = sum(i.amount for i in self.instalments if i.number < instalment.number)
        return max(0, min(instalment.amount, before + instalment.amount - self.paid))

    def due_by(self, day: date) -> int:
        """Everything that had fallen due by `day` (instalments due on or before it)."""
        return sum(i.amount for i in self.instalments if i.due_on <= day)

    def days_overdue(self, day: date) -> int:
        """How long the oldest instalment not covered has been past due on `day` (0: none)."""
        for instalment, covered in zip(self.instalments, self.covered_on, strict=True):
            late = covered is None or covered > day
            if late and instalment.due_on < day:
                return (day - instalment.due_on).days
            if late:
                return 0
        return 0


def apply_payments(
    terms: LoanTerms, payments: Iterable[tuple[date, int]], settled: Iterable[tuple[date, int]] = ()
) -> LoanState:
    """The loan after these payments (date, minor units), in date order. `settled`: the
    principal netted from the member's share-out, which closes the loan; interest not yet
    paid then is not charged."""
    instalments = schedule(terms)
    need = [[i.interest, i.principal] for i in instalments]
    covered: list[date | None] = [terms.issued_on if not i.amount else None for i in instalments]
    paid = interest = principal = overpaid = 0
    moves = [(d, a, False) for d, a in payments] + [(d, a, True) for d, a in settled]
    for day, amount, settle in sorted(moves, key=lambda p: (p[0], p[2])):
        paid += amount
        for n, left in enumerate(need):
            if amount <= 0:
                break
            if not settle:
                take = min(amount, left[0])
                left[0] -= take
                interest += take
                amount -= take
            take = min(amount, left[1])
            left[1] -= take
            principal += take
            amount -= take
            if left == [0, 0] and covered[n] is None:
                covered[n] = day
        if settle and principal == terms.principal:
            for n, left in enumerate(need):
                left[0] = 0
                covered[n] = covered[n] or day
        overpaid += max(0, amount)
    return LoanState(terms, instalments, paid, interest, principal, overpaid, tuple(covered))

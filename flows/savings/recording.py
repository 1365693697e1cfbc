"""A meeting's record as an officer reports it (in the chat or the admin), checked against
the constitution and the box, and turned into ledger entries. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flows.savings.constitution import Constitution, loan_limit
from flows.savings.ledger import Box


@dataclass(frozen=True)
class MeetingReport:
    """Member ids throughout. Amounts in minor units."""

    present: tuple[int, ...] = ()
    shares: dict[int, int] = field(default_factory=dict)  # shares bought
    social: tuple[int, ...] = ()  # paid the social fund
    loans: dict[int, int] = field(default_factory=dict)  # lent today
    repayments: dict[int, int] = field(default_factory=dict)
    fines: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "present": list(self.present),
            "shares": {str(k): v for k, v in self.shares.items()},
            "social": list(self.social),
            "loans": {str(k): v for k, v in self.loans.items()},
            "repayments": {str(k): v for k, v in self.repayments.items()},
            "fines": {str(k): v for k, v in self.fines.items()},
        }

    @classmethod
    def from_dict(cls, raw: dict) -> MeetingReport:
        def ints(d):
            return {int(k): int(v) for k, v in (d or {}).items()}

        return cls(
            tuple(int(m) for m in raw.get("present", ())),
            ints(raw.get("shares")),
            tuple(int(m) for m in raw.get("social", ())),
            ints(raw.get("loans")),
            ints(raw.get("repayments")),
            ints(raw.get("fines")),
        )


@dataclass(frozen=True)
class Problem:
    key: str  # a message key
    member: int | None = None
    amount: int | None = None


@dataclass(frozen=True)
class EntrySpec:
    kind: str
    member: int
    amount: int
    shares: int = 0
    loan: int | None = None


@dataclass(frozen=True)
class Position:
    """What checking a record needs to know of the box: each member's savings and what they
    owe on their loans, and the cash that may be lent (the box without the social fund)."""

    savings: dict[int, int] = field(default_factory=dict)
    owed: dict[int, int] = field(default_factory=dict)
    lendable: int = 0

    @classmethod
    def of(cls, box: Box, members) -> Position:
        return cls(
            {m: box.savings.get(m, 0) for m in members},
            {m: box.owed_by(m) for m in members},
            max(0, box.cash - box.social_fund),
        )

    def as_dict(self) -> dict:
        return {"savings": {str(k): v for k, v in self.savings.items()},
                "owed": {str(k): v for k, v in self.owed.items()}, "lendable": self.lendable}  # fmt: skip

    @classmethod
    def from_dict(cls, raw: dict) -> Position:
        def ints(d):
            return {int(k): int(v) for k, v in (d or {}).items()}

        return cls(ints(raw.get("savings")), ints(raw.get("owed")), int(raw.get("lendable", 0)))


def problems(report: MeetingReport, c: Constitution, position: Position) -> list[Problem]:
    """What stops the record from being kept: unknown members, shares outside the
    constitution, a loan above the member's limit or the cash that may be lent, a repayment
    above what the member owes."""
    out: list[Problem] = []
    members = set(position.savings)
    named = set(report.present) | set(report.shares) | set(report.social)
    named |= set(report.loans) | set(report.repayments) | set(report.fines)
    for member in sorted(named - members):
        out.append(Problem("savings.error.not_member", member))
    for member, shares in sorted(report.shares.items()):
        if shares and not c.min_shares <= shares <= c.max_shares:
            out.append(Problem("savings.error.shares_range", member, shares))
    for kind in ("loans", "repayments", "fines"):
        for member, amount in sorted(getattr(report, kind).items()):
            if amount <= 0:
                out.append(Problem("savings.error.amount", member, amount))
    for member, amount in sorted(report.loans.items()):
        savings = position.savings.get(member, 0) + report.shares.get(member, 0) * c.share_value
        limit = loan_limit(c, savings)
        if amount > limit:
            out.append(Problem("savings.error.loan_limit", member, limit))
    # What may be lent: the box (not its social fund) after today's money came in.
    available = position.lendable + sum(v * c.share_value for v in report.shares.values())
    available += sum(report.repayments.values()) + sum(report.fines.values())
    if sum(report.loans.values()) > available:
        out.append(Problem("savings.error.loan_cash", None, available))
    for member, amount in sorted(report.repayments.items()):
        owed = position.owed.get(member, 0)
        if amount > owed:
            out.append(Problem("savings.error.repayment_owed", member, owed))
    return out


def entries(report: MeetingReport, c: Constitution, box: Box) -> list[EntrySpec]:
    """The ledger entries of a report: shares, social fund, fines, repayments (to the
    member's loans, oldest first, each up to what it still owes) and new loans."""
    out: list[EntrySpec] = []
    for member, shares in sorted(report.shares.items()):
        if shares:
            out.append(EntrySpec("shares", member, shares * c.share_value, shares))
    for member in sorted(set(report.social)):
        if c.social_fund:
            out.append(EntrySpec("social_fund", member, c.social_fund))
    for member, amount in sorted(report.fines.items()):
        out.append(EntrySpec("fine", member, amount))
    for member, amount in sorted(report.repayments.items()):
        left = amount
        open_loans = [
            (loan, state) for loan, state in sorted(box.loans.items())
            if box.borrower[loan] == member and state.owed > 0
        ]  # fmt: skip
        for n, (loan, state) in enumerate(open_loans):
            take = left if n == len(open_loans) - 1 else min(left, state.owed)
            if take > 0:
                out.append(EntrySpec("repayment", member, take, loan=loan))
                left -= take
        if left > 0:  # no loan to pay: kept as their credit
            out.append(EntrySpec("repayment", member, left))
    for member, amount in sorted(report.loans.items()):
        out.append(EntrySpec("loan", member, amount))
    return out


def loan_term(c: Constitution, issued_on: date) -> int:
    """A loan's term: the constitution's, shortened so it ends by the share-out."""
    if c.share_out_on is None:
        return c.loan_term_months
    months = (c.share_out_on.year - issued_on.year) * 12 + c.share_out_on.month - issued_on.month
    if c.share_out_on.day < issued_on.day:
        months -= 1
    return max(1, min(c.loan_term_months, months))

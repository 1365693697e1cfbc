"""The group's ledger: append-only entries as the officers reported them, and the box they
add up to. A correction is a new entry that names the one it corrects and carries the right
values (an amount of 0 takes it back); the corrected entry stays, and only the last of a
chain counts. Amounts are integer minor units.

The box balances by construction, and the tests hold it to it:

    cash = savings + social fund in + earnings + credits − loans outstanding
           − social fund paid out − shared out

where earnings are interest and fines, loans outstanding is principal lent and not yet
repaid, and credits are payments beyond a loan's whole schedule (the member's, returned at
share-out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flows.savings.loans import LoanState, LoanTerms, apply_payments

# What comes into the box, what goes out.
IN = ("shares", "social_fund", "repayment", "settle", "fine", "opening")
# "withdrawal": a member leaving mid-cycle takes their savings (their shares go with them).
OUT = ("loan", "social_payout", "share_out", "withdrawal")
KINDS = IN + OUT


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    amount: int  # minor units, never negative
    on: date
    member: int | None = None  # the savings member (None: the group's, e.g. opening)
    shares: int = 0  # for "shares" (bought) and "withdrawal" (taken with them)
    loan: int | None = None  # for "repayment": the loan entry it pays
    interest_percent: Decimal | None = None  # for "loan": its terms, from the constitution
    method: str | None = None
    term_months: int | None = None
    corrects: int | None = None  # the entry this one corrects
    meeting: int | None = None


def effective(entries: Iterable[Entry]) -> tuple[list[Entry], dict[int, int]]:
    """The entries that count (each the last of its correction chain), and for every entry
    id the id of the entry that now stands for it (so a repayment of a corrected loan pays
    the corrected loan)."""
    entries = sorted(entries, key=lambda e: e.id)
    by_id = {e.id: e for e in entries}
    replaced_by: dict[int, int] = {}
    for e in entries:
        if e.corrects is not None and e.corrects in by_id:
            replaced_by[e.corrects] = e.id

    def last(entry_id: int) -> int:
        seen = set()
        while entry_id in replaced_by and entry_id not in seen:
            seen.add(entry_id)
            entry_id = replaced_by[entry_id]
        return entry_id

    standing = {e.id: last(e.id) for e in entries}
    live = [e for e in entries if e.id not in replaced_by]
    return live, standing


@dataclass
class Box:
    """What the ledger adds up to, on a day."""

    shares: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    savings: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    social_in: int = 0
    social_out: int = 0
    opening: int = 0  # carried into this cycle (the social fund kept)
    fines: int = 0
    interest: int = 0
    shared_out: int = 0
    loans: dict[int, LoanState] = field(default_factory=dict)
    borrower: dict[int, int] = field(default_factory=dict)  # loan id -> member
    stray: int = 0  # repayments of a loan taken back: still in the box, a credit
    inflow: int = 0  # straight sums of what came in and went out, for the check
    outflow: int = 0

    @property
    def total_savings(self) -> int:
        return sum(self.savings.values())

    @property
    def total_shares(self) -> int:
        return sum(self.shares.values())

    @property
    def earnings(self) -> int:
        return self.interest + self.fines

    @property
    def credits(self) -> int:
        return sum(s.overpaid for s in self.loans.values()) + self.stray

    @property
    def loans_outstanding(self) -> int:
        return sum(s.outstanding for s in self.loans.values())

    @property
    def social_fund(self) -> int:
        return self.opening + self.social_in - self.social_out

    @property
    def cash(self) -> int:
        """Cash in the box, from the parts (see the module's docstring)."""
        return (
            self.total_savings + self.social_fund + self.earnings + self.credits
            - self.loans_outstanding - self.shared_out
        )  # fmt: skip

    @property
    def balances(self) -> bool:
        """The parts agree with the straight sum of every movement."""
        return self.cash == self.inflow - self.outflow

    def member_loans(self, member: int) -> list[LoanState]:
        return [s for loan, s in self.loans.items() if self.borrower[loan] == member]

    def outstanding_of(self, member: int) -> int:
        return sum(s.outstanding for s in self.member_loans(member))

    def owed_by(self, member: int) -> int:
        return sum(s.owed for s in self.member_loans(member))


def add_up(entries: Iterable[Entry], until: date | None = None) -> Box:
    """The box from the entries that count, those on or before `until` if given."""
    if until is not None:  # a correction made later does not change the past
        entries = [e for e in entries if e.on <= until]
    live, standing = effective(entries)
    box = Box()
    payments: dict[int, list[tuple[date, int]]] = defaultdict(list)
    settled: dict[int, list[tuple[date, int]]] = defaultdict(list)
    terms: dict[int, LoanTerms] = {}
    for e in live:
        if e.kind in IN:
            box.inflow += e.amount
        elif e.kind in OUT:
            box.outflow += e.amount
        else:
            raise ValueError(f"unknown ledger entry kind {e.kind!r}")
        if e.kind == "shares" and e.member is not None:
            box.shares[e.member] += e.shares
            box.savings[e.member] += e.amount
        elif e.kind == "withdrawal" and e.member is not None:
            box.shares[e.member] -= e.shares
            box.savings[e.member] -= e.amount
        elif e.kind == "social_fund":
            box.social_in += e.amount
        elif e.kind == "social_payout":
            box.social_out += e.amount
        elif e.kind == "opening":
            box.opening += e.amount
        elif e.kind == "fine":
            box.fines += e.amount
        elif e.kind == "share_out":
            box.shared_out += e.amount
        elif e.kind == "loan":
            if e.amount == 0:
                continue  # taken back by a correction
            terms[e.id] = LoanTerms(
                e.amount, e.on, e.interest_percent or Decimal(0), e.method or "flat",
                e.term_months or 1,
            )  # fmt: skip
            box.borrower[e.id] = e.member
        elif e.kind in ("repayment", "settle"):
            # A repayment naming no loan (0) is kept as the member's credit.
            loan = standing.get(e.loan, e.loan) if e.loan is not None else 0
            (settled if e.kind == "settle" else payments)[loan].append((e.on, e.amount))
    for loan, loan_terms in terms.items():
        box.loans[loan] = apply_payments(loan_terms, payments.pop(loan, ()), settled.pop(loan, ()))
    for loan, moves in settled.items():
        payments[loan].extend(moves)
    # A repayment of a loan that was taken back: the money is still in the box, as the
    # member's credit, so the box still balances.
    box.interest = sum(s.interest_paid for s in box.loans.values())
    box.stray = sum(amount for stray in payments.values() for _, amount in stray)
    return box

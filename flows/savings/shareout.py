"""The share-out at the end of a cycle. Rounding rule: each member's entitlement is the pot
times their shares over all shares, rounded down to the minor unit; what rounding leaves
(less than one minor unit per member) goes to the social fund, so the entitlements and that
remainder add up to the pot exactly.

    pot = savings + earnings (interest and fines) − what the constitution keeps for the
          social fund (at most the earnings)

A member with a loan still out has its principal netted from their entitlement (interest not
yet paid is not charged); a member's credit (paid beyond a loan) is added to their payout.
If the entitlement does not cover the loan, the rest is still owed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flows.savings.ledger import Box


@dataclass(frozen=True)
class Payout:
    member: int
    shares: int
    savings: int
    entitlement: int  # their part of the pot
    credit: int  # paid beyond their loans, returned
    settled: int  # loan principal netted from the entitlement
    payout: int  # cash in hand: entitlement + credit − settled
    still_owed: int  # loan principal the entitlement did not cover


@dataclass(frozen=True)
class ShareOut:
    on: date
    pot: int
    kept: int  # the constitution's part for the social fund
    remainder: int  # what rounding left, to the social fund
    rows: tuple[Payout, ...]

    @property
    def paid(self) -> int:
        return sum(r.payout for r in self.rows)

    @property
    def settled(self) -> int:
        return sum(r.settled for r in self.rows)


def compute(box: Box, members: list[int], keep: int, on: date) -> ShareOut:
    """`members`: the savings members in the order they are shown (every member with shares
    or a loan should be there; one who is not shares nothing)."""
    kept = max(0, min(keep, box.earnings))
    pot = box.total_savings + box.earnings - kept
    total_shares = sum(box.shares.get(m, 0) for m in members)
    rows, given = [], 0
    for member in members:
        shares = box.shares.get(member, 0)
        entitlement = pot * shares // total_shares if total_shares else 0
        given += entitlement
        credit = sum(s.overpaid for s in box.member_loans(member))
        outstanding = box.outstanding_of(member)
        settled = min(outstanding, entitlement + credit)
        rows.append(
            Payout(
                member, shares, box.savings.get(member, 0), entitlement, credit, settled,
                entitlement + credit - settled, outstanding - settled,
            )
        )  # fmt: skip
    remainder = pot - given
    return ShareOut(on, pot, kept, remainder, tuple(rows))


def settlements(box: Box, row: Payout) -> list[tuple[int, int]]:
    """How a member's netted amount closes their loans: (loan id, principal), oldest first."""
    left, out = row.settled, []
    for loan, state in sorted(box.loans.items()):
        if box.borrower[loan] != row.member or left <= 0 or state.outstanding <= 0:
            continue
        take = min(left, state.outstanding)
        out.append((loan, take))
        left -= take
    return out

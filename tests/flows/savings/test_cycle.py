"""A whole cycle of a 15-member savings group, against figures worked out by hand.

Fortnightly from Monday 5 January 2026: 24 meetings, the last on 23 November, the share-out
that day. One share is 500 XOF; 100 XOF social fund per member present.

- Members 1-10 buy 2 shares at every meeting, 11-15 one share. Member 14 misses meetings 5
  and 6 (no shares, no social fund) and is fined 200 at meeting 7. Member 15 leaves after
  meeting 12 and takes their savings (12 shares, 6,000).
- At meeting 10 member 5 was recorded with 5 shares; at meeting 11 that is corrected to 2.
- Loan A, flat: member 1, 10,000 at meeting 3 (2 Feb), 2% a month, 3 months: instalments
  3,333 + 200, 3,333 + 200, 3,334 + 200 = 3,533, 3,533, 3,534, due 2 Mar, 2 Apr, 2 May;
  paid 2 Mar, 30 Mar, 27 Apr. Interest 600.
- Loan B, declining: member 2, 12,000 at meeting 4 (16 Feb), 2% a month on the balance, 3
  months: 4,000 + 240, 4,000 + 160, 4,000 + 80 = 4,240, 4,160, 4,080; paid 16 Mar, 13 Apr,
  11 May. Interest 480.
- Loan C, flat, late: member 3, 6,000 at meeting 14 (6 Jul), 2%, 3 months: 2,000 + 120 each,
  due 6 Aug, 6 Sep, 6 Oct. Paid 3 Aug, then nothing until 26 Oct (the second instalment, 50
  days late); the third is never paid. Interest earned 240; 2,000 principal still out.
- The social fund pays 3,000 to member 7 at meeting 15.

By hand:
- shares: 10 x 48 + 3 x 24 + 22 = 574; savings 574 x 500 = 287,000.
- social fund in: (12 x 15 - 2) + 12 x 14 = 346 payments = 34,600; out 3,000: 31,600 left.
- earnings: interest 600 + 480 + 240 = 1,320, fines 200: 1,520.
- cash: in 293,000 shares + 34,600 + repayments 10,600 + 12,480 + 4,240 + 200 fines =
  355,120; out 28,000 lent + 3,000 + 6,000 withdrawn = 37,000; cash 318,120
  = 287,000 + 31,600 + 1,520 - 2,000 outstanding.
- share-out, 500 kept for the social fund: pot 287,000 + 1,520 - 500 = 288,020.
  48 shares: 288,020 x 48 // 574 = 24,085; 24 shares: 12,042; 22 shares: 11,039.
  10 x 24,085 + 3 x 12,042 + 11,039 = 288,015; remainder 5 to the social fund.
  Member 3: 24,085 - 2,000 netted = 22,085. Paid out 288,015 - 2,000 = 286,015.
  Left in the box: 318,120 - 286,015 = 32,105 = 31,600 + 500 + 5.
- health on 12 October (meeting 21): due so far 10,600 + 12,480 + 6,360 = 29,440, paid
  10,600 + 12,480 + 2,120 = 25,200: repayment rate 0.856. Loan C's second instalment is 36
  days overdue: 4,000 of 4,000 outstanding at risk, PAR30 1.000.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flows.savings.constitution import Constitution, SavingsRules, meeting_dates, problems
from flows.savings.health import assess
from flows.savings.ledger import Entry, add_up
from flows.savings.shareout import compute, settlements

START = date(2026, 1, 5)
CONSTITUTION = Constitution(
    cadence="fortnightly",
    currency="XOF",
    share_value=500,
    social_fund=100,
    interest_percent=Decimal(2),
    loan_term_months=3,
    fines=True,
    cycle_start=START,
    cycle_end=date(2026, 11, 30),
    share_out_on=date(2026, 11, 23),
    keep_in_social_fund=500,
)
MEETINGS = meeting_dates(CONSTITUTION)


class Ledger:
    def __init__(self):
        self.entries: list[Entry] = []

    def add(self, kind, amount, on, **kw) -> int:
        entry = Entry(len(self.entries) + 1, kind, amount, on, **kw)
        self.entries.append(entry)
        return entry.id


def meeting(n: int) -> date:
    return MEETINGS[n - 1]


def the_cycle() -> tuple[Ledger, dict[str, int]]:
    book, loans = Ledger(), {}
    for n, day in enumerate(MEETINGS, 1):
        for member in range(1, 16):
            if member == 15 and n > 12 or member == 14 and n in (5, 6):
                continue
            shares = 2 if member <= 10 else 1
            if member == 5 and n == 10:
                shares = 5
            book.add("shares", shares * 500, day, member=member, shares=shares, meeting=n)
            book.add("social_fund", 100, day, member=member, meeting=n)
        if n == 11:
            wrong = next(
                e for e in book.entries if e.member == 5 and e.meeting == 10 and e.kind == "shares"
            )
            book.add("shares", 1000, day, member=5, shares=2, corrects=wrong.id, meeting=n)
        if n == 7:
            book.add("fine", 200, day, member=14)
        if n == 12:
            book.add("withdrawal", 6000, day, member=15, shares=12)
        if n == 15:
            book.add("social_payout", 3000, day, member=7)
        if n == 3:
            loans["A"] = book.add("loan", 10_000, day, member=1, interest_percent=Decimal(2),
                                  method="flat", term_months=3)  # fmt: skip
        if n == 4:
            loans["B"] = book.add("loan", 12_000, day, member=2, interest_percent=Decimal(2),
                                  method="declining", term_months=3)  # fmt: skip
        if n == 14:
            loans["C"] = book.add("loan", 6_000, day, member=3, interest_percent=Decimal(2),
                                  method="flat", term_months=3)  # fmt: skip
    for loan, when, amount in (
        ("A", date(2026, 3, 2), 3533), ("A", date(2026, 3, 30), 3533),
        ("A", date(2026, 4, 27), 3534),
        ("B", date(2026, 3, 16), 4240), ("B", date(2026, 4, 13), 4160),
        ("B", date(2026, 5, 11), 4080),
        ("C", date(2026, 8, 3), 2120), ("C", date(2026, 10, 26), 2120),
    ):  # fmt: skip
        member = {"A": 1, "B": 2, "C": 3}[loan]
        book.add("repayment", amount, when, member=member, loan=loans[loan])
    return book, loans


def test_the_constitution_gives_24_fortnightly_meetings():
    assert problems(CONSTITUTION, SavingsRules(currencies={"XOF": 0})) == []
    assert len(MEETINGS) == 24
    assert meeting(1) == START and meeting(24) == date(2026, 11, 23)
    assert all(b - a == timedelta(days=14) for a, b in zip(MEETINGS, MEETINGS[1:], strict=False))


def test_the_box_at_the_end_of_the_cycle():
    book, loans = the_cycle()
    box = add_up(book.entries)
    assert box.total_shares == 574
    assert box.total_savings == 287_000
    assert box.savings[5] == 24_000 and box.shares[15] == 0
    assert box.social_fund == 31_600
    assert box.interest == 1_320 and box.fines == 200 and box.earnings == 1_520
    assert box.loans[loans["A"]].interest_paid == 600
    assert box.loans[loans["B"]].interest_paid == 480
    assert [i.amount for i in box.loans[loans["B"]].instalments] == [4240, 4160, 4080]
    assert box.loans_outstanding == 2_000
    assert box.inflow == 355_120 and box.outflow == 37_000
    assert box.cash == 318_120
    assert box.balances


def test_the_correction_counts_and_the_wrong_entry_stays():
    book, _ = the_cycle()
    wrong = [e for e in book.entries if e.member == 5 and e.meeting == 10]
    assert [e.shares for e in wrong if e.kind == "shares"] == [5]  # still in the ledger
    assert add_up(book.entries, until=meeting(10)).savings[5] == 9 * 1000 + 2500
    assert add_up(book.entries, until=meeting(11)).savings[5] == 11 * 1000


def test_the_late_repayment_shows_in_the_group_health():
    book, loans = the_cycle()
    day = meeting(21)
    box = add_up(book.entries, until=day)
    assert box.loans[loans["C"]].days_overdue(day) == 36
    health = assess(box, 14, [(14, 14)] * 4, day, alert_below=Decimal("0.9"))
    assert health.repayment_rate == Decimal("0.856")
    assert health.portfolio_at_risk == Decimal("1.000") and health.at_risk == 4_000
    assert health.low_repayment
    assert health.savings_per_member == box.total_savings // 14
    # Once the late instalment is paid nothing is overdue more than 30 days.
    later = add_up(book.entries, until=meeting(22))
    assert later.loans[loans["C"]].days_overdue(meeting(22)) == 20
    assert assess(later, 14, [], meeting(22)).at_risk == 0


def test_the_share_out():
    book, loans = the_cycle()
    box = add_up(book.entries)
    members = list(range(1, 16))
    share_out = compute(box, members, CONSTITUTION.keep_in_social_fund, meeting(24))
    assert share_out.pot == 288_020 and share_out.kept == 500
    by_member = {row.member: row for row in share_out.rows}
    assert {by_member[m].entitlement for m in range(1, 11)} == {24_085}
    assert {by_member[m].entitlement for m in (11, 12, 13)} == {12_042}
    assert by_member[14].entitlement == 11_039 and by_member[15].entitlement == 0
    assert share_out.remainder == 5
    assert sum(r.entitlement for r in share_out.rows) + share_out.remainder == share_out.pot
    assert by_member[3].settled == 2_000 and by_member[3].payout == 22_085
    assert by_member[3].still_owed == 0
    assert share_out.paid == 286_015
    # Recorded: the netted principal closes the loan, every entitlement goes out.
    for row in share_out.rows:
        for loan, principal in settlements(box, row):
            book.add("settle", principal, meeting(24), member=row.member, loan=loan)
        if row.entitlement + row.credit:
            book.add("share_out", row.entitlement + row.credit, meeting(24), member=row.member)
    after = add_up(book.entries)
    assert after.loans_outstanding == 0 and after.loans[loans["C"]].interest_paid == 240
    assert after.cash == 32_105 == 31_600 + 500 + 5
    assert after.balances

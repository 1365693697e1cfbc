"""Whatever the officers report, in whatever order and with whatever corrections, the box
balances; and a share-out hands out the pot to the minor unit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import load_content
from flows.savings.ledger import KINDS, Entry, add_up
from flows.savings.loans import LoanTerms, apply_payments, schedule
from flows.savings.money import format_amount, parse_amount
from flows.savings.report import read_amounts
from flows.savings.shareout import compute, settlements

CONTENT = load_content()

DAY = date(2026, 1, 5)
MEMBERS = st.integers(1, 6)
AMOUNT = st.integers(0, 50_000)


@st.composite
def ledgers(draw):
    entries: list[Entry] = []
    for n in range(1, draw(st.integers(1, 40)) + 1):
        kind = draw(st.sampled_from(KINDS))
        on = DAY + timedelta(days=draw(st.integers(0, 360)))
        loans = [e.id for e in entries if e.kind == "loan"]
        extra = {}
        if kind == "loan":
            extra = {"interest_percent": Decimal(draw(st.integers(0, 50))) / 10,
                     "method": draw(st.sampled_from(["flat", "declining"])),
                     "term_months": draw(st.integers(1, 12))}  # fmt: skip
        if kind in ("repayment", "settle"):
            extra = {"loan": draw(st.sampled_from(loans)) if loans else None}
        if kind in ("shares", "withdrawal"):
            extra = {"shares": draw(st.integers(0, 5))}
        corrects = None
        if entries and draw(st.booleans()) and draw(st.booleans()):
            target = draw(st.sampled_from(entries))
            kind, corrects = target.kind, target.id
            extra = {k: getattr(target, k) for k in ("loan", "interest_percent", "method",
                                                      "term_months", "shares")}  # fmt: skip
        amount = draw(AMOUNT)
        if kind in ("shares", "withdrawal"):
            amount = extra["shares"] * 500  # as recorded: shares times the share value
        entries.append(Entry(n, kind, amount, on, member=draw(MEMBERS), corrects=corrects, **extra))
    return entries


@settings(max_examples=300, deadline=None)
@given(ledgers(), st.none() | st.integers(0, 360))
def test_the_box_always_balances(entries, days):
    until = None if days is None else DAY + timedelta(days=days)
    box = add_up(entries, until=until)
    assert box.cash == box.inflow - box.outflow
    assert box.cash == (
        box.total_savings + box.social_fund + box.interest + box.fines + box.credits
        - box.loans_outstanding - box.shared_out
    )  # fmt: skip
    assert all(s.outstanding >= 0 and s.interest_paid >= 0 for s in box.loans.values())


@settings(max_examples=300, deadline=None)
@given(ledgers(), st.integers(0, 5_000))
def test_a_share_out_hands_out_the_pot_to_the_minor_unit(entries, keep):
    box = add_up(entries)
    members = sorted({e.member for e in entries if e.member is not None})
    if any(box.shares.get(m, 0) < 0 for m in members):
        return  # more withdrawn than bought: no share-out is asked of such a ledger
    share_out = compute(box, members, keep, DAY + timedelta(days=365))
    handed = sum(r.entitlement for r in share_out.rows)
    assert handed + share_out.remainder == share_out.pot
    if sum(box.shares.get(m, 0) for m in members):
        assert 0 <= share_out.remainder < len(members)  # less than a minor unit each
    else:
        assert share_out.remainder == share_out.pot  # no shares: all to the social fund
    assert share_out.kept == min(keep, box.earnings)
    for row in share_out.rows:
        assert row.payout == row.entitlement + row.credit - row.settled >= 0
        assert row.settled + row.still_owed == box.outstanding_of(row.member)
        assert sum(p for _, p in settlements(box, row)) == row.settled


@given(st.integers(1, 10**9), st.integers(1, 12), st.integers(0, 100),
       st.sampled_from(["flat", "declining"]))  # fmt: skip
def test_a_schedule_repays_the_principal_exactly(principal, months, tenths, method):
    terms = LoanTerms(principal, DAY, Decimal(tenths) / 10, method, months)
    parts = schedule(terms)
    assert sum(i.principal for i in parts) == principal
    assert len(parts) == months
    paid = apply_payments(terms, [(DAY, sum(i.amount for i in parts))])
    assert paid.outstanding == 0 and paid.owed == 0 and paid.overpaid == 0


@given(st.integers(0, 10**12), st.sampled_from([0, 2, 3]))
def test_an_amount_reads_back_as_it_is_written(minor, decimals):
    written = format_amount(minor, "XOF", decimals).removesuffix(" XOF")
    assert parse_amount(written, decimals) == minor
    assert parse_amount(written.replace(",", " "), decimals) == minor


def test_amounts_as_people_type_them():
    assert parse_amount("5 000", 0) == parse_amount("5.000", 0) == parse_amount("5000f", 0) == 5000
    assert parse_amount("12,50", 2) == parse_amount("12.5", 2) == 1250
    assert parse_amount("ETB 12", 2) == 1200
    assert parse_amount("12.50", 0) is None  # no cents in that currency
    assert parse_amount("twelve", 2) is None and parse_amount("", 0) is None
    assert parse_amount("-5", 0) is None


@settings(deadline=None)
@given(
    st.dictionaries(st.integers(1, 15), st.integers(1, 10**7), min_size=1, max_size=6),
    st.sampled_from([":", " ", "=", ": ", " - "]),
    st.sampled_from([", ", "; ", "\n", " ; "]),
    st.booleans(),
)
def test_amounts_per_member_read_back_however_they_are_separated(pairs, inner, outer, grouped):
    """ "3:5000, 7:2 000" in any of the ways an officer types it."""

    def amount(minor: int) -> str:
        return f"{minor:,}".replace(",", " ") if grouped else str(minor)

    text = outer.join(f"{n}{inner}{amount(a)}" for n, a in pairs.items())
    assert read_amounts(text, 15, 0, CONTENT) == pairs

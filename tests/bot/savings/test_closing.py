"""The end of a cycle and a member leaving before it, through the service: the share-out
proposed, refused once the ledger has moved, confirmed, members told their own payout (with
no amount over SMS unless they chose it), the next cycle started with the social fund
carried; a member leaving takes their savings less what they owe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import transaction
from bot.models import SavingsGroup, SavingsMember, SavingsShareOut
from bot.savings import closing
from bot.savings.errors import SavingsError
from tests.bot.savings import helpers as s
from tests.builders import add_person

FIRST = datetime(2026, 11, 26, 10, tzinfo=UTC)
PHONES = ["+221770007201", "+221770007202", "+221770007203"]


def _group(stack):
    people = [add_person(stack, f"Member {n}", channel="sms", address=p) for n, p in
              enumerate(PHONES, 1)]  # fmt: skip
    gid = s.register(stack, people, {"treasurer": people[0]}, FIRST.date(), cadence="monthly",
                     keep_in_social_fund=50)  # fmt: skip
    ids = [s.member_ids(stack, gid)[p] for p in people]
    s.set_member(stack, ids[2], details=True)
    return gid, ids


def _propose(stack, gid):
    with transaction(stack.engine) as session:
        row = closing.propose(session, session.get(SavingsGroup, gid), stack.services.content,
                              stack.clock(), actor=s.STAFF)  # fmt: skip
        return row.id


def _confirm(stack, gid, share_out_id, leaving=frozenset()):
    with transaction(stack.engine) as session:
        closing.confirm(session, session.get(SavingsGroup, gid),
                        session.get(SavingsShareOut, share_out_id), stack.services.content,
                        stack.clock(), actor=s.STAFF, leaving=set(leaving))  # fmt: skip


async def test_a_share_out_is_checked_then_confirmed_and_the_next_cycle_starts(stack):
    gid, (a, b, c) = _group(stack)
    meetings = s.meetings(stack, gid)
    stack.clock.now = FIRST + timedelta(hours=1)
    # 500 a share; 100 social fund. a: 4 shares, b: 2, c: 2 and borrows 2,000 (flat 2%, 3
    # months: 666 + 40, 666 + 40, 668 + 40).
    s.record(stack, gid, meetings[0].id, s.MeetingReport(
        present=(a, b, c), shares={a: 4, b: 2, c: 2}, social=(a, b, c), loans={c: 2000}))  # fmt: skip
    stack.clock.now = meetings[1].starts_at + timedelta(hours=1)
    s.record(stack, gid, meetings[1].id, s.MeetingReport(
        present=(a, b, c), shares={a: 4, b: 2, c: 2}, repayments={c: 706}))  # fmt: skip
    proposed = _propose(stack, gid)
    await stack.work()
    # The treasurer is shown it is ready (over SMS, without everyone's money in it).
    ready = [m.body for m in stack.twilio_api.sent_to(PHONES[0])][-1]
    assert ready == (
        "Your group's end-of-cycle table is ready. Your facilitator will go through it with you."
    )
    with transaction(stack.engine) as session:
        row = session.get(SavingsShareOut, proposed)
        # savings 8,000; interest 40 (kept 40 of the 50 asked: at most the earnings).
        assert (row.pot, row.kept, row.remainder) == (8000, 40, 0)
        by_member = {r["member"]: r for r in row.rows}
        assert by_member[a]["entitlement"] == 4000 and by_member[b]["entitlement"] == 2000
        # c still has 1,334 principal out: netted from their 2,000.
        assert by_member[c]["settled"] == 1334 and by_member[c]["payout"] == 666
    # A meeting recorded after the proposal: the table no longer stands.
    stack.clock.now = meetings[2].starts_at + timedelta(hours=1)
    s.record(stack, gid, meetings[2].id, s.MeetingReport(present=(a,), shares={a: 1}, social=(a,)))
    with pytest.raises(SavingsError, match="share_out_moved"):
        _confirm(stack, gid, proposed)
    proposed = _propose(stack, gid)
    _confirm(stack, gid, proposed, leaving={b})
    await stack.work()
    plain = [m.body for m in stack.twilio_api.sent_to(PHONES[0])][-1]
    assert plain == "Your group's cycle is closed. Thank you for taking part!"
    told = [m.body for m in stack.twilio_api.sent_to(PHONES[2])][-1]
    assert told == "Your group's share-out is done: you receive 666 XOF. Thank you for this cycle!"
    with transaction(stack.engine) as session:
        group = session.get(SavingsGroup, gid)
        assert group.cycle == 2
        assert session.get(SavingsMember, b).status == "left"
    # The social fund (300 + 100) and the kept interest carried into cycle 2.
    new = s.box(stack, gid)
    assert new.opening == 400 + 40 and new.cash == 440 and new.balances
    assert s.meetings(stack, gid)[-1].cycle == 2


async def test_a_member_leaving_takes_their_savings_less_what_they_owe(stack):
    gid, (a, b, c) = _group(stack)
    meeting = s.meetings(stack, gid)[0]
    stack.clock.now = FIRST + timedelta(hours=1)
    s.record(stack, gid, meeting.id, s.MeetingReport(
        present=(a, c), shares={a: 5, c: 4}, loans={c: 1500}))  # fmt: skip
    with transaction(stack.engine) as session:
        group = session.get(SavingsGroup, gid)
        taken = closing.leave(session, group, session.get(SavingsMember, c),
                              stack.services.content, stack.clock(), actor=s.STAFF)  # fmt: skip
    assert taken == 2000 - 1500
    box = s.box(stack, gid)
    assert box.savings[c] == 0 and box.shares[c] == 0 and box.outstanding_of(c) == 0
    assert box.cash == 2500 and box.balances
    assert all(t.status != "pending" for t in s.tasks(stack, gid) if t.member_id == c)

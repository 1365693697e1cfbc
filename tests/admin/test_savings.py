"""The savings pages: a facilitator registers a group with its constitution, members and
officers; enters a meeting's record, which is shown back and counts only once confirmed;
corrects an entry (both stay in the ledger); computes and confirms the share-out. Amounts are
for admins and the group's facilitator: a colleague who registered it sees none, and each
look at the amounts is audited."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.db import transaction
from bot.models import AuditLog, SavingsEntry, SavingsGroup, SavingsMeeting, SavingsMember
from tests.builders import add_person

FORM = {"name": "Hope savers", "kind": "savings_and_loan", "district": "central",
        "language": "en", "cadence": "weekly", "currency": "XOF", "share_value": "500",
        "min_shares": "1", "max_shares": "5", "social_fund": "100", "loan_multiple": "3",
        "interest_percent": "2", "interest_method": "flat", "loan_term_months": "3",
        "fines_shown": "1", "cycle_start": "2026-11-26", "cycle_end": "2027-08-25",
        "share_out_on": "2027-08-19", "meeting_time": "10:00"}  # fmt: skip


def _group_id(response) -> int:
    return int(re.search(r"/admin/savings/(\d+)", response.headers["location"]).group(1))


async def _registered(stack, team, browsers):
    people = [add_person(stack, name, facilitator_id=team.facilitator) for name in
              ("Awa Ndiaye", "Fatou Sarr", "Moussa Diop")]  # fmt: skip
    fatou = await browsers("fatou@example.org")
    made = await fatou.post(
        "/admin/savings", {**FORM, "person": [str(p) for p in people], "treasurer": str(people[0])}
    )
    assert made.status_code == 303 and "done=created" in made.headers["location"]
    return fatou, _group_id(made), people


async def test_a_group_is_registered_with_its_constitution_and_officers(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    fatou, gid, people = await _registered(stack, team, browsers)
    with transaction(stack.engine) as session:
        group = session.get(SavingsGroup, gid)
        assert (
            group.constitution["share_value"] == 500 and group.constitution["cadence"] == "weekly"
        )
        assert group.constitution["interest_percent"] == "2"  # a Decimal kept as text
        assert group.facilitator_id == team.facilitator
        assert (
            len(session.exec(select(SavingsMember).where(SavingsMember.group_id == gid)).all()) == 3
        )
    page = (await fatou.get(f"/admin/savings/{gid}")).text
    assert "Treasurer: Awa Ndiaye" in page and "Hope savers" in page
    listed = (await fatou.get("/admin/savings")).text
    assert f'/admin/savings/{gid}"' in listed


async def test_a_bad_constitution_is_refused_with_its_reason(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person = add_person(stack, "Awa", facilitator_id=team.facilitator)
    fatou = await browsers("fatou@example.org")
    for fields, reason in (
        ({"share_value": "abc"}, "amount_typed"),
        ({"min_shares": "6"}, "shares"),
        ({"cycle_end": "2029-01-01"}, "cycle_length"),
        ({"interest_method": "compound"}, "interest_method"),
        ({"currency": "ZZZ"}, "currency"),
    ):
        refused = await fatou.post("/admin/savings", {**FORM, **fields, "person": str(person)})
        assert f"error=savings.error.{reason}" in refused.headers["location"], fields
        assert (await fatou.get(refused.headers["location"])).status_code == 200
    assert stack.count(SavingsGroup) == 0


async def test_a_record_counts_only_once_confirmed_and_a_correction_keeps_both(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    fatou, gid, people = await _registered(stack, team, browsers)
    with transaction(stack.engine) as session:
        meeting = session.exec(select(SavingsMeeting).order_by(SavingsMeeting.starts_at)).first()
        members = {m.person_id: m.id for m in session.exec(select(SavingsMember))}
        mid, starts = meeting.id, meeting.starts_at
    stack.clock.now = starts.replace(hour=12)
    fatou = await browsers("fatou@example.org")  # two days on: signed in again
    awa, moussa = members[people[0]], members[people[2]]
    form = {f"present_{awa}": "1", f"shares_{awa}": "3", f"social_{awa}": "1",
            f"present_{moussa}": "1", f"shares_{moussa}": "2", f"loans_{moussa}": "2 000"}  # fmt: skip
    checking = await fatou.post(
        f"/admin/savings/{gid}/meetings/{mid}/record", {**form, "action": "check"}
    )
    assert checking.status_code == 200 and "Nothing counts until you confirm" in checking.text
    assert "2,000 XOF" in checking.text
    assert stack.count(SavingsEntry) == 0
    kept = await fatou.post(
        f"/admin/savings/{gid}/meetings/{mid}/record", {**form, "action": "confirm"}
    )
    assert "done=recorded" in kept.headers["location"]
    with transaction(stack.engine) as session:
        shares = session.exec(select(SavingsEntry).where(SavingsEntry.kind == "shares",
                                                         SavingsEntry.member_id == awa)).one()  # fmt: skip
        entry_id = shares.id
    again = await fatou.post(
        f"/admin/savings/{gid}/meetings/{mid}/record", {**form, "action": "confirm"}
    )
    assert "error=savings.error.recorded" in again.headers["location"]
    # Awa bought 2, not 3: a correction, with its reason.
    no_reason = await fatou.post(
        f"/admin/savings/{gid}/entries/{entry_id}/correct", {"shares": "2"}
    )
    assert "error=savings.error.note" in no_reason.headers["location"]
    fixed = await fatou.post(f"/admin/savings/{gid}/entries/{entry_id}/correct",
                             {"shares": "2", "note": "counted twice"})  # fmt: skip
    assert "done=corrected" in fixed.headers["location"]
    with transaction(stack.engine) as session:
        rows = session.exec(select(SavingsEntry).where(SavingsEntry.member_id == awa,
                                                       SavingsEntry.kind == "shares")).all()  # fmt: skip
        assert [(r.shares, r.amount, r.corrects_id) for r in rows] == [
            (3, 1500, None),
            (2, 1000, entry_id),
        ]
    page = (await fatou.get(f"/admin/savings/{gid}")).text
    assert f"corrected by #{rows[1].id}" in page and f"corrects #{entry_id}" in page
    assert "<s>1,500 XOF</s>" in page


async def test_amounts_are_for_the_groups_facilitator_and_each_look_is_audited(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    fatou, gid, people = await _registered(stack, team, browsers)
    # Registered by Fatou for Omar: Omar facilitates, Fatou no longer sees amounts.
    with transaction(stack.engine) as session:
        session.get(SavingsGroup, gid).facilitator_id = team.other_facilitator
    page = (await fatou.get(f"/admin/savings/{gid}")).text
    assert "Amounts are shown to admins and the group&#39;s facilitator only." in page
    assert "Cash in the box" not in page
    refused = await fatou.post(f"/admin/savings/{gid}/share-out", {})
    assert "error=savings.error.not_facilitator" in refused.headers["location"]
    person_page = (await fatou.get(f"/admin/people/{people[0]}")).text
    assert "Hope savers" in person_page and "XOF" not in person_page
    admin = await browsers("admin@example.org")
    shown = (await admin.get(f"/admin/savings/{gid}")).text
    assert "Cash in the box" in shown
    await admin.get(f"/admin/people/{people[0]}")
    with transaction(stack.engine) as session:
        looks = session.exec(select(AuditLog).where(AuditLog.action == "savings.viewed")).all()
        assert {(a.actor, a.person_id) for a in looks} == {
            (f"staff:{team.admin}", None),
            (f"staff:{team.admin}", people[0]),
        }


async def test_the_share_out_is_computed_then_confirmed(sqlite_stack, team, browsers):
    stack = sqlite_stack
    fatou, gid, people = await _registered(stack, team, browsers)
    with transaction(stack.engine) as session:
        meeting = session.exec(select(SavingsMeeting).order_by(SavingsMeeting.starts_at)).first()
        members = [m.id for m in session.exec(select(SavingsMember).order_by(SavingsMember.number))]
        mid, starts = meeting.id, meeting.starts_at
    stack.clock.now = starts.replace(hour=12)
    fatou = await browsers("fatou@example.org")  # two days on: signed in again
    form = {f"shares_{m}": str(n) for m, n in zip(members, (1, 2, 3), strict=True)}
    await fatou.post(f"/admin/savings/{gid}/meetings/{mid}/record", {**form, "action": "confirm"})
    computed = await fatou.post(f"/admin/savings/{gid}/share-out", {"on": "2027-08-19"})
    assert "done=proposed" in computed.headers["location"]
    page = (await fatou.get(f"/admin/savings/{gid}")).text
    assert "Pot 3,000 XOF" in page and "1,500 XOF" in page
    unticked = await fatou.post(f"/admin/savings/{gid}/share-out/confirm", {})
    assert "error=savings.error.confirm" in unticked.headers["location"]
    done = await fatou.post(f"/admin/savings/{gid}/share-out/confirm", {"confirm": "yes"})
    assert "done=shared_out" in done.headers["location"]
    with transaction(stack.engine) as session:
        assert session.get(SavingsGroup, gid).cycle == 2

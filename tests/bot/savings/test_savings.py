"""A savings group through the whole service (the savings tick, webhooks, inbox, outbox, the
fake Telegram and Twilio): registered with its officers, reminded discreetly, its meeting
reported by the treasurer in the chat and confirmed before it counts, BALANCE answered with
one's own figures only, repayment reminders, receipts and erasure as a tombstone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.casework.erasure import erase_person
from bot.db import transaction
from bot.models import Person, SavingsAttendance, SavingsMember, SavingsOfficer
from tests.bot.savings import helpers as s
from tests.builders import add_person

TREASURER_CHAT = 7101
PHONE = "+221770007102"  # a member on SMS who did not choose to see amounts
DETAILS_PHONE = "+221770007103"  # one who did
# Thursday 26 November 2026, 10:00 in Dakar (UTC): the first weekly meeting.
FIRST = datetime(2026, 11, 26, 10, tzinfo=UTC)
REVEALING = re.compile(r"\d|loan|debt|repay|owe", re.IGNORECASE)


def _tg(stack) -> list[str]:
    return [m.text for m in stack.telegram_api.sent_to(TREASURER_CHAT)]


def _sms(stack, phone: str = PHONE) -> list[str]:
    return [m.body for m in stack.twilio_api.sent_to(phone)]


def _group(stack) -> tuple[int, dict[str, int], dict[int, int]]:
    people = {
        "treasurer": add_person(stack, "Awa Ndiaye", channel="telegram", address=str(TREASURER_CHAT)),
        "fatou": add_person(stack, "Fatou Sarr", channel="sms", address=PHONE),
        "moussa": add_person(stack, "Moussa Diop", channel="sms", address=DETAILS_PHONE),
    }  # fmt: skip
    gid = s.register(
        stack, list(people.values()), {"treasurer": people["treasurer"]}, FIRST.date(),
        cadence="weekly",
    )  # fmt: skip
    ids = s.member_ids(stack, gid)
    s.set_member(stack, ids[people["moussa"]], details=True)
    return gid, people, ids


async def test_registration_makes_the_cycle_and_its_reminders(stack):
    gid, people, ids = _group(stack)
    meetings = s.meetings(stack, gid)
    assert meetings[0].starts_at == FIRST
    assert all(
        b.starts_at - a.starts_at == timedelta(weeks=1)
        for a, b in zip(meetings, meetings[1:], strict=False)
    )
    assert meetings[-1].on <= date(2027, 11, 25)
    before = [t for t in s.tasks(stack, gid, "before") if t.meeting_id == meetings[0].id]
    assert {t.member_id for t in before} == set(ids.values())
    with transaction(stack.engine) as session:
        officers = session.exec(select(SavingsOfficer)).all()
        assert [(o.office, o.member_id, o.until) for o in officers] == [
            ("treasurer", ids[people["treasurer"]], None)
        ]


async def test_reminders_are_discreet_unless_the_member_chose_amounts(stack):
    _group(stack)
    stack.clock.now = FIRST - timedelta(days=1)
    await stack.tick()
    plain = _sms(stack)[-1]
    assert plain == "Reminder: your group meets tomorrow, Thursday 26 November, 10:00."
    assert "500 XOF" in _sms(stack, DETAILS_PHONE)[-1]
    assert "500 XOF" in _tg(stack)[-1]  # not over SMS: amounts may show
    stack.clock.now = FIRST.replace(hour=9)  # 08:00, moved into the daytime window
    await stack.tick()
    assert _sms(stack)[-1] == "Today at 10:00, your group meets."


async def test_the_treasurer_reports_in_the_chat_and_confirms_before_it_counts(stack):
    gid, people, ids = _group(stack)
    stack.clock.now = FIRST + timedelta(hours=3)
    await stack.tick()
    asked = _tg(stack)[-1]
    assert asked.startswith("Record of the savings meeting on Thursday 26 November, 10:00.")
    assert "1. Awa\n2. Fatou\n3. Moussa" in asked
    shares = await stack.tg_says(TREASURER_CHAT, "1 3")
    assert shares[-1].startswith(
        "How many shares did each buy (1 to 5)? In this order: Awa, Moussa."
    )
    assert (await stack.tg_says(TREASURER_CHAT, "9"))[-1].startswith("Shares must be 1 to 5 (Awa).")
    social = await stack.tg_says(TREASURER_CHAT, "2 4")
    assert social[-1].startswith("Who paid the social fund (100 XOF)?")
    loans = await stack.tg_says(TREASURER_CHAT, "all")
    assert loans[-1].startswith("Loans given today?")
    # Moussa saved 2,000: he may borrow three times that, and the box holds 3,000 to lend.
    assert (await stack.tg_says(TREASURER_CHAT, "3: 7 000"))[-1].startswith(
        "Moussa may borrow at most 6,000 XOF."
    )
    confirm = await stack.tg_says(TREASURER_CHAT, "3: 2 500")
    assert confirm[-1] == (
        "Please check the record:\nCame: 2 of 3\nShares: 6 (3,000 XOF)\n"
        "Social fund: 3 (300 XOF)\nLoans: Moussa 2,500 XOF\nIs it right?"
    )
    assert s.entries(stack, gid) == []  # nothing counts before it is confirmed
    assert await stack.tg_presses(TREASURER_CHAT, "confirm") == ["Thank you! The record is saved."]
    box = s.box(stack, gid)
    moussa = ids[people["moussa"]]
    assert box.total_savings == 3000 and box.savings[moussa] == 2000
    assert box.social_fund == 300 and box.loans_outstanding == 2500
    assert box.cash == 3000 + 300 - 2500 and box.balances
    with transaction(stack.engine) as session:
        present = session.exec(select(SavingsAttendance).where(SavingsAttendance.present)).all()
        assert {a.member_id for a in present} == {ids[people["treasurer"]], moussa}
    repay = [t for t in s.tasks(stack, gid) if t.kind.startswith("repay")]
    # 3 months, flat 2%: each instalment has two reminders, 3 days before and on the day.
    assert len(repay) == 6 and {t.member_id for t in repay} == {moussa}


async def test_repayment_reminders_say_nothing_of_a_loan_over_sms(stack):
    gid, people, ids = _group(stack)
    meeting = s.meetings(stack, gid)[0]
    stack.clock.now = FIRST + timedelta(hours=1)
    fatou = ids[people["fatou"]]
    s.record(stack, gid, meeting.id, s.MeetingReport(
        present=(fatou,), shares={fatou: 4}, social=(fatou,), loans={fatou: 1500}))  # fmt: skip
    stack.clock.now = datetime(2026, 12, 23, 9, tzinfo=UTC)  # 3 days before 26 December
    await stack.tick()
    said = _sms(stack)[-1]
    assert said == "A reminder from your group for 26 December."
    stack.clock.now = datetime(2026, 12, 26, 9, tzinfo=UTC)
    await stack.tick()
    assert _sms(stack)[-1] == "A reminder from your group for today."
    # Moussa chose amounts, but the loan is Fatou's: nothing about it reaches him.
    assert not any("loan" in text for text in _sms(stack, DETAILS_PHONE))


async def test_a_repaid_instalment_is_not_reminded(stack):
    gid, people, ids = _group(stack)
    meetings = s.meetings(stack, gid)
    fatou = ids[people["fatou"]]
    stack.clock.now = FIRST + timedelta(hours=1)
    s.record(stack, gid, meetings[0].id, s.MeetingReport(
        present=(fatou,), shares={fatou: 4}, loans={fatou: 1500}))  # fmt: skip
    # 1,500 flat at 2% over 3 months: 500 + 30 a month. Paid at the next meeting.
    stack.clock.now = meetings[1].starts_at + timedelta(hours=1)
    s.record(stack, gid, meetings[1].id, s.MeetingReport(present=(fatou,), repayments={fatou: 530}))
    stack.clock.now = datetime(2026, 12, 23, 9, tzinfo=UTC)
    await stack.tick()
    assert not any("reminder from your group" in t for t in _sms(stack))
    first = [t for t in s.tasks(stack, gid, "repay_before") if t.instalment == 1]
    assert [t.status for t in first] == ["cancelled"] and first[0].note == "paid"


async def test_balance_shows_only_ones_own_and_asks_before_amounts_go_by_sms(stack):
    gid, people, ids = _group(stack)
    meeting = s.meetings(stack, gid)[0]
    stack.clock.now = FIRST + timedelta(hours=1)
    fatou, moussa = ids[people["fatou"]], ids[people["moussa"]]
    s.record(stack, gid, meeting.id, s.MeetingReport(
        present=(fatou, moussa), shares={fatou: 3, moussa: 5}, loans={moussa: 2000}))  # fmt: skip
    asked = await stack.sms_says(PHONE, "BALANCE")
    assert asked[-1].startswith("To keep your figures private, we do not send amounts by SMS")
    assert not REVEALING.search(asked[-1].split("\n")[0])  # the question, before its choices
    kept = await stack.sms_says(PHONE, "2")
    assert kept[-1].startswith("No problem, your figures stay private.")
    assert not any(REVEALING.search(t.split("\n")[0]) for t in kept)
    shown = await stack.sms_says(PHONE, "solde")  # BALANCE in any shipped language
    shown = await stack.sms_says(PHONE, "yes")
    assert shown[0].startswith("Done: your messages will show amounts")
    assert shown[-1] == (
        "Your group statement, 26 November: 3 shares, worth 1,500 XOF.\nNo loan to repay."
    )
    # Moussa's figures are his own: his loan, not Fatou's shares.
    mine = await stack.sms_says(DETAILS_PHONE, "my balance")
    assert mine[-1].startswith("Your group statement, 26 November: 5 shares, worth 2,500 XOF.")
    assert "Loan to repay: 2,120 XOF. Next: 706 XOF by 26 December." in mine[-1]
    assert "1,500" not in mine[-1]
    # The treasurer also sees the group's totals.
    totals = await stack.tg_says(TREASURER_CHAT, "balance")
    assert "Group: savings 4,000 XOF, in the box 2,000 XOF, lent out 2,000 XOF" in totals[-1]


async def test_only_an_officer_can_record_a_meeting(stack):
    gid, people, ids = _group(stack)
    meeting = s.meetings(stack, gid)[0]
    stack.clock.now = FIRST + timedelta(hours=3)
    await stack.tick()  # the treasurer is asked; Fatou is not
    assert not any("Record of the savings meeting" in t for t in _sms(stack))
    assert not any("Record of the savings meeting" in t for t in _sms(stack, DETAILS_PHONE))
    # Moussa (no office) somehow at the last step of a report: his confirmation is ignored.
    with transaction(stack.engine) as session:
        from bot.models import Conversation

        conversation = session.exec(
            select(Conversation).where(Conversation.person_id == people["moussa"])
        ).one()
        treasurer = session.exec(
            select(Conversation).where(Conversation.person_id == people["treasurer"])
        ).one()
        conversation.flow, conversation.step = treasurer.flow, "confirm"
        conversation.state = dict(treasurer.state)
        conversation.updated_at = stack.clock()
    await stack.sms_says(DETAILS_PHONE, "1")
    assert s.entries(stack, gid) == []
    with transaction(stack.engine) as session:
        assert session.get(type(s.meetings(stack, gid)[0]), meeting.id).recorded_at is None


async def test_an_erased_member_stays_in_the_ledger_as_a_tombstone(stack):
    gid, people, ids = _group(stack)
    meeting = s.meetings(stack, gid)[0]
    stack.clock.now = FIRST + timedelta(hours=1)
    fatou = ids[people["fatou"]]
    s.record(stack, gid, meeting.id, s.MeetingReport(present=(fatou,), shares={fatou: 2}))
    before = s.box(stack, gid)
    with transaction(stack.engine) as session:
        erase_person(
            session, session.get(Person, people["fatou"]), stack.services.content, "staff:1",
            stack.clock(), stack.services.erasers,
        )  # fmt: skip
    with transaction(stack.engine) as session:
        member = session.get(SavingsMember, fatou)
        assert member.person_id is None and member.details is False
    after = s.box(stack, gid)
    assert after.cash == before.cash == 1000 + 100 * 0 and after.savings[fatou] == 1000
    assert all(t.status != "pending" for t in s.tasks(stack, gid) if t.member_id == fatou)


async def test_repayments_falling_behind_alert_the_facilitator_not_the_members(stack):
    gid, people, ids = _group(stack)
    meeting = s.meetings(stack, gid)[0]
    fatou = ids[people["fatou"]]
    stack.clock.now = FIRST + timedelta(hours=1)
    s.record(stack, gid, meeting.id, s.MeetingReport(
        present=(fatou,), shares={fatou: 4}, loans={fatou: 1500}))  # fmt: skip
    # The first instalment falls due on 26 December; nothing is paid. The day after the
    # next meeting, the group's health is looked at again.
    stack.clock.now = datetime(2026, 12, 31, 11, tzinfo=UTC)
    await stack.tick()
    from bot.models import Alert

    with transaction(stack.engine) as session:
        alerts = session.exec(select(Alert).where(Alert.reason == "savings_repayment")).all()
    assert len(alerts) == 1 and f"savings_group:{gid}" in alerts[0].detail
    assert alerts[0].person_id is None  # about the group, not a member
    stack.clock.now = datetime(2027, 1, 8, 11, tzinfo=UTC)
    await stack.tick()
    with transaction(stack.engine) as session:
        assert (
            len(session.exec(select(Alert).where(Alert.reason == "savings_repayment")).all()) == 1
        )
    assert not any("late" in t.lower() or "owe" in t.lower() for t in _sms(stack))


async def test_a_receipt_of_ones_own_entry_for_those_who_asked_discreet_over_sms(stack):
    from bot.models import SavingsGroup, SavingsMeeting
    from bot.savings import receipts

    gid, people, ids = _group(stack)
    meeting = s.meetings(stack, gid)[0]
    fatou, moussa = ids[people["fatou"]], ids[people["moussa"]]
    s.set_member(stack, fatou, receipts=True)
    s.set_member(stack, moussa, receipts=True)
    stack.clock.now = FIRST + timedelta(hours=1)
    s.record(stack, gid, meeting.id, s.MeetingReport(
        present=(fatou, moussa), shares={fatou: 2, moussa: 5}))  # fmt: skip
    with transaction(stack.engine) as session:
        sent = receipts.send(session, session.get(SavingsGroup, gid),
                             session.get(SavingsMeeting, meeting.id), stack.services.content,
                             stack.clock())  # fmt: skip
    assert sent == 2  # the treasurer did not ask for one
    await stack.work()
    assert _sms(stack)[-1] == "Your group's record for 26/11 is saved. Thank you!"
    assert _sms(stack, DETAILS_PHONE)[-1].startswith("Saved for 26/11: 5 shares (2,500 XOF).")
    assert "1,000" not in _sms(stack, DETAILS_PHONE)[-1]  # Fatou's entry is hers

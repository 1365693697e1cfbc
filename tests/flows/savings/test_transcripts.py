"""Savings groups as officers and members live them, pure over the flows under a frozen clock
(golden transcripts in tests/flows/savings/golden/; a missing file fails,
HOMECOMING_UPDATE_GOLDEN=1 writes it): the treasurer's report of a meeting, refused where the
constitution or the box says no, shown back and confirmed; BALANCE over SMS asking first
whether amounts may show."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.content import load_content
from flows.savings import balance, report
from flows.savings.constitution import Constitution
from flows.savings.effects import ChooseDetails, RecordSavingsMeeting, ShowStatement
from flows.savings.recording import MeetingReport, Position
from flows.savings.statement import Figures
from flows.types import HandToStaff
from tests.flows.transcript import START, Transcript, begin, press
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
ENROLLED = {"status": "active", "consents": {"messages": True, "surveys": True}}
MEMBERS = [(11, "Awa"), (12, "Fatou"), (13, "Moussa"), (14, "Grace")]
RULES = Constitution(share_value=500, min_shares=1, max_shares=5, social_fund=100, fines=True,
                     loan_multiple=Decimal(3))  # fmt: skip
# Moussa has saved 4,000 and owes 1,060; the box may lend 5,000.
POSITION = Position({11: 2000, 12: 1000, 13: 4000, 14: 0}, {13: 1060}, 5000)


@pytest.fixture(scope="module")
def content():
    return load_content()


def check(transcript: Transcript, name: str) -> None:
    assert_golden(GOLDEN / f"{name}.txt", transcript.text())


def effects(transcript: Transcript, kind) -> list:
    return [e for e in transcript.effects() if isinstance(e, kind)]


def asked(content, when: str = "Thursday 26 November, 10:00"):
    def start(snap):
        return report.start(
            snap, content, group_id=5, meeting_id=9, when=when, members=MEMBERS,
            constitution=RULES, decimals=0, position=POSITION, until=START + timedelta(days=3),
        )  # fmt: skip

    return begin("savings group 5 asks the treasurer for meeting 9's record", start)


def test_the_treasurer_reports_a_meeting_and_confirms_it(content):
    t = Transcript(content, "telegram", language="en", **ENROLLED)
    t.play(asked(content), "1 2 3", "2 1 3", "all but 4", "1: 5 000, 2:1000", "3:1060", "0",
           press("confirm"))  # fmt: skip
    [recorded] = effects(t, RecordSavingsMeeting)
    assert (recorded.group_id, recorded.meeting_id) == (5, 9)
    assert MeetingReport.from_dict(recorded.report) == MeetingReport(
        present=(11, 12, 13), shares={11: 2, 12: 1, 13: 3}, social=(11, 12, 13),
        loans={11: 5000, 12: 1000}, repayments={13: 1060},
    )  # fmt: skip
    assert t.conversation.idle
    check(t, "report.confirmed.en.telegram")


def test_a_report_refused_where_the_rules_say_no_then_started_again(content):
    t = Transcript(content, "sms", language="fr", **ENROLLED)
    # 7 shares is above 5; Fatou may borrow 3 x (1,000 + 1,000 today) at most; Moussa owes
    # 1,060 only.
    t.play(asked(content, "jeudi 26 novembre, 10:00"), "tous", "7", "2", "0", "2:9000",
           "aucun", "3:2000", "3:1060", "non", "2")  # fmt: skip
    assert effects(t, RecordSavingsMeeting) == []
    assert "Fatou peut emprunter au plus 6,000 XOF." in t.text()
    assert "Moussa doit 1,060 XOF en tout." in t.text()
    assert t.conversation.step == "present"  # started again
    check(t, "report.refused.fr.sms")


def test_an_unreadable_report_answer_reaches_a_person_after_two_tries(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(asked(content), "the usual ones", "same as last time", "?")
    assert effects(t, HandToStaff) == [HandToStaff("unhandled")]
    check(t, "report.unreadable.en.sms")


MINE = balance.Membership(False, "XOF", 0, Figures(6, 3000, 2120, date(2026, 12, 26), 706))


def ask_balance(content, groups):
    def start(snap):
        return balance.answer(snap, content, groups, date(2026, 11, 26))

    return begin("BALANCE, answered with the member's figures", start)


def test_balance_over_sms_asks_before_amounts_show(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play("balance")
    assert effects(t, ShowStatement) == [ShowStatement()]
    t.play(ask_balance(content, [MINE]), "no")
    assert effects(t, ChooseDetails) == [ChooseDetails(False)]
    assert "XOF" not in t.text()
    t.play(ask_balance(content, [MINE]), "1")
    assert effects(t, ChooseDetails)[-1] == ChooseDetails(True, True)
    check(t, "balance.asked.en.sms")


def test_balance_on_telegram_shows_the_statement_at_once(content):
    t = Transcript(content, "telegram", language="ar", **ENROLLED)
    t.play(ask_balance(content, [MINE]))
    assert "3,000 XOF" in t.text() and "706 XOF" in t.text()
    check(t, "balance.shown.ar.telegram")


def test_balance_from_someone_in_no_savings_group(content):
    t = Transcript(content, "sms", language="fr", **ENROLLED)
    t.play(ask_balance(content, []))
    assert "groupe d'épargne" in t.text()
    check(t, "balance.no_group.fr.sms")

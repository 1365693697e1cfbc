"""The pairing message, as mentors and mentees live it (pure golden transcripts in
tests/flows/mentoring/golden/; a missing file fails, HOMECOMING_UPDATE_GOLDEN=1 writes it)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.content import load_content
from flows.mentoring import pairing
from flows.mentoring.effects import AnswerPairing
from flows.types import HandToStaff
from tests.flows.transcript import START, Transcript, begin, press, wait
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
ENROLLED = {"status": "active", "consents": {"messages": True, "surveys": True}}
UNTIL = START + timedelta(hours=48)


@pytest.fixture(scope="module")
def content():
    return load_content()


def offer(content, role: str, reach: str = "phone", name: str = "Awa", area: str = "North"):
    def start(snap):
        return pairing.offer(
            snap,
            content,
            match_id=7,
            role=role,
            name=name,
            area=area,
            reach=reach,
            until=UNTIL,
        )

    return begin(f"pairing offer to the {role} (match 7, answer by {UNTIL:%Y-%m-%d %H:%M})", start)


def answers(transcript: Transcript) -> list:
    return [e for e in transcript.effects() if isinstance(e, AnswerPairing)]


def check(transcript: Transcript, name: str) -> None:
    assert_golden(GOLDEN / f"{name}.txt", transcript.text())


def test_a_mentor_accepts_over_sms(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(offer(content, "mentor"), wait(hours=2), "1")
    assert answers(t) == [AnswerPairing(7, "mentor", True, "phone")]
    assert t.conversation.idle
    check(t, "pairing.mentor_accepts.en.sms")


def test_a_mentee_declines_with_the_button(content):
    t = Transcript(content, "telegram", language="en", **ENROLLED)
    t.play(offer(content, "mentee", reach="telegram", name="Moussa"), press("no"))
    assert answers(t) == [AnswerPairing(7, "mentee", False)]
    check(t, "pairing.mentee_declines.en.telegram")


def test_without_a_telegram_name_the_number_is_typed(content):
    t = Transcript(content, "telegram", language="fr", **ENROLLED)
    t.play(
        offer(content, "mentee", reach="ask", name="Moussa", area="Nord"),
        "oui",
        "mon numero c 77 12",
        "+221 77 123 45 67",
    )
    assert answers(t) == [AnswerPairing(7, "mentee", True, "+221771234567")]
    check(t, "pairing.number_typed.fr.telegram")


def test_changing_ones_mind_about_the_number_declines_kindly(content):
    t = Transcript(content, "telegram", language="en", **ENROLLED)
    t.play(offer(content, "mentor", reach="ask"), press("yes"), "2")
    assert answers(t) == [AnswerPairing(7, "mentor", False)]


def test_an_answer_after_the_time_ran_out_is_thanked_not_taken(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(offer(content, "mentor"), wait(hours=49), "yes")
    assert answers(t) == []
    assert t.conversation.idle
    check(t, "pairing.too_late.en.sms")


def test_what_it_cannot_read_is_asked_again_then_goes_to_a_person(content):
    t = Transcript(content, "sms", language="ar", **ENROLLED)
    t.play(offer(content, "mentor", name="عائشة", area="الشمال"), "ممكن", "شنو", "واش")
    assert answers(t) == []
    assert any(isinstance(e, HandToStaff) for e in t.effects())
    check(t, "pairing.unclear.ar.sms")


def test_help_in_the_middle_asks_the_same_question_again(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(offer(content, "mentee"), "HELP", "yes")
    assert answers(t) == [AnswerPairing(7, "mentee", True, "phone")]
    check(t, "pairing.help.en.sms")

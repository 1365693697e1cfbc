"""Pulses, contact logs and evaluations during a mentoring cycle (pure golden transcripts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import load_content
from flows.mentoring import pulse
from flows.mentoring.effects import RecordPulse
from flows.types import RaiseAlert
from tests.flows.transcript import Transcript, begin, press
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
ENROLLED = {"status": "active", "consents": {"messages": True, "surveys": True}}


@pytest.fixture(scope="module")
def content():
    return load_content()


def starts(content, kind: str, role: str, month: int = 2, name: str = "Amina"):
    def start(snap):
        return pulse.start(snap, content, match_id=7, kind=kind, role=role, month=month, name=name)

    return begin(f"{kind} to the {role} (match 7, month {month})", start)


def of_type(t: Transcript, kind) -> list:
    return [e for e in t.effects() if isinstance(e, kind)]


def check(t: Transcript, name: str) -> None:
    assert_golden(GOLDEN / f"{name}.txt", t.text())


def test_a_good_pulse_with_a_comment(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(starts(content, "pulse", "mentee"), "4", "She helped me with the market permit")
    assert of_type(t, RecordPulse) == [
        RecordPulse(7, "pulse", "mentee", 2, 4, "She helped me with the market permit")
    ]
    assert of_type(t, RaiseAlert) == []
    check(t, "pulse.good.en.sms")


def test_a_low_pulse_raises_an_alert_and_the_comment_may_be_skipped(content):
    t = Transcript(content, "telegram", language="fr", **ENROLLED)
    t.play(starts(content, "pulse", "mentee", name="Ousmane"), "pas bien, 2", "skip")
    assert of_type(t, RecordPulse) == [RecordPulse(7, "pulse", "mentee", 2, 2, None)]
    assert [a.reason for a in of_type(t, RaiseAlert)] == ["mentor_pulse_low"]
    check(t, "pulse.low.fr.telegram")


def test_the_mentor_logs_being_in_touch(content):
    t = Transcript(content, "telegram", language="en", **ENROLLED)
    t.play(starts(content, "log", "mentor", name="Fatou"), press("no"))
    assert of_type(t, RecordPulse) == [RecordPulse(7, "log", "mentor", 2, 0)]


def test_the_evaluation_ends_with_what_next(content):
    t = Transcript(content, "sms", language="ar", **ENROLLED)
    t.play(starts(content, "evaluation", "mentee", month=6, name="عائشة"), "5", "1")
    assert of_type(t, RecordPulse) == [
        RecordPulse(7, "evaluation", "mentee", 6, 5, None, "continue")
    ]
    check(t, "evaluation.mentee.ar.sms")


def test_the_mentors_evaluation_is_one_question(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(starts(content, "evaluation", "mentor", month=6, name="Awa"), "five", "hello")
    assert of_type(t, RecordPulse) == [RecordPulse(7, "evaluation", "mentor", 6, 5)]


def test_what_it_cannot_read_is_asked_again_then_goes_to_a_person(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(starts(content, "pulse", "mentee"), "hmm", "dunno", "whatever")
    assert of_type(t, RecordPulse) == []
    assert t.conversation.idle

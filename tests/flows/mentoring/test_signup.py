"""Volunteering and asking for a mentor in the chat, as people live it (pure golden
transcripts in tests/flows/mentoring/golden/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import load_content
from flows.mentoring.effects import RegisterMentor, RequestMentor
from flows.types import Activate
from tests.flows.transcript import Transcript, press
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
ENROLLED = {"status": "active", "consents": {"messages": True, "surveys": True}}


@pytest.fixture(scope="module")
def content():
    return load_content()


def check(transcript: Transcript, name: str) -> None:
    assert_golden(GOLDEN / f"{name}.txt", transcript.text())


def of_type(transcript: Transcript, kind) -> list:
    return [e for e in transcript.effects() if isinstance(e, kind)]


def test_a_volunteer_onboards_and_gives_a_short_mentor_profile(content):
    t = Transcript(content, "sms")
    t.play(
        "Bonjour",
        "2",  # français
        "oui",
        "oui",
        "Ousmane",
        "3",  # je veux aider comme bénévole
        "nord",
        "un homme",
        "4",  # 35 à 44 ans
        "commerce",
        "1",  # trouver du travail
        "3",  # le soir
        # The mentor profile
        "Libye",
        "4",
        "1",  # trouver un emploi
        "2",
        "wolof, pulaar",
    )
    assert len(of_type(t, Activate)) == 1
    assert of_type(t, RegisterMentor) == [
        RegisterMentor(
            capacity=2,
            skills=("job",),
            abroad_in="Libye",
            years_abroad=4,
            languages=("wolof", "pulaar"),
        )
    ]
    assert t.conversation.idle
    check(t, "signup.volunteer.fr.sms")


def test_asking_for_a_mentor_from_the_menu(content):
    t = Transcript(content, "telegram", language="en", profile={"role": "returnee"}, **ENROLLED)
    t.play("MENU", press("mentor"), "maybe", press("woman"))
    assert of_type(t, RequestMentor) == [RequestMentor(prefers_gender="woman")]
    check(t, "request.menu.en.telegram")


def test_no_preference_over_sms_and_volunteers_are_not_offered_one(content):
    t = Transcript(content, "sms", language="ar", profile={"role": "returnee"}, **ENROLLED)
    t.play("MENU", "5", "3")
    assert of_type(t, RequestMentor) == [RequestMentor(prefers_gender=None)]
    volunteer = Transcript(content, "sms", language="en", profile={"role": "mentor"}, **ENROLLED)
    volunteer.play("MENU")
    assert "mentor" not in volunteer.text().split("> MENU", 1)[1]

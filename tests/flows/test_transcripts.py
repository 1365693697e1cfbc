"""Golden transcripts of the flows as people live them, run purely (tests/flows/transcript.py).

Each test plays a script (what the person writes or presses, prompts firing, time passing)
and compares the transcript with tests/flows/golden/<name>.txt. A missing golden file fails;
regenerate with HOMECOMING_UPDATE_GOLDEN=1 and read every file that changed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content import load_content
from flows.followup.effects import PromptAnswered, RecordResponse
from flows.types import ForgetInput, SetLanguage
from tests.builders import ONBOARDING_SAID
from tests.flows.transcript import Step, Transcript, fire, press, wait
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
ENROLLED = {"status": "active", "consents": {"messages": True, "surveys": True}}


@pytest.fixture(scope="module")
def content():
    return load_content()


def check(transcript: Transcript, name: str) -> None:
    assert_golden(GOLDEN / f"{name}.txt", transcript.text())


# -- onboarding ------------------------------------------------------------------------------

# What people write, in their language, mixing digits, words, buttons and small slips.
ONBOARDING: dict[tuple[str, str], list[Step]] = {
    ("en", "sms"): ONBOARDING_SAID["en"],
    ("en", "telegram"): [
        "/start",
        press("en"),
        press("yes"),
        "yes",
        "Awa",
        press("returnee"),
        press("north"),
        "3 months ago",
        press("skip"),
        press("25_34"),
        press("other"),
        "I repair phones",
        press("job"),
        press("evening"),
    ],
    ("fr", "telegram"): [
        "Bonjour",
        press("fr"),
        "oui",
        press("yes"),
        "Aminata",
        "1",
        "Nord",
        "mars 2026",
        press("woman"),
        "3",
        "autre",
        "Je répare des téléphones",
        press("skip"),
        "le soir",
    ],
    ("ar", "sms"): ONBOARDING_SAID["ar"],
    ("ar", "telegram"): [
        "مرحبا",
        press("ar"),
        "نعم",
        press("yes"),
        "يوسف",
        press("returnee"),
        "الشمال",
        "منذ 3 أشهر",
        "رجل",
        press("18_24"),
        "أخرى",
        "أصلح الهواتف",
        "تخطي",
        press("evening"),
    ],
}

EXPECTED_PROFILE = {
    "en": {"display_name": "Awa", "district": "north", "return_date": date(2026, 8, 24)},
    "fr": {"display_name": "Aminata", "district": "north", "return_date": date(2026, 3, 1)},
    "ar": {"display_name": "يوسف", "district": "north", "return_date": date(2026, 8, 24)},
}


@pytest.mark.parametrize(("language", "channel"), list(ONBOARDING))
def test_onboarding(content, language, channel):
    transcript = Transcript(content, channel).play(*ONBOARDING[(language, channel)])
    check(transcript, f"onboarding.{language}.{channel}")

    person = transcript.person
    assert person.status == "active" and person.language == language
    assert person.consents == {"messages": True, "surveys": True}
    assert person.profile["role"] == "returnee"
    assert person.profile["sector"] == "other" and person.profile["sector_other"]
    for name, value in EXPECTED_PROFILE[language].items():
        assert person.profile[name] == value, name
    assert transcript.conversation.idle


# -- follow-up -------------------------------------------------------------------------------


def test_checkin(content):
    transcript = Transcript(content, "sms", language="en", **ENROLLED)
    transcript.play(
        fire(11, "checkin", "checkin"),
        wait(hours=3),
        "2",
        "partly",
        "skip",
        "no",
    )
    check(transcript, "checkin.en.sms")

    [response] = [e for e in transcript.effects() if isinstance(e, RecordResponse)]
    assert response.prompt_id == 11 and not response.anonymous
    assert response.answers == {
        "feeling": "okay",
        "basic_needs": "partly",
        "need": None,
        "talk": "no",
    }
    assert PromptAnswered(11) in transcript.effects()
    assert transcript.conversation.idle


REINTEGRATION_ANSWERS = {
    "work": "sometimes",
    "needs_met": "sometimes",
    "food": "never",
    "debt": "partly",
    "borrow": "no",
    "housing": "yes",
    "health": "yes",
    "documents": "partly",
    "school": "all",
    "safe": "yes",
    "support": "yes",
    "participation": "always",
    "treated_badly": "never",
    "low_mood": "sometimes",
    "urgent_help": "no",
    "must_leave": "partly",
}


# Sensitive questions with no neutral SMS wording (content/sensitive.yaml): asked on
# Telegram, not on SMS.
NOT_ON_SMS = ("health", "documents", "treated_badly")


def test_reintegration_survey(content):
    transcript = Transcript(content, "sms", language="en", **ENROLLED)
    transcript.play(
        fire(21, "survey", "reintegration", wave="m3"),
        "sometimes",
        "2",
        "Never",
        "partly",
        "no",
        "yes",
        "all of them",
        "Yes",
        "yes",
        "1",
        "sometimes",
        "no",
        "partly",
    )
    check(transcript, "survey.reintegration.en.sms")

    [response] = [e for e in transcript.effects() if isinstance(e, RecordResponse)]
    assert (response.prompt_id, response.wave, response.anonymous) == (21, "m3", False)
    expected = {k: v for k, v in REINTEGRATION_ANSWERS.items() if k not in NOT_ON_SMS}
    assert response.answers == expected


def test_the_reintegration_survey_on_telegram_asks_what_sms_does_not(content):
    said = ["sometimes", "2", "Never", "partly", "no", "yes", "yes!", "2", "all of them", "Yes"]
    said += ["yes", "1", "never", "sometimes", "no", "partly"]
    transcript = Transcript(content, "telegram", language="en", **ENROLLED)
    transcript.play(fire(21, "survey", "reintegration", wave="m3"), *said)
    [response] = [e for e in transcript.effects() if isinstance(e, RecordResponse)]
    assert response.answers == REINTEGRATION_ANSWERS
    assert set(response.dimensions) == {"economic", "social", "psychosocial"}
    assert transcript.last.effects[-1] == PromptAnswered(21)
    assert transcript.conversation.idle


def test_anonymous_feedback(content):
    transcript = Transcript(content, "telegram", language="en", **ENROLLED)
    transcript.play(
        fire(31, "feedback", "feedback", wave="m6"),
        "yes",
        "4",
        press("group"),
        "skip",
        "The group meetings helped me a lot.",
    )
    check(transcript, "feedback.anonymous.en.telegram")

    # From the "yes" on, nothing they write is kept with them.
    for result in transcript.results[1:]:
        assert ForgetInput() in result.effects
    [response] = [e for e in transcript.effects() if isinstance(e, RecordResponse)]
    assert response.anonymous and response.prompt_id is None
    assert response.answers == {
        "satisfied": 4,
        "helped": "group",
        "missing": None,
        "comment": "The group meetings helped me a lot.",
    }
    # The prompt itself is still marked answered, so no reminder follows.
    assert PromptAnswered(31) in transcript.effects()


# -- MENU and LANG in the middle of a survey -------------------------------------------------

CONTINUE = {"sms": "1", "telegram": press("continue")}


@pytest.mark.parametrize("channel", list(CONTINUE))
def test_menu_mid_survey_then_continue(content, channel):
    transcript = Transcript(content, channel, language="en", **ENROLLED)
    transcript.play(
        fire(21, "survey", "reintegration", wave="m3"),
        "sometimes",
        "menu",
        CONTINUE[channel],
        "sometimes",
    )
    check(transcript, f"menu.continue.en.{channel}")

    # Back on the survey, past the question answered after the menu.
    assert transcript.conversation.flow == "followup"
    survey = transcript.conversation.data["survey"]
    assert survey["answers"] == {"work": "sometimes", "needs_met": "sometimes"}
    assert survey["at"] == "food"


FRENCH = {"sms": "francais", "telegram": press("fr")}


@pytest.mark.parametrize("channel", list(FRENCH))
def test_language_change_mid_survey(content, channel):
    transcript = Transcript(content, channel, language="en", **ENROLLED)
    transcript.play(
        fire(21, "survey", "reintegration", wave="m3"),
        "sometimes",
        "LANG",
        FRENCH[channel],
        "parfois",
        "jamais",
    )
    check(transcript, f"lang.mid_survey.en_fr.{channel}")

    assert SetLanguage("fr") in transcript.effects()
    assert transcript.person.language == "fr"
    survey = transcript.conversation.data["survey"]
    assert survey["answers"] == {"work": "sometimes", "needs_met": "sometimes", "food": "never"}
    assert survey["at"] == "debt"

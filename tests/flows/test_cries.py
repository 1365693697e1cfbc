"""A cry for help at every point of a conversation, run purely over the flows: the emergency
contacts at once in the person's language, an alert, and nothing else changed. A cry is
never taken as an answer (nor as a name), and the conversation goes on where it was.
"""

from __future__ import annotations

import pytest

from bot.content import load_content
from flows.types import (
    ConversationState,
    FlagForReview,
    ForgetInput,
    RaiseAlert,
    RaiseAnonymousAlert,
    SetProfile,
)
from tests.builders import ONBOARDING_SAID
from tests.flows.transcript import Transcript, fire

CONTENT = load_content()
EMERGENCY = "followup.emergency"
ENROLLED = {"status": "active", "consents": {"messages": True, "surveys": True}}
CRIES = {
    "en": "i dont want to live anymore",
    "fr": "jveux plus vivre",
    "ar": "والانتحار هو الحل",
}
CHECKIN = fire(11, "checkin", "checkin")
SURVEY = fire(21, "survey", "reintegration", wave="m3")
FEEDBACK = fire(31, "feedback", "feedback", wave="m6")


def _assert_cry(transcript: Transcript, before: ConversationState, language: str) -> None:
    result = transcript.last
    [message] = result.messages
    assert message.key == EMERGENCY
    assert message.text == CONTENT.catalog.text(language, EMERGENCY, transcript.channel)
    [alert] = [e for e in result.effects if isinstance(e, RaiseAlert)]
    assert (alert.reason, alert.severity) == ("suicide_risk", "high")
    assert result.effects == (alert,)  # nothing stored as an answer, a name or a consent
    assert result.conversation == before


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_a_cry_at_each_step_of_onboarding_changes_nothing_else(language):
    """Onboarding in full, with a cry before each step: the same answers give the same
    outcome as without the cries, and the cry is in the language they chose or wrote in."""
    script = ONBOARDING_SAID[language]
    plain = Transcript(CONTENT, "sms").play(*script)
    crying = Transcript(CONTENT, "sms")
    for said in script:
        before = crying.conversation
        crying.say(CRIES[language])
        spoken = crying.person.language or language
        _assert_cry(crying, before, spoken)
        crying.play(said)
    assert crying.person == plain.person
    profile_values = {
        v for e in crying.effects() if isinstance(e, SetProfile) for v in e.fields.values()
    }
    assert CRIES[language] not in profile_values
    assert crying.conversation == plain.conversation


@pytest.mark.parametrize(
    "prompt", [CHECKIN, SURVEY, FEEDBACK], ids=["checkin", "survey", "feedback"]
)
def test_a_cry_mid_survey_is_no_answer_and_the_question_waits(prompt):
    transcript = Transcript(CONTENT, "telegram", language="en", **ENROLLED).play(prompt)
    before = transcript.conversation
    transcript.say("he beat me again last night and i cant leave")
    assert transcript.last.messages[0].key == EMERGENCY
    [alert] = [e for e in transcript.last.effects if isinstance(e, RaiseAlert)]
    assert alert.severity == "high"
    assert transcript.conversation == before


@pytest.mark.parametrize("how", ["stop", "refused"])
def test_after_stop_or_a_refusal_a_cry_still_gets_the_emergency_contacts(how):
    transcript = Transcript(CONTENT, "sms")
    if how == "stop":
        transcript.play(*ONBOARDING_SAID["fr"][:3], "STOP")
    else:
        transcript.play("Bonjour", "2", "non")
    assert transcript.person.opted_out
    before = transcript.conversation
    transcript.say("ils vont me tuer si je paye pas")
    result = transcript.last
    assert [m.key for m in result.messages] == [EMERGENCY]
    assert "+221 33 800 00 01" in result.messages[0].text
    [alert] = result.effects
    assert isinstance(alert, RaiseAlert) and alert.reason == "threat"
    assert result.conversation == before
    # Ordinary words after STOP still get at most the one hint a day, as before.
    transcript.say("merci")
    assert all(m.key != EMERGENCY for m in transcript.last.messages)


def test_before_choosing_a_language_the_reply_is_in_the_language_of_the_cry():
    transcript = Transcript(CONTENT, "telegram")
    transcript.say("ساعدوني زوجي يضربني")
    assert transcript.last.messages[0].text == CONTENT.catalog.text("ar", EMERGENCY, "telegram")


def test_possible_distress_reaches_a_person_and_the_flow_goes_on():
    transcript = Transcript(CONTENT, "sms", language="en", **ENROLLED).play(CHECKIN)
    transcript.say("i feel so hopeless")
    result = transcript.last
    assert any(isinstance(e, FlagForReview) for e in result.effects)
    assert all(m.key != EMERGENCY for m in result.messages)


def test_an_edited_message_is_read_for_distress_only():
    transcript = Transcript(CONTENT, "telegram", language="en", **ENROLLED).play(CHECKIN)
    before = transcript.conversation
    result = transcript.edit("3")
    assert (result.messages, result.effects, result.conversation) == ((), (), before)
    result = transcript.edit("actually I want to end my life")
    assert [m.key for m in result.messages] == [EMERGENCY]
    assert result.conversation == before


def test_numbers_inside_arabic_keep_their_order():
    """Digit groups separated by spaces run right to left inside Arabic unless isolated."""
    text = CONTENT.catalog.text("ar", EMERGENCY, "sms")
    assert "\u2066+221 33 800 00 01\u2069" in text
    assert "\u2066" not in CONTENT.catalog.text("en", EMERGENCY, "sms")


def _anonymous_feedback(language: str = "en") -> Transcript:
    transcript = Transcript(CONTENT, "sms", language=language, **ENROLLED).play(FEEDBACK, "yes")
    assert transcript.conversation.data.get("anonymous") is True
    return transcript


def test_a_cry_in_an_anonymous_survey_is_answered_at_once_and_the_person_is_asked():
    transcript = _anonymous_feedback()
    before = transcript.conversation
    transcript.say("i want to kill myself")
    result = transcript.last
    assert [m.key for m in result.messages] == [EMERGENCY, "followup.anonymous_contact"]
    assert [c.value for c in result.messages[1].choices] == ["yes", "no"]
    [alert] = [e for e in result.effects if isinstance(e, RaiseAnonymousAlert)]
    assert alert.severity == "high" and alert.detail == "i want to kill myself"
    assert not [e for e in result.effects if isinstance(e, RaiseAlert)]  # no name on it
    assert any(isinstance(e, ForgetInput) for e in result.effects)  # nor in the inbox
    transcript.say("no")
    assert transcript.conversation == before  # the survey, where it was
    assert not [e for e in transcript.last.effects if isinstance(e, RaiseAlert)]


def test_yes_raises_an_alert_with_who_they_are_and_the_survey_goes_on():
    transcript = _anonymous_feedback("fr")
    before, question = transcript.conversation, transcript.last.messages[-1]
    transcript.say("jveux plus vivre")
    transcript.say("1")
    [alert] = [e for e in transcript.last.effects if isinstance(e, RaiseAlert)]
    assert (alert.reason, alert.severity) == ("suicide_risk", "high")
    assert "jveux" not in (alert.detail or "")  # the words stay with the anonymous alert
    assert transcript.conversation == before
    assert transcript.last.messages[-1].text == question.text  # asked again, where it was


def test_a_cry_with_the_menu_open_over_an_anonymous_survey_stays_anonymous():
    transcript = _anonymous_feedback()
    transcript.say("MENU")
    transcript.say("i want to kill myself")
    effects = transcript.last.effects
    assert [type(e) for e in effects if isinstance(e, RaiseAlert | RaiseAnonymousAlert)] == [
        RaiseAnonymousAlert
    ]

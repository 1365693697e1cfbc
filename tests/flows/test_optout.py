"""Opt-out in people's own words, run purely over the flows: a clear sentence stops at once
with one confirmation; an unclear one is asked once, Yes first; No goes back to where the
person was; ordinary sentences change nothing. Measured on a labelled corpus per language
(tests/flows/optout/<language>.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content import load_content
from flows import optout
from flows.types import OptOut
from tests.flows.transcript import Transcript, fire, press

CONTENT = load_content()
ENROLLED = {"status": "active", "consents": {"messages": True, "surveys": True}}
CHECKIN = fire(11, "checkin", "checkin")
CORPUS = Path(__file__).parent / "optout"
LANGUAGES = ("en", "fr", "ar")
# Hit rates the corpus must keep (the README gives the figures).
MIN_CLEAR = 0.9
MIN_REACHED = 0.95  # clear or unclear: opted out, or at least asked
MAX_ORDINARY = 0.05


def _corpus(language: str) -> dict[str, list[str]]:
    return yaml.safe_load((CORPUS / f"{language}.yaml").read_text(encoding="utf-8"))


def _stopped(transcript: Transcript) -> list[OptOut]:
    return [e for e in transcript.last.effects if isinstance(e, OptOut)]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "please stop texting me"),
        ("en", "unsubscribe me"),
        ("fr", "je veux ne plus recevoir vos messages"),
        ("fr", "ne plus recevoir"),
        ("ar", "وقفوا الرسايل لو سمحتوا"),
    ],
)
def test_a_clear_sentence_mid_survey_stops_at_once_with_one_confirmation(language, said):
    transcript = Transcript(CONTENT, "sms", language=language, **ENROLLED).play(CHECKIN)
    transcript.say(said)
    assert [m.key for m in transcript.last.messages] == ["keyword.stop_confirm"]
    assert [e.reason for e in _stopped(transcript)] == ["sentence"]
    assert transcript.person.opted_out


def test_an_unclear_sentence_is_asked_once_with_yes_first_and_yes_stops():
    transcript = Transcript(CONTENT, "sms", language="en", **ENROLLED).play(CHECKIN)
    transcript.say("I don't want this")
    [question] = transcript.last.messages
    assert question.key == optout.QUESTION
    assert [c.value for c in question.choices] == ["yes", "no"]
    lines = transcript.text().splitlines()
    assert lines[lines.index("  1 Yes") + 1] == "  2 No"  # as the SMS shows it
    assert not _stopped(transcript)
    transcript.say("1")
    assert [m.key for m in transcript.last.messages] == ["keyword.stop_confirm"]
    assert [e.reason for e in _stopped(transcript)] == ["asked"]


def test_no_goes_back_to_the_question_the_person_was_on():
    transcript = Transcript(CONTENT, "telegram", language="fr", **ENROLLED).play(CHECKIN)
    before = transcript.conversation
    question = transcript.last.messages[-1]
    transcript.say("pourquoi vous m'écrivez tout le temps")
    assert transcript.last.messages[0].key == optout.QUESTION
    transcript.play(press("no"))
    assert transcript.conversation == before
    assert transcript.last.messages[-1].text == question.text
    assert not transcript.person.opted_out


def test_an_answer_instead_of_yes_or_no_is_taken_as_the_answer_it_is():
    transcript = Transcript(CONTENT, "sms", language="en", **ENROLLED).play(CHECKIN)
    plain = Transcript(CONTENT, "sms", language="en", **ENROLLED).play(CHECKIN, "3")
    transcript.play("this is too much", "3")
    assert transcript.conversation == plain.conversation
    assert transcript.last.messages == plain.last.messages


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "the bus stop is far from my house"),
        ("en", "I want to stop drinking"),
        ("en", "don't stop the reminders, they help me"),
        ("fr", "l'arrêt de bus est loin"),
        ("ar", "بطلت التدخين الحمد لله"),
    ],
)
def test_ordinary_sentences_change_nothing(language, said):
    transcript = Transcript(CONTENT, "sms", language=language, **ENROLLED)
    transcript.say(said)
    assert all(
        m.key not in (optout.QUESTION, "keyword.stop_confirm") for m in transcript.last.messages
    )
    assert not _stopped(transcript)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_corpus_is_understood(language):
    corpus = _corpus(language)
    assert len(corpus["clear"]) + len(corpus["unclear"]) >= 25 and len(corpus["ordinary"]) >= 25
    found = {
        section: [CONTENT.optout.detect(s, language) for s in corpus[section]]
        for section in ("clear", "unclear", "ordinary")
    }
    clear = [f is not None and f.tier == "alert" for f in found["clear"]]
    reached = [f is not None for f in found["clear"] + found["unclear"]]
    ordinary = [f is not None for f in found["ordinary"]]
    assert sum(clear) / len(clear) >= MIN_CLEAR
    assert sum(reached) / len(reached) >= MIN_REACHED
    assert sum(ordinary) / len(ordinary) <= MAX_ORDINARY

"""The distress detector on the labelled corpus (bench/distress.py prints the same figures)
and on what no corpus can list: any casing, punctuation, repeated letters, spacing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import load_content
from flows.distress.detect import ALERT, REVIEW, SIGN, Detector, parse_pattern

CORPUS = Path(__file__).parent
DETECTOR = load_content().distress
LANGUAGES = load_content().languages


def _corpus(language: str) -> dict[str, list[str]]:
    return yaml.safe_load((CORPUS / f"{language}.yaml").read_text(encoding="utf-8"))


def test_every_shipped_language_has_a_corpus_and_concepts():
    assert set(DETECTOR.languages) == set(LANGUAGES)
    for language in LANGUAGES:
        data = _corpus(language)
        assert len(data["cries"]) >= 40 and len(data["ordinary"]) >= 30
        concepts = DETECTOR.languages[language].concepts
        tiers = {c.tier for c in concepts.values()}
        assert tiers == {ALERT, REVIEW, SIGN}, language


PATTERNS_ONLY = Detector(
    {code: dataclasses.replace(lang, scorer=None) for code, lang in DETECTOR.languages.items()}
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_patterns_alone_find_the_corpus_cries(language):
    """The scorer learned from this corpus, so it would pass anything here; the patterns
    must hold on their own."""
    data = _corpus(language)
    cries = data["cries"]
    alert = [s for s in cries if (f := PATTERNS_ONLY.detect(s, language)) and f.tier == ALERT]
    wrong = [s for s in data["ordinary"] if PATTERNS_ONLY.detect(s, language) is not None]
    assert len(alert) / len(cries) >= 0.95, [s for s in cries if s not in alert]
    assert len(wrong) / len(data["ordinary"]) <= 0.03, wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_recall_and_false_positives_meet_the_targets(language):
    data = _corpus(language)
    found = {s: DETECTOR.detect(s, language) for group in data.values() for s in group}
    cries = data["cries"]
    alert = [s for s in cries if found[s] is not None and found[s].tier == ALERT]
    missed = [s for s in cries if found[s] is None]
    wrong = [s for s in data["ordinary"] if found[s] is not None]
    assert len(alert) / len(cries) >= 0.95, [s for s in cries if s not in alert]
    assert missed == []
    assert len(wrong) / len(data["ordinary"]) <= 0.03, wrong


def _mangle(text: str, data) -> str:
    """What phones and hurry do to a message: case, punctuation, stretched letters, spaces."""
    out = []
    for word in text.split():
        if data.draw(st.booleans()):
            word = word.upper()
        if len(word) > 2 and data.draw(st.booleans()):
            at = data.draw(st.integers(0, len(word) - 1))
            if word[at].isalpha():
                word = word[: at + 1] + word[at] * data.draw(st.integers(2, 4)) + word[at + 1 :]
        out.append(word + data.draw(st.sampled_from(["", "", ",", "!!", "...", " "])))
    return " ".join(out)


ALERTS = [(language, s) for language in LANGUAGES for s in _corpus(language)["cries"][:25]]


@settings(max_examples=200, deadline=None)
@given(case=st.sampled_from(ALERTS), data=st.data())
def test_a_cry_is_understood_however_it_is_typed(case, data):
    language, said = case
    expected = DETECTOR.detect(said, language)
    found = DETECTOR.detect(_mangle(said, data), language)
    assert found is not None and found.tier == expected.tier


ORDINARY = [(language, s) for language in LANGUAGES for s in _corpus(language)["ordinary"]]


@settings(max_examples=100, deadline=None)
@given(case=st.sampled_from(ORDINARY), data=st.data())
def test_ordinary_words_stay_ordinary_however_they_are_typed(case, data):
    language, said = case
    assert DETECTOR.detect(_mangle(said, data).lower(), language) is None


def test_a_long_message_is_read_to_the_end():
    filler = "we talked about the shop and the market and the prices of rice today. " * 300
    found = DETECTOR.detect(filler + "and honestly i want to die", "en")
    assert found is not None and found.tier == ALERT


def test_negation_makes_a_wish_to_die_a_review_but_not_a_threat():
    assert DETECTOR.detect("I would never kill myself", "en").tier == REVIEW
    assert DETECTOR.detect("if I don't pay they will kill me", "en").tier == ALERT


@pytest.mark.parametrize(
    "pattern",
    [
        "~2 die",
        "want ~2",
        "want|d'accord die",
        "",
        "s* die",
        "want|wish die",  # a choice beside a word with no ~N: "want|wish ~0 die" if meant
        "die|die ~1 now",
    ],
)
def test_malformed_patterns_are_refused(pattern):
    with pytest.raises(ValueError):
        parse_pattern(pattern, "en")


def test_a_concept_with_an_unknown_tier_is_refused():
    with pytest.raises(ValueError, match="tier"):
        Detector.from_dicts({"en": {"concepts": {"x": {"tier": "maybe", "patterns": ["die"]}}}})


def _language(**concepts) -> Detector:
    return Detector.from_dicts({"en": {"concepts": concepts, "jokes": ["(ha){2,}h?", "lo+l+"]}})


def test_a_sign_alone_is_nothing_and_beside_possible_danger_makes_an_alert():
    detector = _language(
        place={"tier": "sign", "patterns": ["roof|bridge"]},
        low={"tier": "review", "patterns": ["can not ~2 go ~1 on"]},
    )
    assert detector.detect("we fixed the roof and the bridge", "en") is None
    assert detector.detect("i can not go on", "en").tier == REVIEW
    found = detector.detect("i am on the roof, i can not go on", "en")
    assert (found.tier, found.reason) == (ALERT, "several_signs")


def test_laughter_makes_an_alert_a_review_never_nothing():
    detector = _language(threat={"tier": "alert", "patterns": ["kill ~1 me"]})
    assert detector.detect("my mum will kill me if i am late", "en").tier == ALERT
    for said in ("my mum will kill me if i am late hahaha", "they kill me loool"):
        assert detector.detect(said, "en").tier == REVIEW
    # A word that merely starts like laughter is no laughter.
    assert detector.detect("lola says they will kill me", "en").tier == ALERT

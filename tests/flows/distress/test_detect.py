"""The distress detector on the labelled corpus (bench/distress.py prints the same figures)
and on what no corpus can list: any casing, punctuation, repeated letters, spacing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import load_content
from flows.distress.detect import ALERT, REVIEW, Detector, parse_pattern

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
        assert tiers == {ALERT, REVIEW}, language


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


@pytest.mark.parametrize("pattern", ["~2 die", "want ~2", "want|d'accord die", "", "s* die"])
def test_malformed_patterns_are_refused(pattern):
    with pytest.raises(ValueError):
        parse_pattern(pattern, "en")


def test_a_concept_with_an_unknown_tier_is_refused():
    with pytest.raises(ValueError, match="tier"):
        Detector.from_dicts({"en": {"concepts": {"x": {"tier": "maybe", "patterns": ["die"]}}}})

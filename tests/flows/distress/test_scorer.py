"""The learned scorer beside the patterns: what it adds, what it never overrules, and that
the shipped weights are the ones the corpus trains (bench/distress_train.py)."""

from __future__ import annotations

import pytest

from bench.distress_train import labelled
from bot.content import load_content
from flows.distress.corpus import corpus_hash, examples
from flows.distress.detect import ALERT, REVIEW, Detector
from flows.distress.scorer import MIN_KNOWN, Scorer, features, stem_of
from flows.distress.train import CRY, ORDINARY, WORRY, Example, fit, train

CONTENT = load_content()

READER = CONTENT.distress.languages["en"].reader
WEIGHTS = {"river": 2.5, "tonight": 2.0, "sorry": 1.5, "mother": 0.2, "cake": -1.5}
# Keyed as the model sees words: by stem ("sorry" is "sorri").
STEMMED = {stem_of(READER.words(w)[0]): v for w, v in WEIGHTS.items()}
SCORES = {
    "review": {"bias": -3.5, "at": 0.6, "weights": STEMMED},
    "alert": {"bias": -3.5, "at": 0.9, "weights": STEMMED},
}


def _detector() -> Detector:
    data = {
        "concepts": {"wish": {"tier": "alert", "negatable": True, "patterns": ["kill ~1 myself"]}},
        "negators": ["never", "not"],
        "exceptions": ["river ~2 fish*"],
        "scores": SCORES,
    }
    return Detector.from_dicts({"en": data})


def test_the_scorer_adds_a_review_or_an_alert_where_the_patterns_found_nothing():
    detector = _detector()
    assert detector.detect("sorry mother, the river", "en").tier == REVIEW
    found = detector.detect("sorry mother, tonight the river", "en")
    assert (found.tier, found.reason, found.concept) == (ALERT, "likely_danger", "scored")
    assert found.said == "sorry mother tonight river"  # their words that weighed, in order
    assert detector.detect("sorry mother, tonight the river cake", "en").tier == REVIEW


def test_the_scorer_never_overrules_a_negation_nor_reads_words_an_exception_covers():
    detector = _detector()
    said = "i would never kill myself, sorry mother, tonight the river"
    assert detector.detect(said, "en").tier == REVIEW
    assert detector.detect("tonight we go river fishing", "en") is None


def test_a_message_the_model_barely_knows_gets_no_score():
    review = Scorer.from_dict(SCORES).review
    assert MIN_KNOWN == 2
    assert review.probability({"river"}) is None
    assert review.probability({"river", "tonight"}) > 0.6


@pytest.mark.parametrize("at", [0.0, -1, 1.5])
def test_a_threshold_that_is_no_probability_is_refused(at):
    with pytest.raises(ValueError):
        Scorer.from_dict({**SCORES, "alert": {**SCORES["alert"], "at": at}})


def test_training_is_deterministic_and_learns_the_difference():
    def ex(text: str, kind: str) -> Example:
        return Example(frozenset(text.split()), kind)

    corpus = [ex("want die tonight", CRY), ex("river tonight sorry", CRY), ex("so alone", WORRY)]
    corpus += [ex("market rice price", ORDINARY), ex("rice tonight party", ORDINARY)]
    corpus = corpus * 6
    first, second = train(corpus), train(corpus)
    assert first == second
    assert first["alert"]["weights"]["die"] > 0 > first["alert"]["weights"]["rice"]
    # A worry needs a person (review) but is no cry (alert).
    assert first["review"]["weights"]["alone"] > 0 > first["alert"]["weights"]["alone"]
    weights, _ = fit(corpus, lambda e: 1.0 if e.kind == CRY else 0.0)
    assert weights == fit(corpus, lambda e: 1.0 if e.kind == CRY else 0.0)[0]  # seeded
    for model in ("review", "alert"):
        assert 0.5 <= first[model]["at"] <= 1


@pytest.mark.parametrize("language", CONTENT.languages)
def test_the_shipped_scores_are_trained_on_the_corpus_as_it_is(language):
    """Change the corpus or how text is read, and this fails until
    `.venv/bin/python bench/distress_train.py` is rerun."""
    shipped = CONTENT.distress.languages[language].scorer
    assert shipped is not None, f"content/distress/{language}.scores.json is missing"
    found = examples(
        CONTENT.distress.languages[language], labelled(language), CONTENT.catalog, language
    )
    assert shipped.meta["corpus"] == corpus_hash(found)


def test_features_are_stems_and_neighbouring_pairs_without_excepted_words():
    reader = CONTENT.distress.languages["en"].reader
    words = reader.words("my phone died tonight")
    found = features(words, skip={1, 2})
    assert "tonight" in found and "my tonight" in found
    assert not any("phone" in f for f in found)

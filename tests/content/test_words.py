"""The shipped word lists: one file per language, every section, no word meaning two things."""

from __future__ import annotations

import shutil

import pytest
import yaml

from bot.content import DEFAULT_CONTENT_DIR, load_content
from flows.lexicon import DATE_SECTIONS, SECTIONS, UNITS, Lexicon, LexiconError
from flows.text import normalize
from flows.vocabulary import Keyword

WORDS_DIR = DEFAULT_CONTENT_DIR / "words"
LANGUAGES = load_content().languages


def _words(name: str) -> dict:
    with (WORDS_DIR / f"{name}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_language_has_a_words_file_with_every_section(language):
    assert (WORDS_DIR / f"{language}.yaml").exists(), f"content/words/{language}.yaml"
    words = _words(language)
    assert sorted(set(SECTIONS) - set(words)) == [], language
    assert sorted(set(DATE_SECTIONS) - set(words["dates"])) == [], language
    assert sorted(set(words["keywords"])) == sorted(k.value for k in Keyword), language
    assert sorted(words["dates"]["months"]) == list(range(1, 13)), language
    assert sorted(words["dates"]["units"]) == sorted(UNITS), language


def test_no_keyword_phrase_maps_to_two_keywords():
    meanings: dict[str, set[str]] = {}
    for name in ("common", *LANGUAGES):
        for keyword, phrases in _words(name).get("keywords", {}).items():
            for phrase in phrases:
                meanings.setdefault(normalize(phrase), set()).add(keyword)
    assert {p: k for p, k in meanings.items() if len(k) > 1} == {}


def test_every_keyword_is_understood():
    understood = set(load_content().lexicon.keywords.values())
    assert understood == set(Keyword)


def test_a_shipped_language_without_its_words_file_fails_to_load(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    (root / "words" / "fr.yaml").unlink()
    with pytest.raises(ValueError, match=r"content/words/fr\.yaml is missing"):
        load_content(str(root))


def test_a_word_meaning_two_things_is_refused():
    sources = {
        "a.yaml": {"keywords": {"stop": ["stop"]}},
        "b.yaml": {"keywords": {"help": ["Stop!"]}},
    }
    with pytest.raises(LexiconError, match="'stop'"):
        Lexicon.from_words(sources)


def test_an_unquoted_yes_is_refused():
    with pytest.raises(LexiconError, match="quotes"):
        Lexicon.from_words({"a.yaml": yaml.safe_load("yes_words: [yes]")})

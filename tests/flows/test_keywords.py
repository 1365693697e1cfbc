"""Keywords work at any time, in every language — but only when the message is the keyword."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.content import load_content
from flows.keywords import detect_keyword
from flows.text import normalize
from flows.vocabulary import Keyword

LEXICON = load_content().lexicon


@pytest.mark.parametrize(
    ("said", "keyword"),
    [
        ("STOP", Keyword.STOP),
        ("stop", Keyword.STOP),
        ("Stop.", Keyword.STOP),
        ("stop please", Keyword.STOP),
        ("Stop. Thanks", Keyword.STOP),
        ("STOP!!!", Keyword.STOP),
        ("stop stop", Keyword.STOP),
        ("Please stop", Keyword.STOP),
        ("stop all", Keyword.STOP),
        ("/stop", Keyword.STOP),
        ("unsubscribe", Keyword.STOP),
        ("arrêter", Keyword.STOP),
        ("Arrêtez svp", Keyword.STOP),
        ("désabonner", Keyword.STOP),
        ("توقف", Keyword.STOP),
        ("توقف من فضلك", Keyword.STOP),
        ("إلغاء الاشتراك", Keyword.STOP),
        ("START", Keyword.START),
        ("/start", Keyword.START),
        ("/start@HomecomingBot", Keyword.START),
        ("commencer", Keyword.START),
        ("ابدأ", Keyword.START),
        ("help", Keyword.HELP),
        ("HELP!", Keyword.HELP),
        ("aide", Keyword.HELP),
        ("مساعدة", Keyword.HELP),
        ("lang", Keyword.LANG),
        ("langue", Keyword.LANG),
        ("change language", Keyword.LANG),
        ("اللغة", Keyword.LANG),
        ("menu", Keyword.MENU),
        ("MENU please", Keyword.MENU),
        ("القائمة", Keyword.MENU),
        ("talk to a person", Keyword.AGENT),
        ("humain", Keyword.AGENT),
        ("شخص", Keyword.AGENT),
    ],
)
def test_keywords_in_every_language(said, keyword):
    assert detect_keyword(said, LEXICON) is keyword


@pytest.mark.parametrize(
    "said",
    [
        "I had to stop working",
        "the bus stop is far",
        "can you help me find work",
        "stop sending me jobs I can't do",
        "yes",
        "ok",
        "thanks",
        "1",
        "",
        None,
        "stop start",
        "je veux arrêter l'école",
        "/unknown",
        "x" * 500,
    ],
)
def test_ordinary_messages_are_not_keywords(said):
    assert detect_keyword(said, LEXICON) is None


@given(st.text(max_size=300))
def test_never_fails(text):
    detect_keyword(text, LEXICON)


WORDS = [(keyword, phrase) for phrase, keyword in sorted(LEXICON.keywords.items())]
KNOWN = (
    {normalize(p) for _, p in WORDS}
    | {normalize(f) for f in LEXICON.filler}
    | {w for _, p in WORDS for w in normalize(p).split()}
    | {w for f in LEXICON.filler for w in normalize(f).split()}
)


@given(st.sampled_from(WORDS))
def test_every_word_shouted_is_still_the_keyword(pair):
    keyword, phrase = pair
    assert detect_keyword(phrase.upper() + "!!", LEXICON) is keyword


@given(st.sampled_from(WORDS), st.from_regex(r"[a-z]{3,10}", fullmatch=True))
def test_another_word_makes_it_a_sentence(pair, word):
    assume(word not in KNOWN)
    keyword, phrase = pair
    assert detect_keyword(f"{word} {phrase}", LEXICON) is None
    assert detect_keyword(f"{phrase} {word}", LEXICON) is None

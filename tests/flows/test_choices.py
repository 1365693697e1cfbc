"""What people type to answer a choice, and what it is taken to mean."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content import load_content
from flows.choices import Option, match_choice, parse_number, parse_scale, parse_yes_no

LEXICON = load_content().lexicon

LANGUAGES = [
    Option("en", ("English", "Anglais", "الإنجليزية")),
    Option("fr", ("Français", "French", "الفرنسية")),
    Option("ar", ("العربية", "Arabic", "Arabe")),
]
AGES = [
    Option("under_18", ("Under 18", "Moins de 18 ans")),
    Option("18_24", ("18 to 24", "18 à 24 ans")),
    Option("25_34", ("25 to 34", "25 à 34 ans")),
]
SECTORS = [
    Option("trade", ("Trade, selling", "Commerce, vente")),
    Option("transport", ("Transport, driving", "Transport, chauffeur")),
    Option("crafts", ("Crafts, sewing", "Artisanat, couture")),
]


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("2", "fr"),
        (" 2. ", "fr"),
        ("2)", "fr"),
        ("#2", "fr"),
        ("٢", "fr"),
        ("option 2", "fr"),
        ("2 Français", "fr"),
        ("2. Francais", "fr"),
        ("français", "fr"),
        ("FRANCAIS", "fr"),
        ("Fran çais", "fr"),
        ("french", "fr"),
        ("fran", "fr"),
        ("eng", "en"),
        ("englsh", "en"),
        ("Englihs", "en"),
        ("العربية", "ar"),
        ("العربيه", "ar"),
        ("arabe", "ar"),
    ],
)
def test_languages(said, meant):
    assert match_choice(said, LANGUAGES, LEXICON) == meant


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("25 to 34", "25_34"),
        ("18-24", "18_24"),
        ("18 à 24 ans", "18_24"),
        ("1", "under_18"),
        ("under", "under_18"),
    ],
)
def test_age_bands_by_label_numbers_or_position(said, meant):
    assert match_choice(said, AGES, LEXICON) == meant


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("commerce", "trade"),
        ("driving", None),
        ("sewing", None),
        ("Trade, selling", "trade"),
        ("artisanat couture", "crafts"),
    ],
)
def test_multi_word_labels(said, meant):
    assert match_choice(said, SECTORS, LEXICON) == meant


@pytest.mark.parametrize("said", ["", None, "4", "0", "2 English", "xyz", "😀", "ab"])
def test_unclear_or_out_of_range_is_not_guessed(said):
    assert match_choice(said, LANGUAGES, LEXICON) is None


def test_an_ambiguous_prefix_is_not_guessed():
    assert match_choice("tra", SECTORS, LEXICON) is None  # Trade or Transport?


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("yes", True),
        ("Y", True),
        ("yeah", True),
        ("ok", True),
        ("Yes please", True),
        ("oui", True),
        ("Ouais", True),
        ("d'accord", True),
        ("oui merci", True),
        ("نعم", True),
        ("أيوه", True),
        ("no", False),
        ("N", False),
        ("nope", False),
        ("non", False),
        ("non merci", False),
        ("لا", False),
        ("كلا", False),
        ("maybe", None),
        ("yes and no", None),
        ("", None),
    ],
)
def test_yes_and_no_in_three_languages(said, meant):
    assert parse_yes_no(said, LEXICON) is meant


def test_numbered_yes_no():
    assert parse_yes_no("1", LEXICON, numbered=True) is True
    assert parse_yes_no("2", LEXICON, numbered=True) is False
    assert parse_yes_no("1", LEXICON) is None


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("25", 25),
        (" 25 ", 25),
        ("25 years", 25),
        ("٢٥", 25),
        ("I am 25", 25),
        ("three", 3),
        ("trois", 3),
        ("vingt", 20),
        ("", None),
        ("many", None),
        ("2 or 3", None),
        ("-4", None),
        ("99999999999", None),
    ],
)
def test_numbers(said, number):
    assert parse_number(said, LEXICON) == number


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("3", 3),
        ("3/5", 3),
        ("3 out of 5", 3),
        ("3 sur 5", 3),
        ("6", None),
        ("0", None),
        ("3/10", None),
        ("good", None),
    ],
)
def test_scales(said, value):
    assert parse_scale(said, 1, 5, LEXICON) == value


@given(st.text(max_size=300))
def test_parsers_never_fail(text):
    match_choice(text, LANGUAGES, LEXICON)
    parse_yes_no(text, LEXICON)
    parse_number(text, LEXICON)
    parse_scale(text, 1, 5, LEXICON)


@given(st.integers(min_value=1, max_value=3))
def test_a_number_is_its_position(position):
    assert match_choice(str(position), LANGUAGES, LEXICON) == LANGUAGES[position - 1].value


@given(st.sampled_from([(o.value, label) for o in LANGUAGES + AGES for label in o.labels]))
def test_every_label_leads_back_to_its_option(pair):
    value, label = pair
    options = LANGUAGES if value in {o.value for o in LANGUAGES} else AGES
    assert match_choice(label, options, LEXICON) == value
    assert match_choice(label.upper(), options, LEXICON) == value

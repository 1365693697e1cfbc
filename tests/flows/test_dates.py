"""Return dates as people write them, on 24 November 2026."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content import load_content
from flows.dates import parse_past_date

LEXICON = load_content().lexicon

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("said", "value", "precision"),
    [
        ("03/2026", date(2026, 3, 1), "month"),
        ("3/2026", date(2026, 3, 1), "month"),
        ("3-2026", date(2026, 3, 1), "month"),
        ("2026-03", date(2026, 3, 1), "month"),
        ("03/26", date(2026, 3, 1), "month"),
        ("15/03/2026", date(2026, 3, 15), "day"),
        ("15.03.2026", date(2026, 3, 15), "day"),
        ("2026-03-15", date(2026, 3, 15), "day"),
        ("١٥/٠٣/٢٠٢٦", date(2026, 3, 15), "day"),
        ("2025", date(2025, 1, 1), "year"),
        ("March 2026", date(2026, 3, 1), "month"),
        ("mar 2026", date(2026, 3, 1), "month"),
        ("mars 2026", date(2026, 3, 1), "month"),
        ("15 mars 2026", date(2026, 3, 15), "day"),
        ("1er mars 2026", date(2026, 3, 1), "day"),
        ("février 2026", date(2026, 2, 1), "month"),
        ("août", date(2026, 8, 1), "month"),
        ("december", date(2025, 12, 1), "month"),
        ("مارس 2026", date(2026, 3, 1), "month"),
        ("آذار 2026", date(2026, 3, 1), "month"),
        ("كانون الثاني 2026", date(2026, 1, 1), "month"),
        ("غشت 2026", date(2026, 8, 1), "month"),
        ("today", TODAY, "day"),
        ("yesterday", date(2026, 11, 23), "day"),
        ("hier", date(2026, 11, 23), "day"),
        ("أمس", date(2026, 11, 23), "day"),
        ("last week", date(2026, 11, 17), "week"),
        ("la semaine dernière", date(2026, 11, 17), "week"),
        ("last month", date(2026, 10, 24), "month"),
        ("le mois dernier", date(2026, 10, 24), "month"),
        ("الشهر الماضي", date(2026, 10, 24), "month"),
        ("last year", date(2025, 1, 1), "year"),
        ("l'année dernière", date(2025, 1, 1), "year"),
        ("3 months ago", date(2026, 8, 24), "month"),
        ("three months ago", date(2026, 8, 24), "month"),
        ("a month ago", date(2026, 10, 24), "month"),
        ("il y a 3 mois", date(2026, 8, 24), "month"),
        ("il y a trois mois", date(2026, 8, 24), "month"),
        ("il y a un mois", date(2026, 10, 24), "month"),
        ("منذ 3 أشهر", date(2026, 8, 24), "month"),
        ("منذ شهرين", date(2026, 9, 24), "month"),
        ("منذ شهر", date(2026, 10, 24), "month"),
        ("2 weeks ago", date(2026, 11, 10), "week"),
        ("il y a 10 jours", date(2026, 11, 14), "day"),
        ("منذ أسبوعين", date(2026, 11, 10), "week"),
        ("1 year ago", date(2025, 11, 24), "year"),
        ("I came back in March 2026", date(2026, 3, 1), "month"),
        ("vers mars 2026", date(2026, 3, 1), "month"),
        ("في مارس 2026", date(2026, 3, 1), "month"),
        ("about 3 months ago", date(2026, 8, 24), "month"),
    ],
)
def test_forms_people_use(said, value, precision):
    parsed = parse_past_date(said, TODAY, LEXICON)
    assert parsed is not None, said
    assert (parsed.value, parsed.precision) == (value, precision)


@pytest.mark.parametrize(
    "said",
    [
        "12/2026",
        "tomorrow",
        "2027",
        "banana",
        "",
        "😀",
        "13/2026",
        "32/01/2026",
        "1890",
        "x" * 5000,
        "3 5 7",
    ],
)
def test_future_impossible_or_nonsense_dates_are_not_guessed(said):
    assert parse_past_date(said, TODAY, LEXICON) is None


@given(st.text(max_size=300))
def test_never_fails_and_never_answers_the_future(text):
    parsed = parse_past_date(text, TODAY, LEXICON)
    if parsed is not None:
        assert TODAY - timedelta(days=366 * 30) <= parsed.value <= TODAY


@given(st.dates(min_value=date(1997, 1, 1), max_value=TODAY))
def test_numeric_forms_round_trip(day):
    assert parse_past_date(f"{day.month:02d}/{day.year}", TODAY, LEXICON).value == day.replace(
        day=1
    )
    assert parse_past_date(day.isoformat(), TODAY, LEXICON).value == day
    assert parse_past_date(f"{day.day}/{day.month}/{day.year}", TODAY, LEXICON).value == day

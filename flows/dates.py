"""Forgiving past dates: "03/2026", "mars 2026", "last week", "3 months ago", "منذ 3 أشهر".

Day-first numbers, as written in francophone West Africa and North Africa. Never raises;
None for what is not understood, in the future, or implausibly old. The words of each language
(months, units, "ago", "last week") are in content/words/, carried by the Lexicon.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from flows.lexicon import Lexicon
from flows.text import any_of, normalize

MAX_YEARS_BACK = 30


@dataclass(frozen=True)
class ParsedDate:
    value: date
    precision: str  # "day" | "week" | "month" | "year"


@dataclass(frozen=True)
class _Patterns:
    """The lexicon's date words as regexes, built once per lexicon."""

    months: tuple[tuple[re.Pattern[str], int], ...]  # longest name first
    fixed: tuple[tuple[re.Pattern[str], int, str], ...]  # today, yesterday: days back
    last: tuple[tuple[re.Pattern[str], str], ...]  # last week ... this year
    ago: re.Pattern[str] | None
    half_words: int  # how many words after a unit may say "and a half"


def _phrase(phrases: Sequence[str]) -> re.Pattern[str]:
    return re.compile(rf"\b{any_of(phrases)}\b")


@lru_cache(maxsize=8)
def _patterns(lexicon: Lexicon) -> _Patterns:
    suffix = f"(?:{any_of(lexicon.day_suffixes)})?" if lexicon.day_suffixes else ""
    months = tuple(
        (
            re.compile(
                rf"(?:^| )(?:(\d{{1,2}}){suffix} )?{re.escape(name)}"
                rf"(?: (\d{{1,2}}))?(?: (\d{{4}}))?(?: |$)"
            ),
            number,
        )
        for name, number in lexicon.months
    )
    fixed = ((lexicon.today, 0, "day"), (lexicon.yesterday, 1, "day"))
    # Checked in this order: "ce mois dernier" is last month.
    last = (
        (lexicon.last.get("week", ()), "week"),
        (lexicon.last.get("month", ()), "month"),
        (lexicon.last.get("year", ()), "year"),
        (lexicon.this.get("month", ()), "this_month"),
        (lexicon.this.get("year", ()), "this_year"),
    )
    return _Patterns(
        months=months,
        fixed=tuple((_phrase(p), days, precision) for p, days, precision in fixed if p),
        last=tuple((_phrase(p), unit) for p, unit in last if p),
        ago=_phrase(lexicon.ago) if lexicon.ago else None,
        half_words=max((len(h.split()) for h in lexicon.half), default=0),
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), the month's last day where it is shorter."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    if year < 1:
        return date.min
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _shift_months(day: date, months: int) -> date:
    return add_months(day, -months)


def _back(today: date, amount: float, unit: str) -> ParsedDate | None:
    if amount <= 0 and unit != "day":
        return None
    if amount > 12 * MAX_YEARS_BACK * 31:
        return None
    if unit == "day":
        return ParsedDate(today - timedelta(days=int(amount)), "day")
    if unit == "week":
        return ParsedDate(today - timedelta(weeks=int(amount)), "week")
    if unit == "month":
        return ParsedDate(_shift_months(today, int(amount)), "month")
    return ParsedDate(
        _shift_months(today, int(amount * 12)), "year" if amount == int(amount) else "month"
    )


def _year(text: str) -> int | None:
    value = int(text)
    if len(text) == 2:
        value += 2000
    return value if len(text) in (2, 4) else None


def _make(year: int, month: int, day: int | None) -> ParsedDate | None:
    try:
        if day is None:
            return ParsedDate(date(year, month, 1), "month")
        return ParsedDate(date(year, month, day), "day")
    except ValueError:
        return None


def _numeric(raw: str) -> ParsedDate | None:
    # ISO first: 2026-03-15, 2026/3, 2026-03.
    match = re.search(r"\b(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?\b", raw)
    if match:
        year, month, day = int(match[1]), int(match[2]), match[3]
        return _make(year, month, int(day) if day else None)
    # Day first: 15/03/2026, 15-3-26.
    match = re.search(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\b", raw)
    if match:
        year = _year(match[3])
        return _make(year, int(match[2]), int(match[1])) if year else None
    # Month and year: 03/2026, 3-2026, 03/26.
    match = re.search(r"\b(\d{1,2})[-/.](\d{2}|\d{4})\b", raw)
    if match:
        year = _year(match[2])
        return _make(year, int(match[1]), None) if year else None
    return None


def _named_month(said: str, today: date, patterns: _Patterns) -> ParsedDate | None:
    for pattern, month in patterns.months:
        match = pattern.search(said)
        if not match:
            continue
        day = match[1] or match[2]
        year = int(match[3]) if match[3] else today.year if month <= today.month else today.year - 1
        return _make(year, month, int(day) if day else None)
    return None


def _relative(said: str, today: date, lexicon: Lexicon) -> ParsedDate | None:
    patterns = _patterns(lexicon)
    for pattern, days, precision in patterns.fixed:
        if pattern.search(said):
            return ParsedDate(today - timedelta(days=days), precision)
    for pattern, unit in patterns.last:
        if pattern.search(said):
            if unit == "this_month":
                return ParsedDate(today.replace(day=1), "month")
            if unit == "this_year":
                return ParsedDate(date(today.year, 1, 1), "year")
            if unit == "year":
                return ParsedDate(date(today.year - 1, 1, 1), "year")
            return _back(today, 1, unit)
    tokens = said.split()
    for index, token in enumerate(tokens):
        if token in lexicon.duals:
            return _back(today, 2, lexicon.duals[token])
        unit = lexicon.units.get(token)
        if unit is None or index == 0:
            # "منذ شهر", "il y a un mois" without a count in front.
            if unit is not None and index == 0 and len(tokens) == 1:
                return None
            continue
        before = tokens[index - 1]
        amount = None
        if before.isdigit():
            amount = int(before)
        elif before in lexicon.counts and lexicon.units.get(before) != unit:
            # A word that is this very unit is no count: French "an" (year) is no article.
            amount = lexicon.counts[before]
        elif patterns.ago and patterns.ago.search(" ".join(tokens[:index])):
            amount = 1
        if amount is None:
            continue
        after = " ".join(tokens[index + 1 : index + 1 + patterns.half_words])
        half = after in lexicon.half
        return _back(today, amount + (0.5 if half else 0), unit)
    return None


def parse_past_date(text: str | None, today: date, lexicon: Lexicon) -> ParsedDate | None:
    try:
        parsed = _parse(text or "", today, lexicon)
    except (ValueError, OverflowError):
        return None
    if parsed is None:
        return None
    oldest = _shift_months(today, 12 * MAX_YEARS_BACK)
    if parsed.value > today or parsed.value < oldest:
        return None
    return parsed


def _parse(text: str, today: date, lexicon: Lexicon) -> ParsedDate | None:
    if not text.strip() or len(text) > 200:
        return None
    digits_only = normalize(
        text.replace("/", " slash ").replace("-", " dash ").replace(".", " dot ")
    )
    raw = digits_only.replace(" slash ", "/").replace(" dash ", "-").replace(" dot ", ".")
    said = normalize(text)
    numeric = _numeric(raw)
    if numeric is not None or re.search(r"\d+[-/.]\d+", raw):
        return numeric
    named = _named_month(said, today, _patterns(lexicon))
    if named is not None:
        return named
    relative = _relative(said, today, lexicon)
    if relative is not None:
        return relative
    year = re.fullmatch(r"(?:.* )?(\d{4})(?: .*)?", said)
    if year and not re.search(r"\d+ \d+", said):
        return ParsedDate(date(int(year[1]), 1, 1), "year")
    return None

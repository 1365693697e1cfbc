"""Forgiving past dates: "03/2026", "mars 2026", "last week", "3 months ago", "منذ 3 أشهر".

Day-first numbers, as written in francophone West Africa and North Africa. Never raises;
None for what is not understood, in the future, or implausibly old.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flows.text import NUMBER_WORDS, normalize

MAX_YEARS_BACK = 30


@dataclass(frozen=True)
class ParsedDate:
    value: date
    precision: str  # "day" | "week" | "month" | "year"


_MONTH_NAMES = {
    1: "january jan janvier janv يناير جانفي",
    2: "february feb fevrier fev fevr فبراير فيفري شباط",
    3: "march mar mars مارس اذار",
    4: "april apr avril avr ابريل افريل نيسان",
    5: "may mai مايو ماي ايار",
    6: "june jun juin يونيو يونيه جوان حزيران",
    7: "july jul juillet juil يوليو يوليوز جويليه تموز",
    8: "august aug aout اغسطس غشت اوت اب",
    9: "september sep sept septembre سبتمبر شتنبر ايلول",
    10: "october oct octobre اكتوبر",
    11: "november nov novembre نوفمبر نونبر",
    12: "december dec decembre ديسمبر دجنبر",
}
_LEVANTINE = {"كانون الثاني": 1, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12}
MONTHS: list[tuple[str, int]] = [
    (normalize(name), number) for number, names in _MONTH_NAMES.items() for name in names.split()
] + [(normalize(name), number) for name, number in _LEVANTINE.items()]
# Longest first, so the two-word Levantine names win.
MONTHS.sort(key=lambda item: -len(item[0]))

# "a month ago", "an hour": the article counts as one.
_NUMBER_WORDS = {**NUMBER_WORDS, "a": 1, "an": 1}
_UNITS = {
    "day": "day",
    "days": "day",
    "jour": "day",
    "jours": "day",
    "يوم": "day",
    "ايام": "day",
    "week": "week",
    "weeks": "week",
    "semaine": "week",
    "semaines": "week",
    "اسبوع": "week",
    "اسابيع": "week",
    "month": "month",
    "months": "month",
    "mois": "month",
    "شهر": "month",
    "اشهر": "month",
    "شهور": "month",
    "year": "year",
    "years": "year",
    "an": "year",
    "ans": "year",
    "annee": "year",
    "annees": "year",
    "سنه": "year",
    "سنوات": "year",
    "سنين": "year",
    "عام": "year",
    "اعوام": "year",
}
# Arabic duals: "شهرين" is two months.
_DUALS = {"يومين": "day", "اسبوعين": "week", "شهرين": "month", "سنتين": "year", "عامين": "year"}
_AGO = r"(?:ago|il y a|ya|منذ|قبل|من|حوالي|تقريبا)"

_FIXED = [
    (r"\b(today|aujourd hui|اليوم)\b", 0, "day"),
    (r"\b(yesterday|hier|امس|البارحه)\b", 1, "day"),
]
_LAST = [
    (r"\b(last week|semaine derniere|الاسبوع الماضي)\b", "week"),
    (r"\b(last month|mois dernier|الشهر الماضي)\b", "month"),
    (r"\b(last year|annee derniere|an dernier|l an dernier|السنه الماضيه|العام الماضي)\b", "year"),
    (r"\b(this month|ce mois ci|ce mois|هذا الشهر)\b", "this_month"),
    (r"\b(this year|cette annee|هذه السنه|هذا العام)\b", "this_year"),
]


def _shift_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    if year < 1:
        return date.min
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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


def _named_month(said: str, today: date) -> ParsedDate | None:
    for name, month in MONTHS:
        match = re.search(
            rf"(?:^| )(?:(\d{{1,2}})(?:er)? )?{re.escape(name)}(?: (\d{{1,2}}))?(?: (\d{{4}}))?(?: |$)",
            said,
        )
        if not match:
            continue
        day = match[1] or match[2]
        year = int(match[3]) if match[3] else today.year if month <= today.month else today.year - 1
        return _make(year, month, int(day) if day else None)
    return None


def _relative(said: str, today: date) -> ParsedDate | None:
    for pattern, days, precision in _FIXED:
        if re.search(pattern, said):
            return ParsedDate(today - timedelta(days=days), precision)
    for pattern, unit in _LAST:
        if re.search(pattern, said):
            if unit == "this_month":
                return ParsedDate(today.replace(day=1), "month")
            if unit == "this_year":
                return ParsedDate(date(today.year, 1, 1), "year")
            if unit == "year":
                return ParsedDate(date(today.year - 1, 1, 1), "year")
            return _back(today, 1, unit)
    tokens = said.split()
    for index, token in enumerate(tokens):
        if token in _DUALS:
            return _back(today, 2, _DUALS[token])
        unit = _UNITS.get(token)
        if unit is None or index == 0:
            # "منذ شهر", "il y a un mois" without a count in front.
            if unit is not None and index == 0 and len(tokens) == 1:
                return None
            continue
        before = tokens[index - 1]
        amount = None
        if before.isdigit():
            amount = int(before)
        elif before in _NUMBER_WORDS and not (before == "an" and unit == "year"):
            amount = _NUMBER_WORDS[before]
        elif re.search(rf"\b{_AGO}\b", " ".join(tokens[:index])):
            amount = 1
        if amount is None:
            continue
        half = " ".join(tokens[index + 1 : index + 4]) in ("and a half", "et demi", "et demie")
        return _back(today, amount + (0.5 if half else 0), unit)
    return None


def parse_past_date(text: str | None, today: date) -> ParsedDate | None:
    try:
        parsed = _parse(text or "", today)
    except (ValueError, OverflowError):
        return None
    if parsed is None:
        return None
    oldest = _shift_months(today, 12 * MAX_YEARS_BACK)
    if parsed.value > today or parsed.value < oldest:
        return None
    return parsed


def _parse(text: str, today: date) -> ParsedDate | None:
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
    named = _named_month(said, today)
    if named is not None:
        return named
    relative = _relative(said, today)
    if relative is not None:
        return relative
    year = re.fullmatch(r"(?:.* )?(\d{4})(?: .*)?", said)
    if year and not re.search(r"\d+ \d+", said):
        return ParsedDate(date(int(year[1]), 1, 1), "year")
    return None

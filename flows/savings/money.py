"""Money: integer minor units everywhere (cents, santims); a currency only says how many
decimals its minor unit has. Amounts are read forgivingly ("5 000", "5,000", "12.50") and
written back as people write them. Never a float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

_WORD = r"(?:[^\W\d_]{1,4}\.?)"


@lru_cache(maxsize=8)
def _pattern(decimals: int) -> re.Pattern[str]:
    """ "5000", "5 000", "5,000", "5.000", "12.50", "12,5", "1 250,50", a currency word
    around it. Where the minor unit has three decimals only a space groups thousands."""
    group = r"[ \u00a0\u202f']" if decimals >= 3 else r"[ ,.\u00a0\u202f']"
    cents = rf"(?:[.,](?P<cents>\d{{1,{max(decimals, 2)}}}))?"
    return re.compile(
        rf"^(?:{_WORD}\s*)?(?P<whole>\d{{1,3}}(?:(?P<sep>{group})\d{{3}})(?:(?P=sep)\d{{3}})*|\d+)"
        rf"{cents}\s*{_WORD}?$"
    )


def parse_amount(text: str | None, decimals: int) -> int | None:
    """Minor units from what someone typed, or None. A separator before three digits groups
    thousands ("5 000", "5,000", "5.000"); before one or two it starts the cents ("12.50",
    "12,5"), which only a currency with cents has."""
    if not text:
        return None
    found = _pattern(decimals).match(text.strip())
    if found is None:
        return None
    cents = found.group("cents")
    if cents is not None and (not decimals or len(cents) > decimals):
        return None
    minor = int(re.sub(r"\D", "", found.group("whole"))) * 10**decimals
    if cents:
        minor += int(cents.ljust(decimals, "0"))
    return minor


def to_minor(value: Decimal | int | str, decimals: int) -> int:
    """A major-unit amount (Decimal or its text) in minor units, rounded half up."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {value!r}") from error
    return int((amount * 10**decimals).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_amount(minor: int, currency: str, decimals: int) -> str:
    """5000 XOF -> "5,000 XOF"; 1250 ETB -> "12.50 ETB". Digits only: readable on any phone."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 10**decimals) if decimals else (abs(minor), 0)
    text = f"{whole:,}" if decimals < 3 else f"{whole:,}".replace(",", " ")
    if decimals:
        text += f".{cents:0{decimals}d}"
    return f"{sign}{text} {currency}"


def percent_of(minor: int, percent: Decimal) -> int:
    """`percent` % of an amount, rounded half up to the minor unit."""
    return int((Decimal(minor) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def plain_amount(minor: int, decimals: int) -> str:
    """As typed in a form: 5000, 12.50 (no grouping, no currency)."""
    if not decimals:
        return str(minor)
    whole, cents = divmod(minor, 10**decimals)
    return f"{whole}.{cents:0{decimals}d}"

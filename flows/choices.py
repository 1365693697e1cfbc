"""Forgiving answers to choices: the number, the option word or its translation, a small typo.

The words of each language (yes and no, number words, "option 2", "3 out of 5") are in
content/words/, carried by the Lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from flows.lexicon import Lexicon
from flows.text import any_of, compact, normalize


@dataclass(frozen=True)
class Option:
    value: str
    labels: tuple[str, ...]  # labels in every language, plus synonyms


MAX_NUMBER = 10**9


@lru_cache(maxsize=8)
def _leading_number(lexicon: Lexicon) -> re.Pattern[str]:
    """The position in "2", "option 2" or "2 Francais", and what follows it."""
    prefixes = "".join(re.escape(p) + " |" for p in lexicon.choice_prefixes)
    return re.compile(rf"^(?:{prefixes}#)?(\d{{1,3}})(?: (.*))?$")


@lru_cache(maxsize=8)
def _rating(lexicon: Lexicon) -> re.Pattern[str]:
    """The rating in "3", "3 5" (was "3/5") or "3 out of 5", and the scale when given."""
    out_of = any_of(lexicon.scale_words)
    return re.compile(rf"^(\d{{1,3}})(?: {out_of} (\d{{1,3}})| (\d{{1,3}}))?$")


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps) distance, giving up past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _unique(values: set[str]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None


def match_choice(text: str | None, options: Sequence[Option], lexicon: Lexicon) -> str | None:
    """The option a person meant, or None when unclear or ambiguous."""
    said = normalize(text)
    if not said or not options:
        return None
    said_compact = compact(text)
    exact = {
        o.value
        for o in options
        if any(
            normalize(label) == said or compact(label) == said_compact
            for label in o.labels
            if label
        )
    }
    if exact:
        return _unique(exact)
    numbers = re.findall(r"\d+", said)
    if len(numbers) >= 2 and not re.search(r"[^\d ]", said):
        # "18-24" for the option "18 to 24": the same numbers in the same order.
        return _unique(
            {
                o.value
                for o in options
                if any(re.findall(r"\d+", normalize(lb)) == numbers for lb in o.labels)
            }
        )
    numbered = _leading_number(lexicon).match(said)
    if numbered:
        position = int(numbered.group(1))
        if not 1 <= position <= len(options):
            return None
        rest = numbered.group(2)
        option = options[position - 1]
        # "2" alone, or the line echoed back: "2 Francais".
        if rest is None or _matches_label(rest, option):
            return option.value
        return None
    levels = (
        lambda label: len(said_compact) >= 3 and compact(label).startswith(said_compact),
        lambda label: _near(said_compact, compact(label)),
    )
    for level in levels:
        found = {o.value for o in options if any(level(label) for label in o.labels if label)}
        if found:
            return _unique(found)
    return None


def _matches_label(text: str, option: Option) -> bool:
    return any(compact(label) == compact(text) for label in option.labels)


def _near(said: str, label: str) -> bool:
    if len(label) < 5 or len(said) < 4:
        return False
    limit = 2 if len(label) >= 9 else 1
    return _distance(said, label, limit) <= limit


def _strip_polite(said: str, lexicon: Lexicon) -> str:
    changed = True
    while changed:
        changed = False
        for tail in lexicon.polite_tail:
            if said.endswith(" " + tail):
                said = said[: -len(tail) - 1].strip()
                changed = True
    return said


def parse_yes_no(text: str | None, lexicon: Lexicon, numbered: bool = False) -> bool | None:
    said = _strip_polite(normalize(text), lexicon)
    if not said:
        return None
    if numbered and said in ("1", "2"):
        return said == "1"
    if said in lexicon.yes_words:
        return True
    if said in lexicon.no_words:
        return False
    return None


def parse_number(text: str | None, lexicon: Lexicon) -> int | None:
    """The one whole number in the text ("25", "25 years", "٢٥", "twenty"), else None."""
    raw = normalize(text)
    if not raw or re.search(r"-\s*\d", text or ""):
        return None
    digits = re.findall(r"\d+", raw)
    named = [lexicon.numbers[w] for w in raw.split() if w in lexicon.numbers]
    found = [int(d) for d in digits] + named
    if len(found) != 1:
        return None
    value = found[0]
    return value if 0 <= value <= MAX_NUMBER else None


def parse_scale(text: str | None, low: int, high: int, lexicon: Lexicon) -> int | None:
    """A rating within [low, high]: "3", "3/5", "3 out of 5", "3 sur 5"."""
    said = normalize(text)
    match = _rating(lexicon).match(said)
    if match:
        value = int(match.group(1))
        scale = match.group(2) or match.group(3)
        if scale is not None and int(scale) != high:
            return None
    else:
        value = parse_number(text, lexicon)
        if value is None:
            return None
    return value if low <= value <= high else None

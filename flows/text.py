"""Forgiving text comparison: case, accents, punctuation and spacing do not matter."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Arabic diacritics (harakat) and tatweel carry no meaning for matching answers.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})
# Eastern Arabic and Persian digits count as digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalize(text: str | None) -> str:
    """Lower case, no accents or Arabic marks, punctuation as single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _ARABIC_MARKS.sub("", stripped).translate(_ARABIC_FOLD)
    return _NOT_WORD.sub(" ", stripped).replace("_", " ").strip()


def compact(text: str | None) -> str:
    """normalize() without any spaces: "Ne  pas" and "nepas" compare equal."""
    return normalize(text).replace(" ", "")


def words(text: str | None) -> list[str]:
    return normalize(text).split()


def any_of(phrases: Iterable[str]) -> str:
    """A regex group matching any of these (normalized) phrases; none matches when empty."""
    alternatives = "|".join(re.escape(p) for p in phrases)
    return f"(?:{alternatives})" if alternatives else "(?!)"

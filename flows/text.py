"""Forgiving text comparison: case, accents, punctuation and spacing do not matter."""

from __future__ import annotations

import re
import unicodedata

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


# Number words people type instead of digits, in every shipped language (normalized forms).
NUMBER_WORDS: dict[str, int] = {
    **dict(zip(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], range(11), strict=True)),
    **dict(zip(["eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"], range(11, 17), strict=True)),
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20,
    "واحد": 1, "اثنان": 2, "اثنين": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4,
    "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثمان": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
}  # fmt: skip

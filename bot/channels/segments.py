"""How many SMS segments a body costs, counted on the raw text (no smart encoding).

GSM-7 when every character is in the GSM 03.38 basic or extension table (extension
characters cost two septets), otherwise UCS-2 counted in UTF-16 code units.
"""

from __future__ import annotations

import math

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def encoding(text: str) -> str:
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def units(text: str) -> int:
    """Septets in GSM-7, UTF-16 code units in UCS-2."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def count_segments(text: str) -> int:
    if not text:
        return 1
    size = units(text)
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if is_gsm7(text) else (UCS2_SINGLE, UCS2_MULTI)
    return 1 if size <= single else math.ceil(size / multi)


def budget(text: str) -> int:
    """The most segments a shipped message may use: 2 in GSM-7, 3 otherwise."""
    return 2 if is_gsm7(text) else 3

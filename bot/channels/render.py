"""Rendering a channel-neutral message for text-only channels."""

from __future__ import annotations

import unicodedata

from bot.channels.segments import GSM7_BASIC, GSM7_EXTENSION, count_segments, is_gsm7

RLM = "\u200f"  # right-to-left mark: makes Telegram lay out Arabic from the right
# Directional isolates (flows/content.py isolate): kept in an SMS unless they cost a segment.
ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")

# Typography phones render fine but that would push a whole SMS into UCS-2 (70 characters
# a segment instead of 160).
_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u02bc": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00e7": "c",
}


def _fold_char(ch: str) -> str:
    if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
        return ch
    if ch in _PUNCTUATION:
        return _PUNCTUATION[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base and is_gsm7(base) else ch


def gsm_fold(text: str) -> str:
    """French "être", "ça" become "etre", "ca" so the SMS stays GSM-7; Arabic is left alone."""
    if is_gsm7(text):
        return text
    folded = "".join(_fold_char(ch) for ch in text)
    return folded if is_gsm7(folded) else text


def sms_text(text: str, choices: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """Each choice on its own line, starting with its number: "1 English". A bare scale
    (labels 1..n) needs no lines: the question says what the numbers mean."""
    numbered = list(enumerate(choices, start=1))
    if numbered and all(label == str(number) for number, (_, label) in numbered):
        numbered = []
    lines = [text] + [f"{number} {label}" for number, (_, label) in numbered]
    body = gsm_fold("\n".join(lines))
    bare = body.translate(ISOLATES)
    if bare != body and count_segments(body) > count_segments(bare):
        return bare  # the order of a number matters less than a message that costs more
    return body

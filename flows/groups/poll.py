"""Reading an answer to a poll of times, or a list of members ticked off, in any language.

Over SMS a person replies with the numbers of the times that suit them: "13", "1, 3",
"1 and 3", "one and three", "I can do 1 or 3 please". A time that suits only if need be is
marked with "?" or a word ("2?", "maybe 2", "2 if need be"); a time put after a no word is a
No ("1 3 not 2"); every time left out is a No. "0", "none" and "all" answer every time.
With at most nine choices the digits of "13" are two numbers; with more ("12" members on an
attendance list) numbers are read whole and need a space or a comma between them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flows.lexicon import Lexicon
from flows.text import normalize

_MAYBE_MARK = "zzmaybezz"  # "?" survives normalize() as this word
_SEPARATOR = "zzsepzz"  # and a comma as this one
_DIGITS = re.compile(r"^\d+$")
CHOICE_PREFIX = "poll"  # a Telegram button's value: poll:<position>:<answer>


def button_value(position: int, answer: str) -> str:
    return f"{CHOICE_PREFIX}:{position}:{answer}"


def read_button(value: str | None, count: int) -> tuple[int, str] | None:
    parts = (value or "").split(":")
    if len(parts) != 3 or parts[0] != CHOICE_PREFIX or not parts[1].isdigit():
        return None
    position, answer = int(parts[1]), parts[2]
    if not 1 <= position <= count or answer not in ("yes", "maybe", "no"):
        return None
    return position, answer


def _phrases(lexicon: Lexicon) -> list[tuple[tuple[str, ...], str]]:
    """Poll phrases and no words as token tuples, longest first."""
    found = [
        (tuple(phrase.split()), key) for key, phrases in lexicon.poll.items() for phrase in phrases
    ]
    found += [(tuple(word.split()), "not") for word in lexicon.no_words]  # "no 2"
    return sorted(found, key=lambda item: -len(item[0]))


def _tokens(text: str, count: int, lexicon: Lexicon) -> list[tuple[str, object]] | None:
    """("number", n), ("all" | "none" | "maybe" | "not" | "and", None), unknown words
    dropped; None when a number is out of range."""
    marked = text.replace("?", f" {_MAYBE_MARK} ").replace("؟", f" {_MAYBE_MARK} ")
    for comma in ",;،":  # a comma ends what a word before it says: "2 if need be, 1"
        marked = marked.replace(comma, f" {_SEPARATOR} ")
    said = normalize(marked).split()
    phrases = _phrases(lexicon)
    out: list[tuple[str, object]] = []
    i = 0
    while i < len(said):
        word = said[i]
        if word in (_MAYBE_MARK, _SEPARATOR):
            out.append(("mark" if word == _MAYBE_MARK else "sep", None))
            i += 1
            continue
        if _DIGITS.match(word):
            numbers = [int(d) for d in word] if count <= 9 and len(word) > 1 else [int(word)]
            if word.strip("0") == "":
                out.append(("none", None))
                i += 1
                continue
            for n in numbers:
                if not 1 <= n <= count:
                    return None
                out.append(("number", n))
            i += 1
            continue
        for tokens, key in phrases:
            if tuple(said[i : i + len(tokens)]) == tokens:
                out.append((key, None))
                i += len(tokens)
                break
        else:
            value = lexicon.numbers.get(word)
            if value is not None:
                if value == 0:
                    out.append(("none", None))
                elif 1 <= value <= count:
                    out.append(("number", value))
                else:
                    return None
            i += 1
    return out


def read_times(text: str | None, count: int, lexicon: Lexicon) -> dict[int, str] | None:
    """Position (1..count) -> "yes" | "maybe" | "no" for every time; None if unreadable."""
    tokens = _tokens(text or "", count, lexicon)
    if not tokens:
        return None
    kinds = [kind for kind, _ in tokens]
    if "number" not in kinds:
        if "all" in kinds and "none" not in kinds:
            answer = "maybe" if ("maybe" in kinds or "mark" in kinds) else "yes"
            return dict.fromkeys(range(1, count + 1), answer)
        if ("none" in kinds or set(kinds) == {"not"}) and "all" not in kinds:
            return dict.fromkeys(range(1, count + 1), "no")
        return None
    # "all but 2": every time but the ones named after a no word.
    answers = dict.fromkeys(range(1, count + 1), "yes" if "all" in kinds else "no")
    # Runs of numbers, with the word that stood before and after each run.
    runs: list[tuple[str | None, list[int], str | None]] = []
    before: str | None = None
    current: list[int] = []
    for kind, value in tokens:
        if kind == "number":
            current.append(value)  # type: ignore[arg-type]
            continue
        if kind == "and":
            continue  # "1 and 3" is one run
        if current:
            runs.append((before, current, kind))
            current = []
        before = kind
    if current:
        runs.append((before, current, None))
    for index, (lead, numbers, tail) in enumerate(runs):
        answer = {"not": "no", "maybe": "maybe"}.get(lead or "", "yes")
        claimed_ahead = index + 1 < len(runs) and runs[index + 1][0] == "maybe"
        if tail == "maybe" and lead is None and not claimed_ahead:
            answer = "maybe"  # "2 if need be": the word after the run, nothing after it
        for n in numbers:
            answers[n] = answer
        if tail == "mark":  # "13?": a "?" marks the number just before it
            answers[numbers[-1]] = "maybe"
    return answers


def read_ticks(text: str | None, count: int, lexicon: Lexicon) -> frozenset[int] | None:
    """The members ticked on a numbered list of `count` (attendance): numbers, "all", "0"."""
    times = read_times(text, count, lexicon)
    if times is None:
        return None
    return frozenset(n for n, answer in times.items() if answer != "no")


def summary(answers: Mapping[int, str]) -> str:
    """ "1 yes, 2 maybe, 3 no": for logs and the golden transcripts."""
    return ", ".join(f"{n} {a}" for n, a in sorted(answers.items()))

"""Text as the distress detector reads it, per language: normalised (flows/text.py: case,
accents, Arabic letter variants, marks and tatweel, digits), SMS spellings and contractions
spelled out, and every word read as written (repeated letters folded: "killlll", "pleeease") and
as its Snowball stem; for Arabic also without the article and the particles written onto it
(والانتحار, بالانتحار → انتحار).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from flows.text import normalize

STEMMERS = {"en": "english", "fr": "french", "ar": "arabic"}
_REPEATS = re.compile(r"(.)\1+")
_LONG_REPEATS = re.compile(r"(.)\1\1+")
# Arabic particles written onto the next word, outermost first: "and"/"so"; then "with",
# "for", "like" and the future and present markers of the standard language and the
# dialects (سأنتحر, حموت, بموت); then the article (ل + ال is written لل).
_AR_CONJUNCTIONS = ("و", "ف")
_AR_PARTICLES = ("ب", "ل", "ك", "س", "ح", "ه")
_AR_ARTICLES = ("ال", "لل")


@dataclass(frozen=True)
class Word:
    text: str  # as normalised
    surface: frozenset[str]  # as written, folded (and without particles, in Arabic)
    stems: frozenset[str]


_local = threading.local()


def _stemmer(language: str):
    """One stemmer per language and thread: a Snowball stemmer keeps state while it works."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        name = STEMMERS.get(language)
        stemmers[language] = snowballstemmer.stemmer(name) if name else None
    return stemmers[language]


def fold(word: str, language: str = "") -> str:
    """Letters typed again and again count once ("pleeease"). Arabic writes a doubled root
    letter twice (هددوني), so there only a run of three or more is folded."""
    if language == "ar":
        return _LONG_REPEATS.sub(r"\1", word)
    return _REPEATS.sub(r"\1", word)


def canonical(word: str, language: str) -> str:
    """The stem a pattern's word is compared by."""
    stemmer = _stemmer(language)
    return fold(stemmer.stemWord(word) if stemmer else word, language)


def _arabic_bases(word: str) -> set[str]:
    """The word without what may be written onto it (only where a base of 2+ letters is left)."""
    found = {word}
    for group in (_AR_CONJUNCTIONS, _AR_PARTICLES, _AR_ARTICLES):
        for base in list(found):
            for prefix in group:
                if base.startswith(prefix) and len(base) - len(prefix) >= 2:
                    found.add(base[len(prefix) :])
    return found


@lru_cache(maxsize=50_000)
def read_word(word: str, language: str) -> Word:
    # Stemmed as typed and as folded: "killing" stems to "kill", "killlling" only once folded;
    # a stretched letter is read as one and as two ("cuttiiing", "killlll"). A run of three
    # or more is never stemmed as it stands: a stem folded afterwards can be another word
    # (لعععبه would stem to عععب and fold to عب, "burden").
    typed = {fold(word, language), _LONG_REPEATS.sub(r"\1", word)}
    typed.add(_LONG_REPEATS.sub(r"\1\1", word))  # the word itself when nothing is stretched
    bases = set().union(*(_arabic_bases(w) for w in typed)) if language == "ar" else typed
    surface = frozenset(fold(b, language) for b in bases)
    return Word(word, surface, frozenset(canonical(b, language) for b in bases))


class Reader:
    """Turns text into words for one language, with that language's SMS spellings."""

    def __init__(self, language: str, rewrites: Mapping[str, str]):
        self.language = language
        # Keys of one or more words ("don t" is how normalise leaves "don't").
        self._rewrites = {
            tuple(fold(w, language) for w in normalize(str(k)).split()): tuple(
                normalize(str(v)).split()
            )
            for k, v in rewrites.items()
            if normalize(str(k))
        }
        self._longest = max((len(k) for k in self._rewrites), default=0)

    def spelled_out(self, text: str | None) -> list[str]:
        said = normalize(text).split()
        folded = [fold(w, self.language) for w in said]  # "dontttt", "plzzz"
        out: list[str] = []
        i = 0
        while i < len(said):
            for size in range(min(self._longest, len(said) - i), 0, -1):
                replaced = self._rewrites.get(tuple(folded[i : i + size]))
                if replaced is not None:
                    out.extend(replaced)
                    i += size
                    break
            else:
                out.append(said[i])
                i += 1
        return out

    def words(self, text: str | None) -> list[Word]:
        return [read_word(w, self.language) for w in self.spelled_out(text)]

"""Distress detection: concepts of danger per language (content/distress/<language>.yaml),
each a list of short patterns over words, not phrases to find verbatim.

A pattern is words in order: `a|b` is either word, `word*` any word starting so, `~N` lets
up to N other words come between two parts ("want ~3 die" finds "want so much to die"),
`@name` is any word of a class the file defines (`classes:`), `=word` is that very word and
not any word of its stem, and `^` and `$` hold a pattern to the start or the end of the
message ("help me $": "please help me", not "help me fill the form"). Words are compared by
their stems (flows/distress/text.py), so a pattern's "die" finds "died", "dying", "dieee".

Two tiers: **alert** (clear danger: an alert and the emergency contacts at once) and
**review** (possible danger: a person reads it the same day). Two signs of possible danger
in one message are an alert. A concept of tier **sign** ("rope", "bridge", "tonight") is no
finding on its own ("we fixed the roof") but counts as one of those signs ("I'm on the roof
and I can't go on"). In the concepts marked
`negatable`, a negation just before the match ("I would never kill myself", "I don't want
to die") makes an alert a review. Exceptions are patterns too: a match that overlaps an
exception ("my phone died", "this heat is killing me") is no match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flows.distress.scorer import Scorer, features
from flows.distress.text import Reader, Word, canonical, fold
from flows.text import normalize

ALERT = "alert"
REVIEW = "review"
SIGN = "sign"  # only beside a sign of possible danger
TIERS = (ALERT, REVIEW, SIGN)
SEVERITY = {ALERT: "high", REVIEW: "medium"}
SEVERAL_SIGNS = "several_signs"
# Found by the scorer, not a pattern: the concept, and the alert reason when it is very sure.
SCORED = "scored"
LIKELY_DANGER = "likely_danger"
POSSIBLE_DISTRESS = "possible_distress"
LAUGHING_FACES = (
    "\U0001f602",
    "\U0001f923",
    "\U0001f605",
    "\U0001f606",
    "\U0001f639",
    "\U0001f61c",
)
# How many words before a match may hold the negation that softens it.
NEGATION_REACH = 2
HEAD = 2  # prefixes are at least this long ("suicid*")
_GAP = re.compile(r"~(\d+)")


@dataclass(frozen=True)
class Finding:
    concept: str
    tier: str
    reason: str
    language: str
    said: str  # the words that matched, normalised

    @property
    def severity(self) -> str:
        return SEVERITY[self.tier]


@dataclass(frozen=True)
class Term:
    stems: frozenset[str]
    surface: frozenset[str]  # `=word`: this very word, not any word of its stem
    prefixes: tuple[str, ...]
    gap: int  # how many other words may come before this one

    def matches(self, word: Word) -> bool:
        if self.stems & word.stems or self.surface & word.surface:
            return True
        return any(form.startswith(p) for p in self.prefixes for form in word.surface)


@dataclass(frozen=True)
class Pattern:
    concept: str
    terms: tuple[Term, ...]
    source: str
    at_start: bool = False
    at_end: int | None = None  # how many words may follow the match, if held to the end


def parse_pattern(
    text: str, language: str, concept: str = "", classes: Mapping[str, str] | None = None
) -> Pattern:
    """`@name` stands for a word class of the language's file (`classes:`), so that a list
    such as the people close to someone is written once and never forgotten in a pattern."""
    terms: list[Term] = []
    gap = 0
    parts = [_expand(part, classes or {}, text) for part in text.split()]
    at_start = bool(parts) and parts[0] == "^"
    at_end = None
    if at_start:
        parts = parts[1:]
    if parts and parts[-1] == "$":
        parts = parts[:-1]
        at_end = 0
        if parts and (found := _GAP.fullmatch(parts[-1])):
            at_end = int(found.group(1))
            parts = parts[:-1]
    explicit_gap, previous = False, 1  # previous: how many words the last part offered
    for part in parts:
        if found := _GAP.fullmatch(part):
            gap = int(found.group(1))
            explicit_gap = True
            continue
        alternatives = part.split("|")
        # "a|b c" reads as "a|b" then "c", never "a" or "b c": a phrase cannot sit inside an
        # alternation. Two words side by side with a choice among them is that mistake.
        if terms and not explicit_gap and max(len(alternatives), previous) > 1:
            raise ValueError(
                f"pattern {text!r}: {part!r} follows a word without ~N (a phrase inside a|b?)"
            )
        if len(set(alternatives)) < len(alternatives):
            raise ValueError(f"pattern {text!r}: {part!r} names a word twice")
        explicit_gap, previous = False, len(alternatives)
        stems, surface, prefixes = set(), set(), []
        for alternative in alternatives:
            said = normalize(alternative.strip("=*"))
            if not said or " " in said:
                raise ValueError(f"pattern {text!r}: {alternative!r} is not one word")
            if alternative.endswith("*"):
                if len(said) < HEAD:
                    raise ValueError(f"pattern {text!r}: prefix {alternative!r} is too short")
                prefixes.append(fold(said, language))
            elif alternative.startswith("="):
                surface.add(fold(said, language))
            else:
                stems.add(canonical(said, language))
        if gap and not terms:
            raise ValueError(f"pattern {text!r} starts with a gap")
        terms.append(Term(frozenset(stems), frozenset(surface), tuple(prefixes), gap))
        gap = 0
    if not terms or gap:
        raise ValueError(f"pattern {text!r} is empty or ends with a gap")
    return Pattern(concept, tuple(terms), text, at_start, at_end)


def _expand(part: str, classes: Mapping[str, str], text: str) -> str:
    if "@" not in part:
        return part
    out = []
    for alternative in part.split("|"):
        if alternative.startswith("@"):
            if alternative[1:] not in classes:
                raise ValueError(f"pattern {text!r}: no word class {alternative!r}")
            out.append(classes[alternative[1:]])
        else:
            out.append(alternative)
    return "|".join(out)


def _match(words: list[Word], pattern: Pattern, start: int) -> list[int] | None:
    """The positions of each term, the first at `start`; None if the pattern is not there."""
    terms = pattern.terms
    if (pattern.at_start and start) or not terms[0].matches(words[start]):
        return None
    found = [start]

    def extend(k: int) -> bool:
        if k == len(terms):
            return pattern.at_end is None or len(words) - 1 - found[-1] <= pattern.at_end
        term, last = terms[k], found[-1]
        for position in range(last + 1, min(len(words), last + 2 + term.gap)):
            if term.matches(words[position]):
                found.append(position)
                if extend(k + 1):
                    return True
                found.pop()
        return False

    return found if extend(1) else None


class _Index:
    """Patterns by what their first word may be (a stem, a `=word`, the first letters of a
    prefix): a word is tried only against the patterns that could start with it."""

    def __init__(self, patterns: Iterable[Pattern]):
        self.by_stem: dict[str, list[Pattern]] = {}
        self.by_surface: dict[str, list[Pattern]] = {}
        self.by_head: dict[str, list[Pattern]] = {}
        for pattern in patterns:
            first = pattern.terms[0]
            for stem in first.stems:
                self.by_stem.setdefault(stem, []).append(pattern)
            for surface in first.surface:
                self.by_surface.setdefault(surface, []).append(pattern)
            for prefix in first.prefixes:
                self.by_head.setdefault(prefix[:HEAD], []).append(pattern)

    def candidates(self, word: Word) -> Iterable[Pattern]:
        seen: set[int] = set()
        lists = [self.by_stem.get(stem, ()) for stem in word.stems]
        lists += [self.by_surface.get(form, ()) for form in word.surface]
        lists += [self.by_head.get(form[:HEAD], ()) for form in word.surface]
        for patterns in lists:
            for pattern in patterns:
                if id(pattern) not in seen:
                    seen.add(id(pattern))
                    yield pattern


@dataclass(frozen=True)
class Concept:
    name: str
    tier: str
    reason: str
    negatable: bool = False  # "I would never hurt myself"; not "if I don't pay they kill me"


@dataclass
class Language:
    """One language's concepts, compiled."""

    code: str
    reader: Reader
    concepts: dict[str, Concept]
    patterns: list[Pattern]
    exceptions: list[Pattern]
    negators: frozenset[str]
    scorer: Scorer | None = None
    # Laughter ("haha", "mdr", "ههه"): an alert beside it is read as a review.
    jokes: re.Pattern | None = None
    _index: _Index = field(init=False, repr=False)
    _exception_index: _Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = _Index(self.patterns)
        self._exception_index = _Index(self.exceptions)

    @classmethod
    def from_dict(cls, code: str, data: Mapping[str, Any]) -> Language:
        reader = Reader(code, data.get("rewrites") or {})
        # A class may use the classes written before it.
        classes: dict[str, str] = {}
        for name, words in (data.get("classes") or {}).items():
            classes[str(name)] = "|".join(
                _expand(w, classes, f"class {name}") for w in str(words).split("|")
            )
        concepts, patterns = {}, []
        for name, raw in (data.get("concepts") or {}).items():
            tier = str(raw.get("tier", ALERT))
            if tier not in TIERS:
                raise ValueError(f"distress/{code}: {name} has unknown tier {tier!r}")
            concepts[name] = Concept(
                name, tier, str(raw.get("reason", name)), bool(raw.get("negatable", False))
            )
            patterns += [
                parse_pattern(str(p), code, name, classes) for p in raw.get("patterns") or ()
            ]
        exceptions = [
            parse_pattern(str(p), code, "", classes) for p in data.get("exceptions") or ()
        ]
        negators = frozenset(fold(normalize(str(n)), code) for n in data.get("negators") or ())
        scores = data.get("scores")
        scorer = Scorer.from_dict(scores) if scores else None
        # Regular expressions over each word as normalised ("(ha){2,}", "mdr+").
        marks = [str(j) for j in data.get("jokes") or ()]
        jokes = re.compile("|".join(f"(?:{m})" for m in marks)) if marks else None
        return cls(code, reader, concepts, patterns, exceptions, negators, scorer, jokes)

    def find(self, text: str | None) -> tuple[list[Finding], set[str]]:
        """What the text says in this language, and the words its exceptions cover (an
        exception in one language also holds for the others: "in danger of closing")."""
        words = self.reader.words(text)
        if not words:
            return [], set()
        excepted: set[int] = set()
        for start, word in enumerate(words):
            for pattern in self._exception_index.candidates(word):
                if (at := _match(words, pattern, start)) is not None:
                    excepted.update(range(at[0], at[-1] + 1))
        found: list[Finding] = []
        spans: list[tuple[int, int, str]] = []
        # "My mother will kill me if I'm late haha": laughter softens every alert to a review,
        # as a negation does; a person still reads it the same day.
        negated = joking = self._joking(text)
        for start, word in enumerate(words):
            for pattern in self._index.candidates(word):
                at = _match(words, pattern, start)
                if at is None or excepted.intersection(range(at[0], at[-1] + 1)):
                    continue
                concept = self.concepts[pattern.concept]
                tier = concept.tier
                if tier == ALERT and (joking or (concept.negatable and self._negated(words, at))):
                    tier, negated = REVIEW, True
                said = " ".join(w.text for w in words[at[0] : at[-1] + 1])
                found.append(Finding(concept.name, tier, concept.reason, self.code, said))
                spans.append((at[0], at[-1], tier))
        found = _escalated(found, spans, self.code, joking)
        scored = self._scored(words, excepted, found, negated)
        return found + scored, {words[i].text for i in excepted}

    def _scored(
        self, words: list[Word], excepted: set[int], found: list[Finding], negated: bool
    ) -> list[Finding]:
        """The scorer's word on what the patterns let pass: a review where they found
        nothing; an alert where its cry model is sure, unless a negation or laughter
        softened a pattern ("I would never kill myself": a review, whatever the words)."""
        if self.scorer is None or any(f.tier == ALERT for f in found):
            return []
        said = features(words, excepted)
        if not negated and self.scorer.alert.says(said):
            tier, reason = ALERT, LIKELY_DANGER
        elif not found and self.scorer.review.says(said):
            tier, reason = REVIEW, POSSIBLE_DISTRESS
        else:
            return []
        return [Finding(SCORED, tier, reason, self.code, self.scorer.reason_words(words, said))]

    def _joking(self, text: str) -> bool:
        """Laughter as written, before any rewrite reads "ههههه" as a word; laughing faces
        count too (normalising drops them)."""
        if any(face in text for face in LAUGHING_FACES):
            return True
        return self.jokes is not None and any(
            self.jokes.fullmatch(w) for w in normalize(text).split()
        )

    def _negated(self, words: list[Word], at: list[int]) -> bool:
        matched = set(at)
        for position in range(max(0, at[0] - NEGATION_REACH), at[-1] + 1):
            if position not in matched and words[position].surface & self.negators:
                return True
        return False


def _escalated(
    found: list[Finding], spans: list[tuple[int, int, str]], code: str, joking: bool = False
) -> list[Finding]:
    """Two signs of possible danger in different words of one message are an alert: "I wrote
    a letter to my kids. I won't be here tomorrow"; "I'm on the roof, I can't go on". At
    least one of them a review: two bare signs ("rope", "tonight") are ordinary words."""
    kept = [f for f in found if f.tier != SIGN]
    if joking or any(tier == ALERT for _, _, tier in spans):
        return kept
    if not any(f.tier == REVIEW for f in kept):
        return kept
    signs = sorted((start, end) for start, end, tier in spans if tier != ALERT)
    apart, last_end = 0, -1
    for start, end in signs:
        if start > last_end:
            apart += 1
            last_end = end
    if apart < 2:
        return kept
    said = " … ".join(f.said for f in found)
    return [Finding(SEVERAL_SIGNS, ALERT, SEVERAL_SIGNS, code, said), *kept]


@dataclass
class Detector:
    """Every shipped language's concepts; a text is read in each of them, since people write
    in the language they are in, not always the one they chose."""

    languages: dict[str, Language] = field(default_factory=dict)

    @classmethod
    def from_dicts(cls, data: Mapping[str, Mapping[str, Any]]) -> Detector:
        return cls({code: Language.from_dict(code, raw) for code, raw in data.items()})

    @cached_property
    def reasons(self) -> frozenset[str]:
        """Every alert reason a cry can carry (the concepts', and several signs at once)."""
        found = {c.reason for lang in self.languages.values() for c in lang.concepts.values()}
        return frozenset(found | {SEVERAL_SIGNS, LIKELY_DANGER})

    def findings(self, text: str | None) -> list[Finding]:
        if not text or not text.strip():
            return []
        read = {code: language.find(text) for code, language in self.languages.items()}
        return [
            finding
            for code, (found, _) in read.items()
            for finding in found
            if not any(
                set(finding.said.split()) & excepted
                for other, (_, excepted) in read.items()
                if other != code
            )
        ]

    def detect(self, text: str | None, language: str | None = None) -> Finding | None:
        """The gravest finding: an alert before a review, the person's language first."""
        found = self.findings(text)
        if not found:
            return None
        return min(found, key=lambda f: (TIERS.index(f.tier), f.language != language))

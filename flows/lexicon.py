"""The words people type, in every shipped language: keywords, yes and no, numbers, dates.

Built by the runtime from content/words/ (one file per language, plus words common to all);
flows never read files themselves. One Lexicon merges every language, because a person may
answer in any of them. Words are kept normalized (flows.text.normalize), so the files may spell
them naturally: "arrêter", "d'accord", "إلغاء".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.text import normalize
from flows.vocabulary import Keyword

# The sections of a words file; a language's file has every one (lists and maps may be empty).
SECTIONS = (
    "keywords",  # keyword -> phrases that are the keyword: "stop", "se désabonner"
    "filler",  # politeness that may surround a keyword: "stop please"
    "yes_words",
    "no_words",
    "polite_tail",  # politeness that may follow a yes or a no: "oui merci"
    "numbers",  # number word -> value: "trois: 3"
    "choice_prefixes",  # words before an option's number: "option 2"
    "scale_words",  # words between a rating and its scale: "3 out of 5"
    "dates",
    "poll",  # answering a poll of times: all | none | maybe | not | and -> words
)
POLL = ("all", "none", "maybe", "not", "and")
DATE_SECTIONS = (
    "months",  # 1..12 -> names and abbreviations
    "units",  # day | week | month | year -> words: "semaines"
    "duals",  # unit -> words meaning two of it: "شهرين"
    "articles",  # words that count as one before a unit: "a month ago"
    "ago",  # words that say "back from now" without a count: "منذ شهر", "il y a"
    "half",  # words after a unit that add a half: "2 years and a half"
    "today",
    "yesterday",
    "last",  # week | month | year -> phrases: "last week"
    "this",  # month | year -> phrases: "this month"
    "day_suffixes",  # written after a day's number: "1er mars"
)
UNITS = ("day", "week", "month", "year")
LAST = ("week", "month", "year")
THIS = ("month", "year")
_MAPS = {"units": UNITS, "duals": UNITS, "last": LAST, "this": THIS}


class LexiconError(ValueError):
    """A words file that cannot be used: an unknown section, a wrong shape, a contradiction."""


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: parsers cache per lexicon
class Lexicon:
    keywords: Mapping[str, Keyword] = field(default_factory=dict)  # phrase -> keyword
    filler: frozenset[str] = frozenset()
    yes_words: frozenset[str] = frozenset()
    no_words: frozenset[str] = frozenset()
    polite_tail: tuple[str, ...] = ()
    numbers: Mapping[str, int] = field(default_factory=dict)
    choice_prefixes: tuple[str, ...] = ()
    scale_words: tuple[str, ...] = ()
    months: tuple[tuple[str, int], ...] = ()  # longest name first
    units: Mapping[str, str] = field(default_factory=dict)  # word -> unit
    duals: Mapping[str, str] = field(default_factory=dict)  # word -> unit
    articles: frozenset[str] = frozenset()
    ago: tuple[str, ...] = ()
    half: frozenset[str] = frozenset()
    today: tuple[str, ...] = ()
    yesterday: tuple[str, ...] = ()
    last: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # unit -> phrases
    this: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # unit -> phrases
    day_suffixes: tuple[str, ...] = ()
    # A poll of times: "all of them", "none", "2 if need be", "1 and 3" (flows/groups/poll.py).
    poll: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # POLL key -> phrases
    # Keyword phrases and filler, most words first, so "stop all" wins over "stop".
    tokens: tuple[str, ...] = field(init=False)
    # Number words and articles: what may stand before a unit of time.
    counts: Mapping[str, int] = field(init=False)

    def __post_init__(self) -> None:
        tokens = sorted({*self.keywords, *self.filler}, key=lambda p: (-len(p.split()), p))
        object.__setattr__(self, "tokens", tuple(tokens))
        object.__setattr__(self, "counts", {**self.numbers, **dict.fromkeys(self.articles, 1)})

    @classmethod
    def from_words(cls, sources: Mapping[str, Mapping[str, Any]]) -> Lexicon:
        """One lexicon from words files, by name ("words/fr.yaml": its parsed contents)."""
        merged = _Merge()
        for name, words in sources.items():
            merged.add(name, words)
        return merged.lexicon()


def missing_sections(words: Mapping[str, Any]) -> tuple[str, ...]:
    """The sections a language's words file lacks ("numbers", "dates.months"), if any."""
    missing = [s for s in SECTIONS if s not in words]
    dates = words.get("dates")
    if isinstance(dates, Mapping):
        missing += [f"dates.{s}" for s in DATE_SECTIONS if s not in dates]
    poll = words.get("poll")
    if isinstance(poll, Mapping):
        missing += [f"poll.{s}" for s in POLL if s not in poll]
    return tuple(missing)


class _Merge:
    """Gathers the words of several files, refusing a word that would mean two things."""

    def __init__(self) -> None:
        self.lists: dict[str, dict[str, None]] = {}  # section -> words in order, no repeats
        self.meanings: dict[str, dict[str, tuple[Any, str]]] = {}  # table -> word -> (value, file)

    def add(self, name: str, words: Mapping[str, Any]) -> None:
        if not isinstance(words, Mapping):
            raise LexiconError(f"{name}: expected sections {', '.join(SECTIONS)}")
        _only(name, words, SECTIONS)
        for keyword, phrases in _mapping(name, "keywords", words.get("keywords")).items():
            if keyword not in {k.value for k in Keyword}:
                raise LexiconError(f"{name}: keywords.{keyword} is not one of {_names(Keyword)}")
            for phrase in _strings(name, f"keywords.{keyword}", phrases):
                self.mean("keywords", name, phrase, Keyword(keyword))
        lists = ("filler", "yes_words", "no_words", "polite_tail", "choice_prefixes", "scale_words")
        for section in lists:
            self.extend(section, _strings(name, section, words.get(section)))
        for word, value in _mapping(name, "numbers", words.get("numbers")).items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise LexiconError(f"{name}: numbers.{word} must be a whole number")
            self.mean("numbers", name, _word(name, "numbers", word), value)
        dates = _mapping(name, "dates", words.get("dates"))
        _only(f"{name}, dates", dates, DATE_SECTIONS)
        for month, names in _mapping(name, "dates.months", dates.get("months")).items():
            if isinstance(month, bool) or month not in range(1, 13):
                raise LexiconError(f"{name}: dates.months.{month} is not a month number 1..12")
            for word in _strings(name, f"dates.months.{month}", names):
                self.mean("months", name, word, month)
        for section, keys in _MAPS.items():
            table = _mapping(name, f"dates.{section}", dates.get(section))
            _only(f"{name}, dates.{section}", table, keys)
            # A word is one unit, whether it names it ("mois") or two of it ("شهرين").
            meaning = "units" if section == "duals" else section
            for key, phrases in table.items():
                found = _strings(name, f"dates.{section}.{key}", phrases)
                self.extend(section, found)
                for phrase in found:
                    self.mean(meaning, name, phrase, key)
        for section in ("articles", "ago", "half", "today", "yesterday", "day_suffixes"):
            self.extend(section, _strings(name, f"dates.{section}", dates.get(section)))
        poll = _mapping(name, "poll", words.get("poll"))
        _only(f"{name}, poll", poll, POLL)
        for key, phrases in poll.items():
            for phrase in _strings(name, f"poll.{key}", phrases):
                self.mean("poll", name, phrase, key)

    def extend(self, section: str, words: Iterable[str]) -> None:
        self.lists.setdefault(section, {}).update(dict.fromkeys(words))

    def mean(self, table: str, name: str, word: str, value: Any) -> None:
        known = self.meanings.setdefault(table, {})
        if word in known and known[word][0] != value:
            earlier, where = known[word]
            raise LexiconError(
                f"{name}: {word!r} in {table} means {value}, but in {where} it means {earlier}"
            )
        known.setdefault(word, (value, name))

    def words(self, section: str) -> tuple[str, ...]:
        return tuple(self.lists.get(section, ()))

    def table(self, table: str, within: str | None = None) -> dict[str, Any]:
        chosen = self.meanings.get(table, {})
        if within is not None:
            chosen = {w: m for w, m in chosen.items() if w in self.lists.get(within, {})}
        return {word: value for word, (value, _) in chosen.items()}

    def grouped(self, table: str) -> dict[str, tuple[str, ...]]:
        groups: dict[str, list[str]] = {}
        for word, value in self.table(table).items():
            groups.setdefault(value, []).append(word)
        return {key: tuple(words) for key, words in groups.items()}

    def lexicon(self) -> Lexicon:
        keywords = self.table("keywords")
        filler = frozenset(self.words("filler"))
        yes, no = frozenset(self.words("yes_words")), frozenset(self.words("no_words"))
        if both := sorted(filler & set(keywords)):
            raise LexiconError(f"both a keyword and filler: {', '.join(both)}")
        if both := sorted(yes & no):
            raise LexiconError(f"both a yes and a no: {', '.join(both)}")
        months = sorted(self.table("months").items(), key=lambda item: (-len(item[0]), item[1]))
        return Lexicon(
            keywords=keywords,
            filler=filler,
            yes_words=yes,
            no_words=no,
            polite_tail=self.words("polite_tail"),
            numbers=self.table("numbers"),
            choice_prefixes=self.words("choice_prefixes"),
            scale_words=self.words("scale_words"),
            months=tuple(months),
            units=self.table("units", within="units"),
            duals=self.table("units", within="duals"),
            articles=frozenset(self.words("articles")),
            ago=self.words("ago"),
            half=frozenset(self.words("half")),
            today=self.words("today"),
            yesterday=self.words("yesterday"),
            last=self.grouped("last"),
            this=self.grouped("this"),
            day_suffixes=self.words("day_suffixes"),
            poll=self.grouped("poll"),
        )


def _names(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _only(name: str, words: Mapping[str, Any], allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    unknown = [str(k) for k in words if k not in allowed]
    if unknown:
        hint = " (put yes and no in quotes)" if any(isinstance(k, bool) for k in words) else ""
        raise LexiconError(
            f"{name}: unknown {', '.join(unknown)}{hint}; expected {_names(allowed)}"
        )


def _mapping(name: str, section: str, value: Any) -> Mapping[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise LexiconError(f"{name}: {section} must be a mapping")
    return value


def _strings(name: str, section: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise LexiconError(f"{name}: {section} must be a list")
    return [_word(name, section, item) for item in value]


def _word(name: str, section: str, value: Any) -> str:
    # YAML reads an unquoted yes, no, on or off as a boolean.
    if not isinstance(value, str):
        raise LexiconError(f"{name}: {section} has {value!r}; put words in quotes")
    word = normalize(value)
    if not word:
        raise LexiconError(f"{name}: {section} has {value!r}, which has no letters")
    return word

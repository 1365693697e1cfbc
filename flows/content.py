"""The programme's content as flows see it: catalogs, option sets, surveys, settings, words.

Built by the runtime from the files in content/; flows never read files themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flows.choices import Option
from flows.distress.detect import Detector
from flows.followup.plan import Plans
from flows.groups.rules import GroupRules
from flows.lexicon import Lexicon
from flows.mentoring.rules import MentoringRules
from flows.pacing import Delivery
from flows.savings.constitution import SavingsRules
from flows.survey.model import Survey


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Catalog:
    """Message texts per language. Adding a language is adding a file."""

    languages: tuple[str, ...]
    texts: dict[str, dict[str, str]]
    rtl: frozenset[str] = frozenset()
    variables: dict[str, str] = field(default_factory=dict)
    # Keys whose plain words reveal someone's situation (content/sensitive.yaml): on SMS only
    # their `.sms` wording goes, or nothing.
    sensitive: frozenset[str] = frozenset()

    def has(self, language: str, key: str) -> bool:
        return key in self.texts.get(language, {})

    def withheld(self, language: str, key: str, channel: str | None) -> bool:
        """A sensitive text with no neutral wording for this channel: not to be sent on it."""
        if channel != "sms" or key not in self.sensitive:
            return False
        table = self.texts.get(language) or self.texts[self.languages[0]]
        return f"{key}.sms" not in table

    def text(self, language: str, key: str, channel: str | None = None, **values: Any) -> str:
        """The text of `key`; an `<key>.sms` variant wins on SMS (no sensitive words there).
        A withheld text (see `withheld`) is an error: callers skip it instead."""
        if self.withheld(language, key, channel):
            raise ValueError(f"{key} ({language}) has no neutral SMS wording: not sent on SMS")
        table = self.texts.get(language) or self.texts[self.languages[0]]
        raw = None
        if channel == "sms":
            raw = table.get(f"{key}.sms")
        if raw is None:
            raw = table.get(key)
        if raw is None:
            raw = self.texts[self.languages[0]][key]
        if "{" not in raw:  # most texts have no placeholders: no formatting to do
            return raw.strip()
        merged = _Blank(self.variables)
        merged.update({k: str(v) for k, v in values.items()})
        if language in self.rtl:
            merged = _Blank({k: isolate(v) for k, v in merged.items()})
        return raw.format_map(merged).strip()

    def all_labels(self, key: str) -> tuple[str, ...]:
        """A label in every language, so an answer in any of them is understood."""
        labels = []
        for language in self.languages:
            table = self.texts.get(language, {})
            labels += [table[k] for k in (key, f"{key}.sms") if k in table]
            extra = table.get(f"{key}.synonyms")
            if extra:
                labels.extend(s.strip() for s in extra.split("|") if s.strip())
        return tuple(labels)


# Left-to-right isolate ... pop directional isolate: "+221 33 800 00 01" inside Arabic keeps
# its digit groups in order (without it the spaces between them let them run right to left).
LRI, PDI = "\u2066", "\u2069"
_LEFT_TO_RIGHT = re.compile(r"[0-9A-Za-z]")


def isolate(value: str) -> str:
    """A value with digits or Latin letters, isolated for right-to-left text."""
    if not _LEFT_TO_RIGHT.search(value) or value.startswith(LRI):
        return value
    return f"{LRI}{value}{PDI}"


@dataclass(frozen=True)
class Content:
    catalog: Catalog
    option_sets: dict[str, tuple[str, ...]]
    surveys: dict[str, Survey]
    programme: dict[str, Any]
    plans: Plans | None = None
    # Cries for help, understood in every shipped language (content/distress/).
    distress: Detector = field(default_factory=Detector)
    # Sentences that ask to stop the messages (content/optout/, flows/optout.py).
    optout: Detector = field(default_factory=Detector)
    # The words people type (keywords, yes and no, numbers, dates); none unless given.
    lexicon: Lexicon = field(default_factory=Lexicon)
    # The mentor network's rules and match weights (content/mentoring.yaml).
    mentoring: MentoringRules = field(default_factory=MentoringRules)
    # Peer-support groups: sizes, series, reminders (content/groups.yaml).
    groups: GroupRules = field(default_factory=GroupRules)
    # Savings groups: the constitution's defaults, currencies, reminders, health
    # (content/savings.yaml).
    savings: SavingsRules = field(default_factory=SavingsRules)
    # Importing people: column headings and language words (content/import.yaml).
    imports: dict = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        return self.catalog.languages

    @property
    def default_language(self) -> str:
        """The programme's language for people who chose none, and the fallback text."""
        return str(self.programme.get("default_language") or self.languages[0])

    @property
    def delivery(self) -> Delivery:
        """When programme messages may arrive (content/plans.yaml `delivery`)."""
        return self.plans.delivery if self.plans is not None else Delivery()

    def options(self, option_set: str) -> tuple[Option, ...]:
        return tuple(
            Option(value, self.catalog.all_labels(f"option.{option_set}.{value}"))
            for value in self.option_sets[option_set]
        )

    def label(self, language: str, option_set: str, value: str, channel: str | None = None) -> str:
        return self.catalog.text(language, f"option.{option_set}.{value}", channel)

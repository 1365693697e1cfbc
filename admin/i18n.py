"""The admin's own words in English, French and Arabic (right to left).

Each page area keeps its words in `i18n/<language>/<area>.yaml`, so areas grow apart
without editing one shared file; a test checks every key exists in every language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from babel import Locale
from babel.numbers import format_decimal

LANGUAGES = ("en", "fr", "ar")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "ar": "العربية"}
RTL = frozenset({"ar"})
DIRECTORY = Path(__file__).parent / "i18n"


@cache
def catalog(language: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for path in sorted((DIRECTORY / language).glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            for key, value in (yaml.safe_load(handle) or {}).items():
                if key in table:
                    raise ValueError(f"{path}: {key} is defined twice")
                table[str(key)] = str(value)
    return table


# CLDR's plural categories: a key may have a variant per category its language uses
# (`inbox.waiting_count.one`), chosen by the number in `count` or `n`; the key itself is the
# "other" form, and every language has it.
PLURALS = ("zero", "one", "two", "few", "many")


def format_number(value, language: str) -> str:
    """A count or amount as the language writes it: 12,345 in English, 12 345 in French."""
    return format_decimal(value, locale=language)


@cache
def _plural_form(language: str):
    return Locale.parse(language).plural_form


def translator(language: str):
    language = language if language in LANGUAGES else "en"
    table, fallback = catalog(language), catalog("en")
    plural_form = _plural_form(language)

    def t(key: str, **values) -> str:
        text = table.get(key) or fallback.get(key) or key
        number = values.get("count", values.get("n"))
        if isinstance(number, int) and not isinstance(number, bool):
            form = plural_form(number)
            if form != "other" and f"{key}.{form}" in table:
                text = table[f"{key}.{form}"]
            # As the language writes it: 12,345 in English, 12 345 in French.
            values = {**values, **{name: format_number(values[name], language)
                                   for name in ("count", "n") if isinstance(values.get(name), int)}}  # fmt: skip
        return text.format(**values) if values else text

    return t

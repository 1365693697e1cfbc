"""The admin's own words in English, French and Arabic (right to left).

Each page area keeps its words in `i18n/<language>/<area>.yaml`, so areas grow apart
without editing one shared file; a test checks every key exists in every language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

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


def translator(language: str):
    language = language if language in LANGUAGES else "en"
    table, fallback = catalog(language), catalog("en")

    def t(key: str, **values) -> str:
        text = table.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return t

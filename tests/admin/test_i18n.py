"""Every word of the admin exists in English, French and Arabic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from admin.i18n import LANGUAGES, catalog

ADMIN = Path(__file__).resolve().parents[2] / "admin"
# t('key') in templates and ctx.t("key") / t("key") in code; dynamic keys are checked by the
# pages' own tests.
USED = re.compile(r"""\bt\(\s*['"]([a-z0-9_.]+)['"]""")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*ADMIN.glob("templates/*.html"), *ADMIN.glob("*.py")]:
        keys.update(USED.findall(path.read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_language_has_every_key(language):
    english, other = set(catalog("en")), set(catalog(language))
    assert sorted(english - other) == [], f"missing in {language}"
    assert sorted(other - english) == [], f"in {language} but not in English"


def test_every_key_the_pages_use_exists():
    static = {key for key in used_keys() if not key.endswith(".")}  # "status." ~ value is dynamic
    assert sorted(static - set(catalog("en"))) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_english(language):
    english = catalog("en")
    for key, text in catalog(language).items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", english[key])), key

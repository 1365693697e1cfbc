"""Every word of the admin exists in English, French and Arabic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from admin.i18n import LANGUAGES, PLURALS, catalog

ADMIN = Path(__file__).resolve().parents[2] / "admin"
# t('key') in templates and ctx.t("key") / t("key") in code; dynamic keys are checked by the
# pages' own tests.
USED = re.compile(r"""\bt\(\s*['"]([a-z0-9_.]+)['"]""")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*ADMIN.glob("templates/*.html"), *ADMIN.glob("*.py")]:
        keys.update(USED.findall(path.read_text(encoding="utf-8")))
    return keys


def _plain(keys) -> set[str]:
    """Keys without their plural variants (`x.one`, `x.few` beside an `x`: each language
    has its own)."""
    keys = set(keys)
    return {
        k for k in keys if not (k.rsplit(".", 1)[-1] in PLURALS and k.rsplit(".", 1)[0] in keys)
    }


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_language_has_every_key(language):
    english, other = _plain(catalog("en")), _plain(catalog(language))
    assert sorted(english - other) == [], f"missing in {language}"
    assert sorted(other - english) == [], f"in {language} but not in English"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_plural_variant_belongs_to_a_key_and_a_category_of_its_language(language):
    from babel import Locale

    table = catalog(language)
    categories = set(Locale.parse(language).plural_form.tags)
    for key in set(table) - _plain(table):
        form = key.rsplit(".", 1)[1]
        assert form in categories, f"{key}: {language} has no {form!r} plural"


def test_counts_read_as_their_language_says_them():
    from admin.i18n import translator

    en, fr, ar = translator("en"), translator("fr"), translator("ar")
    assert en("inbox.waiting_count", count=1) == "1 message waiting for an answer"
    assert en("inbox.waiting_count", count=3) == "3 messages waiting for an answer"
    assert fr("inbox.waiting_count", count=1).startswith("1 message en attente")
    assert ar("inbox.waiting_count", count=2) != ar("inbox.waiting_count", count=3)
    assert en("people.count", count=12345) == "People found: 12,345"
    assert fr("people.count", count=12345).endswith("12\u202f345")


def test_every_key_the_pages_use_exists():
    static = {key for key in used_keys() if not key.endswith(".")}  # "status." ~ value is dynamic
    assert sorted(static - set(catalog("en"))) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_english(language):
    english = catalog("en")
    for key, text in catalog(language).items():
        found = set(re.findall(r"{(\w+)}", text))
        if key in _plain(english):
            assert found == set(re.findall(r"{(\w+)}", english[key])), key
        else:  # a plural variant may leave the number out ("one message"), add nothing
            wanted = set(re.findall(r"{(\w+)}", english[key.rsplit(".", 1)[0]]))
            assert found <= wanted and wanted - found <= {"count", "n"}, key

"""The shipped content: every message in every language, within SMS budgets, discreet over SMS."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.channels.render import sms_text
from bot.channels.segments import budget, count_segments, encoding
from bot.content import load_content
from flows.language import language_message
from flows.savings.statement import DETAIL, savings_key
from flows.survey.flow import Ctx, _with_lead, question_message

CONTENT = load_content()
LANGUAGES = CONTENT.languages
CATALOG = CONTENT.catalog
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# Leads a question can be sent with: a re-ask, a welcome back, a skip, a thank-you.
LEADS = (
    None,
    "common.not_understood",
    "common.not_understood_date",
    "common.not_understood_number",
    "common.text_only",
    "common.welcome_back",
    "common.skipping",
    "onboarding.thanks",
    "followup.reminder",
)

# Words that would tell whoever reads a shared phone what the person is going through.
# Words no SMS may carry, per language (tests/content/revealing_words.yaml).
SENSITIVE = yaml.safe_load(
    (Path(__file__).parent / "revealing_words.yaml").read_text(encoding="utf-8")
)


def test_the_three_languages_ship():
    assert {"en", "fr", "ar"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_exists_in_every_language(language):
    reference = set(CATALOG.texts[LANGUAGES[0]])
    keys = set(CATALOG.texts[language])
    assert sorted(reference - keys) == [], f"missing in {language}"
    assert sorted(keys - reference) == [], f"only in {language}"
    assert all(str(text).strip() for text in CATALOG.texts[language].values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    for key, text in CATALOG.texts[LANGUAGES[0]].items():
        expected = set(PLACEHOLDER.findall(text))
        assert set(PLACEHOLDER.findall(CATALOG.texts[language][key])) == expected, key


def test_every_option_has_a_label_in_every_language():
    for option_set, values in CONTENT.option_sets.items():
        for value in values:
            for language in LANGUAGES:
                assert CATALOG.has(language, f"option.{option_set}.{value}"), (
                    language,
                    option_set,
                    value,
                )


def test_every_survey_prompt_exists():
    for survey in CONTENT.surveys.values():
        for question in survey.questions:
            assert CATALOG.has(LANGUAGES[0], question.prompt), question.prompt
            if question.other:
                assert CATALOG.has(LANGUAGES[0], f"{question.prompt}.other"), question.prompt


def _sms_bodies(language: str):
    """Every SMS the flows can send in this language, as its raw body."""
    for key in CATALOG.texts[language]:
        if key.endswith((".sms", ".synonyms")) or CATALOG.withheld(language, key, "sms"):
            continue
        yield key, sms_text(CATALOG.text(language, key, "sms"), ())
    ctx = Ctx(CONTENT, language, "sms", date(2026, 11, 24))
    for survey in CONTENT.surveys.values():
        for question in survey.questions:
            if CATALOG.withheld(language, question.prompt, "sms"):
                continue  # not asked on SMS
            for lead in LEADS:
                message = _with_lead(
                    question_message(question, ctx), lead and CATALOG.text(language, lead, "sms")
                )
                choices = [(c.value, c.label) for c in message.choices]
                yield f"{question.prompt} after {lead}", sms_text(message.text, choices)


def _all_bodies():
    for language in LANGUAGES:
        for key, body in _sms_bodies(language):
            yield language, key, body
    message = language_message(CONTENT)
    yield (
        "all",
        "language.choose",
        sms_text(message.text, [(c.value, c.label) for c in message.choices]),
    )


@pytest.mark.parametrize(
    ("language", "key", "body"), list(_all_bodies()), ids=lambda v: v if len(str(v)) < 40 else ""
)
def test_every_sms_fits_its_segment_budget(language, key, body):
    """2 segments when the raw body is GSM-7, 3 when it is UCS-2 (no smart encoding)."""
    assert count_segments(body) <= budget(body), (
        f"{language} {key}: {count_segments(body)} segments ({encoding(body)})"
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_latin_languages_stay_gsm7_over_sms(language):
    for key, body in _sms_bodies(language):
        assert encoding(body) == "GSM-7", (key, [ch for ch in body if encoding(ch) != "GSM-7"])


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang in SENSITIVE])
def test_sms_never_says_why_someone_is_in_the_programme(language):
    from flows.text import normalize

    for key, body in _sms_bodies(language):
        if key.startswith(DETAIL):
            continue  # amounts for a member who chose to see them (the next test)
        said = f" {' '.join(normalize(body).split())} "
        for word in SENSITIVE[language]:
            assert f" {normalize(word)}" not in said, f"{key} says {word!r} over SMS"


def test_a_sensitive_text_goes_on_sms_only_in_a_neutral_wording_or_not_at_all():
    """Every sensitive message has its .sms wording in every language; only a survey
    question may have none (it is then not asked on SMS)."""
    prompts = {q.prompt for survey in CONTENT.surveys.values() for q in survey.questions}
    assert CATALOG.sensitive, "content/sensitive.yaml is read"
    for key in CATALOG.sensitive:
        assert CATALOG.has(LANGUAGES[0], key), f"{key} in content/sensitive.yaml is no message"
        for language in LANGUAGES:
            if CATALOG.withheld(language, key, "sms"):
                assert key in prompts, f"{key} needs a neutral .sms wording in {language}"
            assert not CATALOG.withheld(language, key, "telegram")


def test_every_choice_value_fits_telegram_callback_data():
    values = [v for values in CONTENT.option_sets.values() for v in values] + list(LANGUAGES)
    values += ["continue", "language", "help", "agent", "stop", "skip"]
    assert all(len(v.encode()) <= 64 for v in values)


# A savings message with amounts goes only to a member who chose them, or off SMS; everyone
# else gets the discreet wording of the same message (flows/savings/statement.py).
SAVINGS_REMINDERS = (
    "before", "morning", "repay_before", "repay_day", "share_out", "receipt", "shared_out",
    "share_out_ready",
)  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", SAVINGS_REMINDERS)
def test_every_savings_reminder_has_a_discreet_wording(language, name):
    from flows.text import normalize

    assert CATALOG.has(language, savings_key(name, True))
    discreet = sms_text(CATALOG.text(language, savings_key(name, False), "sms"), ())
    said = f" {' '.join(normalize(discreet).split())} "
    for word in SENSITIVE.get(language, ()):
        assert f" {normalize(word)}" not in said, f"{name} says {word!r} over SMS"
    assert not re.search(
        r"\{(amount|savings|share|social|owed)\}", CATALOG.texts[language][savings_key(name, False)]
    ), f"savings.{name} carries an amount"


def test_only_savings_messages_may_carry_amounts_as_details():
    """Nothing outside the savings catalog is exempt from the discreet-SMS test."""
    assert all(k.startswith("savings.") for k in CATALOG.texts[LANGUAGES[0]] if DETAIL in k)

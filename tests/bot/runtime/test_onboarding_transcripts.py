"""Onboarding as people live it: golden transcripts per language and channel.

Each transcript is what the person says (>) and what the bot answers (<), with buttons in
[brackets] on Telegram and the simulator, and the SMS body verbatim. Review a changed
transcript like a changed screen; a missing golden file fails; regenerate with
HOMECOMING_UPDATE_GOLDEN=1 (tests/golden.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from bot.db import transaction
from bot.models import Consent, Outbound
from tests.builders import ONBOARDING_SAID
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"

SCRIPTS = ONBOARDING_SAID

EXPECTED_PROFILE = {
    "en": dict(
        display_name="Awa",
        role="returnee",
        district="north",
        return_date=date(2026, 8, 24),
        gender=None,
        age_band="25_34",
        sector="other",
        sector_other="I repair phones",
        interests="job",
        preferred_time="evening",
    ),
    "fr": dict(
        display_name="Aminata",
        role="returnee",
        district="north",
        return_date=date(2026, 3, 1),
        gender="woman",
        age_band="25_34",
        sector="other",
        sector_other="Je répare des téléphones",
        interests=None,
        preferred_time="evening",
    ),
    "ar": dict(
        display_name="يوسف",
        role="returnee",
        district="north",
        return_date=date(2026, 8, 24),
        gender="man",
        age_band="18_24",
        sector="other",
        sector_other="أصلح الهواتف",
        interests=None,
        preferred_time="evening",
    ),
}


def _render(said: str, replies: list[str]) -> str:
    lines = [f"> {said}"]
    for reply in replies:
        first, *rest = reply.split("\n")
        lines.append(f"< {first}")
        lines.extend(f"  {line}" for line in rest)
    return "\n".join(lines)


def _with_buttons(text: str, buttons) -> str:
    return text + ("\n" + " ".join(f"[{label}]" for _, label in buttons) if buttons else "")


async def _telegram(stack, said: str) -> list[str]:
    before = len(stack.telegram_api.sent_to(42))
    await stack.tg_says(42, said)
    return [_with_buttons(m.text, m.buttons) for m in stack.telegram_api.sent_to(42)[before:]]


async def _sms(stack, said: str) -> list[str]:
    return await stack.sms_says("+221770004242", said)


async def _web(stack, said: str) -> list[str]:
    before = len(stack.outbound())
    response = await stack.client.post("/simulator/send", json={"text": said})
    assert response.status_code == 200
    await stack.work()
    return [
        _with_buttons(row.body, [(c["value"], c["label"]) for c in row.choices])
        for row in stack.outbound()[before:]
    ]


CHANNELS = {
    "telegram": (_telegram, "telegram", "42"),
    "sms": (_sms, "sms", "+221770004242"),
    "web": (_web, "web", None),
}


@pytest.mark.parametrize("channel", list(CHANNELS))
@pytest.mark.parametrize("language", list(SCRIPTS))
async def test_onboarding_transcript(sqlite_stack, language, channel):
    stack = sqlite_stack
    talk, channel_name, address = CHANNELS[channel]
    if channel == "web":
        await stack.client.get("/simulator")  # the page sets who we are
    transcript = [_render(said, await talk(stack, said)) for said in SCRIPTS[language]]
    text = "\n\n".join(transcript) + "\n"

    assert_golden(GOLDEN / f"onboarding.{language}.{channel}.txt", text)

    with transaction(stack.engine) as session:
        rows = session.exec(select(Outbound)).all()
        assert {r.status for r in rows} <= {"sent", "delivered"}
        consents = session.exec(select(Consent).order_by(Consent.id)).all()
        assert [(c.purpose, c.granted) for c in consents] == [("messages", True), ("surveys", True)]
    person = _person(stack, channel_name, address)
    assert person.status == "active" and person.language == language
    for field, value in EXPECTED_PROFILE[language].items():
        assert getattr(person, field) == value, field


def _person(stack, channel: str, address: str | None):
    if address is not None:
        return stack.person(channel, address)
    from bot.models import Contact

    with transaction(stack.engine) as session:
        contact = session.exec(select(Contact).where(Contact.channel == channel)).one()
        address = contact.address
    return stack.person(channel, address)


async def test_the_first_reply_to_anyone_new_is_the_language_choice(sqlite_stack):
    stack = sqlite_stack
    await stack.tg_says(43, "/start")
    [first] = stack.telegram_api.sent_to(43)
    assert [value for value, _ in first.buttons] == ["en", "fr", "ar"]
    [sms] = await stack.sms_says("+221770004343", "Salut")
    # Arabic makes this one body UCS-2 anyway, so French keeps its accent.
    assert sms.splitlines()[-3:] == ["1 English", "2 Français", "3 العربية"]


async def test_arabic_is_laid_out_right_to_left_on_telegram(sqlite_stack):
    stack = sqlite_stack
    for said in ("hi", "3"):
        await stack.tg_says(44, said)
    intro = stack.telegram_api.sent_to(44)[-2]
    assert intro.text.startswith("\u200f")

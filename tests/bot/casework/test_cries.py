"""Cries for help through the whole service: webhook, inbox, effects, outbox, the provider's
fake. Someone who opted out or refused consent still gets the emergency contacts; possible
distress reaches the staff inbox first, with a time to read it by."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.db import transaction
from bot.models import AlertMessage, Inbound
from tests.builders import alerts, enrol_on_sms

EMERGENCY_NUMBER = "+221 33 800 00 01"


async def test_after_stop_a_cry_by_sms_still_gets_the_emergency_number(sqlite_stack):
    stack = sqlite_stack
    number = "+221770001101"
    await enrol_on_sms(stack, number, "10/2026")
    await stack.sms_says(number, "STOP")
    assert stack.person("sms", number).opted_out_at is not None
    replies = await stack.sms_says(number, "si je paye pas ils vont me tuer")
    assert len(replies) == 1 and EMERGENCY_NUMBER in replies[0]
    [alert] = alerts(stack)
    assert (alert.reason, alert.severity) == ("threat", "high")
    # A day later, ordinary words get no more than the usual hint; a cry always gets an answer.
    stack.clock.advance(hours=2)
    assert EMERGENCY_NUMBER in (await stack.sms_says(number, "jveux mourir"))[0]


async def test_after_refusing_consent_a_cry_still_gets_the_emergency_number(sqlite_stack):
    stack = sqlite_stack
    number = "+221770001102"
    await stack.sms_says(number, "Hello")
    await stack.sms_says(number, "1")  # English
    await stack.sms_says(number, "no")  # no consent
    assert stack.person("sms", number).opted_out_at is not None
    replies = await stack.sms_says(number, "my husband beats me every night")
    assert len(replies) == 1 and EMERGENCY_NUMBER in replies[0]
    [alert] = alerts(stack)
    assert alert.reason == "violence"


async def test_before_onboarding_a_cry_is_answered_in_the_language_it_was_written_in(sqlite_stack):
    stack = sqlite_stack
    number = "+221770001103"
    [reply] = await stack.sms_says(number, "ساعدوني زوجي يضربني")
    expected = stack.services.content.catalog.text("ar", "followup.emergency", "sms")
    assert reply == expected
    [alert] = alerts(stack)
    assert alert.person_id == stack.person("sms", number).id


async def test_possible_distress_is_flagged_for_the_inbox_with_a_time_to_read_it_by(sqlite_stack):
    stack = sqlite_stack
    number = "+221770001105"
    await enrol_on_sms(stack, number, "10/2026")
    await stack.sms_says(number, "je suis désespérée depuis mon retour")
    assert alerts(stack) == []
    with transaction(stack.engine) as session:
        flagged = session.exec(select(Inbound).where(Inbound.review_due_at.is_not(None))).all()
        assert [(r.handoff, r.review_due_at - r.received_at) for r in flagged] == [
            ("possible_distress", timedelta(hours=4))
        ]


async def test_when_the_provider_refuses_the_emergency_reply_the_alert_says_so(sqlite_stack):
    """Twilio 21610: the number blocked us at the carrier. Staff must call, not wait."""
    stack = sqlite_stack
    number = "+221770001106"
    await enrol_on_sms(stack, number, "10/2026")
    stack.twilio_api.opted_out.add(number)
    await stack.sms_says(number, "they locked me in the room and took my phone")
    [alert] = alerts(stack)
    with transaction(stack.engine) as session:
        said = session.exec(
            select(AlertMessage).where(AlertMessage.alert_id == alert.id).order_by(AlertMessage.id)
        ).all()
        assert [(m.reason, m.detail) for m in said] == [
            ("confinement", "said: locked me in"),
            ("emergency_undelivered", "sms twilio:21610"),
        ]

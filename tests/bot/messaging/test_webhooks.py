"""Webhooks: store, acknowledge, nothing else. Wrong secrets store nothing; bad input never 500s."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from bot.db import transaction
from bot.models import Inbound, Outbound, Person
from tests.fakes.updates import (
    sms_form,
    tg_blocked,
    tg_edited,
    tg_photo,
    tg_sticker,
    tg_text,
    tg_voice,
)
from tests.stack import PUBLIC_URL


async def test_telegram_update_is_stored_and_acknowledged_with_an_empty_200(stack):
    response = await stack.post_update(tg_text(501, "hello"))
    assert response.status_code == 200
    assert response.content == b""
    assert [(i.channel, i.address, i.text) for i in stack.inbound()] == [
        ("telegram", "501", "hello")
    ]
    # The reply is not in the HTTP response: it waits in the outbox.
    assert stack.count(Outbound) == 0
    await stack.work()
    assert len(stack.telegram_api.sent_to(501)) == 1


@pytest.mark.parametrize("secret", [None, "", "wrong", "tg-secret-12", "tg-secret-1234"])
async def test_telegram_with_a_wrong_or_missing_secret_gets_403_and_stores_nothing(
    sqlite_stack, secret
):
    response = await sqlite_stack.post_update(tg_text(502, "hello"), secret=secret)
    assert response.status_code == 403
    assert sqlite_stack.count(Inbound) == 0


async def test_sms_is_stored_and_answered_with_empty_twiml(stack):
    response = await stack.post_sms(sms_form("+221771234567", "Bonjour"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.endswith("<Response/>")
    assert [(i.channel, i.address, i.text) for i in stack.inbound()] == [
        ("sms", "+221771234567", "Bonjour")
    ]
    await stack.work()
    [reply] = stack.twilio_api.sent_to("+221771234567")
    assert (
        reply.body.splitlines()[-3:] == ["1 English", "2 Francais", "3 العربية"]
        or reply.body.count("\n1 ") == 1
    )


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", "AAAA"])
async def test_sms_with_a_bad_signature_gets_403_and_stores_nothing(sqlite_stack, signature):
    response = await sqlite_stack.post_sms(sms_form("+221771234567", "hi"), signature=signature)
    assert response.status_code == 403
    assert sqlite_stack.count(Inbound) == 0


async def test_sms_signed_for_another_url_is_rejected(sqlite_stack):
    from tests.fakes.updates import twilio_signature

    form = sms_form("+221771234567", "hi")
    signature = twilio_signature(
        sqlite_stack.twilio_api.auth_token, "https://elsewhere.example/webhooks/twilio/sms", form
    )
    response = await sqlite_stack.post_sms(form, signature=signature)
    assert response.status_code == 403


async def test_sms_with_a_tampered_body_is_rejected(sqlite_stack):
    from tests.fakes.updates import twilio_signature

    form = sms_form("+221771234567", "hi")
    signature = twilio_signature(
        sqlite_stack.twilio_api.auth_token, PUBLIC_URL + "/webhooks/twilio/sms", form
    )
    response = await sqlite_stack.post_sms({**form, "Body": "STOP"}, signature=signature)
    assert response.status_code == 403
    assert sqlite_stack.count(Inbound) == 0


async def test_status_callback_needs_a_valid_signature(sqlite_stack):
    form = {"MessageSid": "SMx", "MessageStatus": "delivered"}
    response = await sqlite_stack.post_sms(form, signature="nope", path="/webhooks/twilio/status")
    assert response.status_code == 403


async def test_the_same_update_delivered_five_times_at_once_is_processed_once(stack):
    update = tg_text(503, "hi", update_id=777001)
    responses = await asyncio.gather(*(stack.post_update(update) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    await asyncio.gather(*(stack.work() for _ in range(3)))
    assert stack.count(Inbound) == 1
    assert len(stack.telegram_api.sent_to(503)) == 1
    assert stack.count(Person) == 1


async def test_the_same_message_sid_delivered_five_times_at_once_is_processed_once(stack):
    form = sms_form("+221771234500", "hello", sid="SM" + "a" * 32)
    responses = await asyncio.gather(*(stack.post_sms(form) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    assert all(r.text.endswith("<Response/>") for r in responses)
    await asyncio.gather(*(stack.work() for _ in range(3)))
    assert stack.count(Inbound) == 1
    assert len(stack.twilio_api.sent_to("+221771234500")) == 1


async def test_a_retried_delivery_after_processing_does_nothing(sqlite_stack):
    update = tg_text(504, "hi", update_id=777002)
    await sqlite_stack.post_update(update)
    await sqlite_stack.work()
    await sqlite_stack.post_update(update)
    await sqlite_stack.work()
    assert len(sqlite_stack.telegram_api.sent_to(504)) == 1


async def test_an_edited_message_is_read_for_distress_not_taken_as_an_answer(sqlite_stack):
    stack = sqlite_stack
    await stack.post_update(tg_edited(505, "changed my mind"))
    await stack.work()
    with transaction(stack.engine) as session:
        [row] = session.exec(select(Inbound)).all()
        assert (row.kind, row.text) == ("edited", "changed my mind")
        assert row.processed_at is not None
    assert stack.telegram_api.sent_to(505) == []  # nothing to answer
    await stack.post_update(tg_edited(505, "actually I want to die"))
    await stack.work()
    [emergency] = stack.telegram_api.sent_to(505)
    assert "+221 33 800 00 01" in emergency.text


@pytest.mark.parametrize(
    "update",
    [
        {
            "update_id": 9001,
            "channel_post": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": -100, "type": "channel"},
                "text": "x",
            },
        },
        {
            "update_id": 9002,
            "poll": {
                "id": "1",
                "question": "?",
                "options": [],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            },
        },
        {"update_id": 9003},
        {"update_id": "not a number", "message": {}},
        {"message": {"text": "no update id"}},
        {"update_id": 9004, "message": {"message_id": 1}},
        {
            "update_id": 9005,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": -5, "type": "group"},
                "text": "group",
            },
        },
        [1, 2, 3],
        "just a string",
    ],
    ids=[
        "channel_post",
        "poll",
        "empty",
        "bad_id",
        "no_id",
        "missing_fields",
        "group",
        "list",
        "string",
    ],
)
async def test_updates_we_do_not_handle_are_a_logged_ignore(sqlite_stack, update):
    response = await sqlite_stack.post_update(update)
    assert response.status_code == 200
    await sqlite_stack.work()
    assert sqlite_stack.count(Inbound) == 0
    assert sqlite_stack.telegram_api.sent == []


async def test_a_body_that_is_not_json_is_ignored(sqlite_stack):
    headers = {
        "X-Telegram-Bot-Api-Secret-Token": "tg-secret-123",
        "Content-Type": "application/json",
    }
    for body in (b"\xff\xfe\x00garbage", b"{not json", b""):
        response = await sqlite_stack.client.post(
            "/webhooks/telegram", content=body, headers=headers
        )
        assert response.status_code == 200
    assert sqlite_stack.count(Inbound) == 0


@pytest.mark.parametrize(
    "make", [tg_sticker, tg_voice, tg_photo], ids=["sticker", "voice", "photo"]
)
async def test_media_gets_a_short_answer_and_keeps_the_conversation(sqlite_stack, make):
    await sqlite_stack.tg_says(506, "hi")
    before = sqlite_stack.conversation(sqlite_stack.person("telegram", "506").id)
    await sqlite_stack.post_update(make(506))
    await sqlite_stack.work()
    replies = sqlite_stack.telegram_api.sent_to(506)
    assert len(replies) == 2
    after = sqlite_stack.conversation(sqlite_stack.person("telegram", "506").id)
    assert (after.flow, after.step) == (before.flow, before.step)


async def test_a_photo_with_a_caption_is_read_as_text(sqlite_stack):
    await sqlite_stack.tg_says(507, "hi")
    await sqlite_stack.post_update(tg_photo(507, caption="2"))
    await sqlite_stack.work()
    assert sqlite_stack.person("telegram", "507").language == "fr"


async def test_blocking_the_bot_marks_the_contact_stopped(sqlite_stack):
    await sqlite_stack.tg_says(508, "hi")
    await sqlite_stack.post_update(tg_blocked(508))
    await sqlite_stack.work()
    from sqlmodel import select

    from bot.db import transaction
    from bot.models import Contact

    with transaction(sqlite_stack.engine) as session:
        contact = session.exec(select(Contact).where(Contact.address == "508")).one()
        assert contact.stopped and contact.stopped_reason == "blocked"


@pytest.mark.parametrize(
    "text",
    ["😀😀😀", "x" * 5000, "\u202e\u0000 weird \ufffd", "   ", "١"],
    ids=["emoji", "5000_chars", "control_chars", "blank", "arabic_digit"],
)
async def test_odd_text_gets_an_answer_not_an_error(sqlite_stack, text):
    await sqlite_stack.tg_says(509, "hi")
    response = await sqlite_stack.post_update(tg_text(509, text))
    assert response.status_code == 200
    await sqlite_stack.work()
    assert all(i.processed_at is not None for i in sqlite_stack.inbound())
    assert all(i.error is None for i in sqlite_stack.inbound())


@pytest.mark.parametrize(
    "form",
    [
        {"From": "+221771234567", "Body": "no sid"},
        {"MessageSid": "SM1", "Body": "no sender"},
        {"MessageSid": "SM2", "From": "not a number", "Body": "hi"},
        {"MessageSid": "SM3", "From": "+1555", "Body": "too short"},
        {},
    ],
    ids=["no_sid", "no_from", "unparseable_from", "invalid_number", "empty"],
)
async def test_sms_forms_missing_what_we_need_are_acknowledged_and_ignored(sqlite_stack, form):
    response = await sqlite_stack.post_sms(form)
    assert response.status_code == 200
    assert sqlite_stack.count(Inbound) == 0


async def test_sms_form_with_invalid_utf8_is_not_a_500(sqlite_stack):
    from tests.fakes.updates import twilio_signature

    raw = b"MessageSid=SM9&From=%2B221771234567&Body=%FF%FEhi"
    response = await sqlite_stack.client.post(
        "/webhooks/twilio/sms",
        content=raw,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
    )
    assert response.status_code == 403
    form = {"MessageSid": "SM9", "From": "+221771234567", "Body": "\ufffd\ufffdhi"}
    signature = twilio_signature(
        sqlite_stack.twilio_api.auth_token, PUBLIC_URL + "/webhooks/twilio/sms", form
    )
    response = await sqlite_stack.client.post(
        "/webhooks/twilio/sms",
        content=raw,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    )
    assert response.status_code == 200
    await sqlite_stack.work()
    assert len(sqlite_stack.twilio_api.sent_to("+221771234567")) == 1


async def test_numbers_from_countries_the_programme_does_not_serve_are_ignored(
    sqlite_url, telegram_api, twilio_api, clock
):
    from tests.stack import close_stack, open_stack, stack_settings

    settings = stack_settings(sqlite_url, telegram_api, twilio_api, sms_allowed_countries=["SN"])
    stack = await open_stack(settings, telegram_api, twilio_api, clock)
    try:
        await stack.post_sms(sms_form("+33612345678", "hi"))
        await stack.post_sms(sms_form("+221771234567", "hi"))
        assert [i.address for i in stack.inbound()] == ["+221771234567"]
    finally:
        await close_stack(stack)


async def test_telegram_ids_are_64_bit(sqlite_stack):
    big = 9_007_199_254_740_993  # beyond 2**53: must not pass through a float
    await sqlite_stack.post_update(tg_text(big, "hi"))
    await sqlite_stack.work()
    assert [m.chat_id for m in sqlite_stack.telegram_api.sent] == [big]
    assert sqlite_stack.inbound()[0].address == str(big)

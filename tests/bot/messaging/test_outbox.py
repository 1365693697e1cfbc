"""The outbox: rows first, retries with backoff, 429 honoured, blocked people stop, statuses recorded.

All through the real python-telegram-bot and twilio libraries, over HTTP, to local fakes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.db import transaction
from bot.messaging.sender import MAX_ATTEMPTS
from bot.models import Contact, Outbound
from tests.fakes.updates import sms_form, tg_text

SMS = "+221771230000"


def _contact(stack, address: str) -> Contact:
    with transaction(stack.engine) as session:
        contact = session.exec(select(Contact).where(Contact.address == address)).one()
        session.expunge(contact)
        return contact


async def _first_reply_pending(stack, chat_id: int) -> Outbound:
    await stack.post_update(tg_text(chat_id, "hi"))
    stack.services.inbox.process_pending()
    [row] = stack.outbound()
    assert row.status == "pending"
    return row


async def test_a_server_error_is_retried_with_backoff_then_sent(stack):
    stack.telegram_api.fail_next("sendMessage", 502, "Bad Gateway", times=2)
    await _first_reply_pending(stack, 601)
    await stack.services.sender.drain()
    [row] = stack.outbound()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.error_code.startswith("telegram:")
    first_wait = row.next_attempt_at - stack.clock()
    assert timedelta(seconds=1) <= first_wait <= timedelta(seconds=3)
    # Not due yet: nothing is sent however often the sender runs.
    await stack.services.sender.drain()
    assert stack.telegram_api.sent_to(601) == []
    stack.clock.advance(seconds=3)
    await stack.services.sender.drain()
    [row] = stack.outbound()
    assert row.status == "pending" and row.attempts == 2
    assert row.next_attempt_at - stack.clock() > first_wait  # the wait grows
    stack.clock.advance(seconds=10)
    await stack.services.sender.drain()
    [row] = stack.outbound()
    assert (row.status, row.attempts) == ("sent", 3)
    assert row.provider_id == str(stack.telegram_api.sent_to(601)[0].message_id)
    assert len(stack.telegram_api.sent_to(601)) == 1


async def test_429_waits_as_long_as_telegram_says(sqlite_stack):
    stack = sqlite_stack
    stack.telegram_api.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 17", retry_after=17
    )
    await _first_reply_pending(stack, 602)
    stack.services.limiter.limits.clear()  # this test is about the row's schedule, not pacing
    await stack.services.sender.drain()
    [row] = stack.outbound()
    assert row.status == "pending" and row.error_code == "telegram:429"
    assert row.next_attempt_at - stack.clock() == timedelta(seconds=17)
    stack.clock.advance(seconds=16)
    await stack.services.sender.drain()
    assert stack.telegram_api.sent_to(602) == []
    stack.clock.advance(seconds=1)
    await stack.services.sender.drain()
    assert len(stack.telegram_api.sent_to(602)) == 1


async def test_twilio_429_is_retried(sqlite_stack):
    stack = sqlite_stack
    stack.twilio_api.fail_next(429, 20429, "Too Many Requests")
    await stack.post_sms(sms_form(SMS, "hello"))
    await stack.work()
    [row] = stack.outbound()
    assert (row.status, row.error_code) == ("pending", "twilio:20429")
    stack.clock.advance(minutes=1)
    await stack.services.sender.drain()
    assert len(stack.twilio_api.sent_to(SMS)) == 1
    assert stack.outbound()[0].provider_id.startswith("SM")


async def test_a_person_who_blocked_the_bot_is_marked_stopped_and_not_retried(stack):
    stack.telegram_api.block(603)
    await _first_reply_pending(stack, 603)
    await stack.services.sender.drain()
    [row] = stack.outbound()
    assert (row.status, row.error_code) == ("failed", "telegram:403")
    contact = _contact(stack, "603")
    assert contact.stopped and contact.stopped_reason == "blocked"
    # Whatever else was waiting for them is not sent.
    await stack.post_update(tg_text(603, "2"))
    stack.services.inbox.process_pending()
    calls_before = stack.telegram_api.methods().count("sendMessage")
    stack.telegram_api.blocked.clear()
    # Writing to us again shows the channel works: they are reachable again.
    await stack.services.sender.drain()
    assert _contact(stack, "603").stopped is False
    # French chosen: the introduction and the first consent question.
    assert stack.telegram_api.methods().count("sendMessage") == calls_before + 2


async def test_twilio_21610_marks_the_number_stopped(stack):
    stack.twilio_api.opted_out.add(SMS)
    await stack.post_sms(sms_form(SMS, "hello"))
    await stack.work()
    [row] = stack.outbound()
    assert (row.status, row.error_code) == ("failed", "twilio:21610")
    contact = _contact(stack, SMS)
    assert contact.stopped and contact.stopped_reason == "opted_out"


async def test_a_permanent_error_is_not_retried(sqlite_stack):
    stack = sqlite_stack
    stack.twilio_api.fail_next(400, 21211, "The 'To' number is not a valid phone number.")
    await stack.post_sms(sms_form(SMS, "hello"))
    await stack.work()
    [row] = stack.outbound()
    assert (row.status, row.error_code, row.attempts) == ("failed", "twilio:21211", 1)


async def test_an_unreachable_provider_is_retried_until_the_attempts_run_out(sqlite_stack):
    stack = sqlite_stack
    stack.twilio_api.down = True
    await stack.post_sms(sms_form(SMS, "hello"))
    await stack.work()
    for _ in range(MAX_ATTEMPTS + 2):
        stack.clock.advance(hours=2)
        await stack.services.sender.drain()
    [row] = stack.outbound()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(stack.twilio_api.requests) == MAX_ATTEMPTS


async def test_an_abandoned_claim_is_taken_over_after_its_lease(sqlite_stack):
    """A sender killed mid-send leaves a row 'sending'; another sender picks it up later."""
    stack = sqlite_stack
    await _first_reply_pending(stack, 604)
    claimed = stack.services.sender.claim(10)  # ... and then the process died
    assert len(claimed) == 1
    await stack.services.sender.drain()
    assert stack.telegram_api.sent_to(604) == []
    stack.clock.advance(minutes=3)
    await stack.services.sender.drain()
    assert len(stack.telegram_api.sent_to(604)) == 1
    assert stack.outbound()[0].status == "sent"


async def test_one_persons_messages_go_out_in_order(sqlite_stack):
    stack = sqlite_stack
    await stack.tg_says(605, "hi")
    stack.telegram_api.fail_next("sendMessage", 500, "Internal Server Error")
    await stack.post_update(tg_text(605, "1"))  # intro + consent question: two messages
    await stack.work()
    assert len(stack.telegram_api.sent_to(605)) == 1  # the second waits behind the first
    stack.clock.advance(seconds=5)
    await stack.services.sender.drain()
    texts = [m.text for m in stack.telegram_api.sent_to(605)]
    rows = [r for r in stack.outbound() if r.status == "sent"]
    assert texts[1:] == [r.body for r in rows[1:]]


async def test_delivery_reports_move_forward_never_back(stack):
    await stack.post_sms(sms_form(SMS, "hello"))
    await stack.work()
    [row] = stack.outbound()
    assert row.status == "sent"
    sid = row.provider_id
    path = "/webhooks/twilio/status"
    for status in ("delivered", "sent", "queued"):
        response = await stack.post_sms({"MessageSid": sid, "MessageStatus": status}, path=path)
        assert response.status_code == 204
    [row] = stack.outbound()
    assert row.status == "delivered" and row.delivered_at is not None


async def test_an_undelivered_report_with_21610_stops_the_number(sqlite_stack):
    stack = sqlite_stack
    await stack.post_sms(sms_form(SMS, "hello"))
    await stack.work()
    sid = stack.outbound()[0].provider_id
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "21610"}
    await stack.post_sms(form, path="/webhooks/twilio/status")
    assert stack.outbound()[0].status == "undelivered"
    assert _contact(stack, SMS).stopped


async def test_sms_carry_a_status_callback_and_record_segments(sqlite_stack):
    stack = sqlite_stack
    await stack.post_sms(sms_form(SMS, "hello"))
    await stack.work()
    [sms] = stack.twilio_api.sent_to(SMS)
    assert sms.status_callback == "https://homecoming.example.org/webhooks/twilio/status"
    assert sms.sender == "+15005550006"
    assert stack.outbound()[0].segments == sms.segments


async def test_a_message_claimed_before_a_stop_does_not_go_after_it(stack):
    """The sender claimed the rows (a batch waiting on the SMS pace), then STOP came in and
    was processed: nothing but the confirmation reaches the phone."""
    await stack.sms_says(SMS, "hi")
    before = len(stack.twilio_api.sent_to(SMS))
    await stack.post_sms(sms_form(SMS, "1"))  # a language: the consent question follows
    stack.services.inbox.process_pending()
    claimed = stack.services.sender.claim(100)
    assert claimed  # in the sender's hands, not yet at the provider
    await stack.post_sms(sms_form(SMS, "STOP"))
    stack.services.inbox.process_pending()
    for row in claimed:
        await stack.services.sender._send(row)  # noqa: SLF001 - the claimed batch goes on
    await stack.services.sender.drain()
    sent = [m.body for m in stack.twilio_api.sent_to(SMS)[before:]]
    assert len(sent) == 1  # the confirmation of the STOP, nothing else
    origins = {r.id: (r.origin, r.status) for r in stack.outbound()}
    assert all(origins[row.id][1] == "cancelled" for row in claimed)
    assert ("keyword.stop_confirm", "sent") in origins.values()


async def test_a_row_taken_over_after_its_lease_is_sent_once(sqlite_stack):
    """A sender held a row past its lease (the rate limiter); another sender took it over
    and sent it. The first one, coming back, does not send it again."""
    stack = sqlite_stack
    await _first_reply_pending(stack, 606)
    [slow] = stack.services.sender.claim(10)
    stack.clock.advance(minutes=3)
    await stack.services.sender.drain()  # the other sender
    await stack.services.sender._send(slow)  # noqa: SLF001 - the first one, late
    assert len(stack.telegram_api.sent_to(606)) == 1

"""A sender that dies: what it had claimed but never tried goes at once when it starts
again; the one message whose provider call had begun is uncertain. Twilio is asked whether
it has it (its Messages list) and it is recorded, not sent twice; Telegram, which cannot be
asked, gets it again: at most one duplicate per message in flight.

A "crash" here is a sender that stops between two of its steps; the next sender is the
same instance starting again (`recover`), or another instance once the lease ran out."""

from __future__ import annotations

from bot.channels.base import OutboundMessage
from bot.messaging.sender import LEASE, OutboxSender
from tests.fakes.updates import sms_form, tg_text

SMS = "+221771230000"


def _restarted(stack, instance: str | None = None) -> OutboxSender:
    old = stack.services.sender
    return OutboxSender(old.engine, old.channels, old.clock, old.limiter, old.rtl_languages,
                        old.concurrency, instance or old.instance)  # fmt: skip


async def _sms_reply_waiting(stack) -> None:
    stack.twilio_api.clock = stack.clock
    await stack.post_sms(sms_form(SMS, "hello"))
    stack.services.inbox.process_pending()


async def test_rows_claimed_but_never_tried_go_at_once_after_a_restart(sqlite_stack):
    stack = sqlite_stack
    await stack.post_update(tg_text(701, "hi"))
    stack.services.inbox.process_pending()
    assert stack.services.sender.claim(100)  # ... and the process died holding them
    again = _restarted(stack)
    assert await again.drain() == 0  # still leased: another instance would wait for it
    assert again.recover() == 1  # but this instance, starting, takes its own back
    await again.drain()
    assert len(stack.telegram_api.sent_to(701)) == 1  # no lease to wait out, no repeat
    [row] = stack.outbound()
    assert row.status == "sent" and row.attempted_at is None


async def test_an_sms_that_reached_twilio_before_the_crash_is_recorded_not_resent(sqlite_stack):
    stack = sqlite_stack
    await _sms_reply_waiting(stack)
    sender = stack.services.sender
    [row] = sender.claim(100)
    assert sender._still_ours(row)  # noqa: SLF001 - marked as being tried ...
    channel = sender.channels["sms"]
    await channel.send(OutboundMessage(row.address, row.body, row.choices))  # ... it went ...
    # ... and the process died before writing that down.
    again = _restarted(stack)
    again.recover()
    await again.drain()
    [sms] = stack.twilio_api.sent_to(SMS)  # once
    [stored] = stack.outbound()
    assert (stored.status, stored.provider_id) == ("sent", sms.sid)
    assert len(stack.twilio_api.lookups) == 1 and stack.twilio_api.lookups[0]["To"] == SMS


async def test_an_sms_that_never_reached_twilio_is_sent_after_asking(sqlite_stack):
    stack = sqlite_stack
    await _sms_reply_waiting(stack)
    sender = stack.services.sender
    [row] = sender.claim(100)
    assert sender._still_ours(row)  # noqa: SLF001 - died right after marking it
    other = _restarted(stack, "another-instance")
    stack.clock.advance(seconds=LEASE.total_seconds() + 1)  # the lease runs out
    await other.drain()
    assert len(stack.twilio_api.lookups) == 1
    [sms] = stack.twilio_api.sent_to(SMS)
    assert stack.outbound()[0].provider_id == sms.sid


async def test_the_same_words_sent_before_are_not_taken_for_this_message(sqlite_stack):
    """The same reply, earlier, recorded with its own sid: the lookup must not count it."""
    stack = sqlite_stack
    await _sms_reply_waiting(stack)
    await stack.services.sender.drain()
    [first] = stack.twilio_api.sent_to(SMS)
    await stack.post_sms(sms_form(SMS, "hello"))  # the same greeting, the same answer
    stack.services.inbox.process_pending()
    sender = stack.services.sender
    [row] = sender.claim(100)
    assert len({r.body for r in stack.outbound()}) == 1  # the same words twice
    assert sender._still_ours(row)  # noqa: SLF001 - died before the provider call
    again = _restarted(stack)
    again.recover()
    await again.drain()
    assert len(stack.twilio_api.sent_to(SMS)) == 2  # sent: the old one was not this one


async def test_when_twilio_cannot_be_asked_the_row_waits_and_stays_uncertain(sqlite_stack):
    stack = sqlite_stack
    await _sms_reply_waiting(stack)
    sender = stack.services.sender
    [row] = sender.claim(100)
    sender._still_ours(row)  # noqa: SLF001
    await sender.channels["sms"].send(OutboundMessage(row.address, row.body, row.choices))
    stack.twilio_api.down = True
    again = _restarted(stack)
    again.recover()
    await again.drain()
    [stored] = stack.outbound()
    assert stored.status == "pending" and stored.attempted_at is not None
    stack.twilio_api.down = False
    stack.clock.advance(minutes=5)
    await again.drain()
    assert len(stack.twilio_api.sent_to(SMS)) == 1 and stack.outbound()[0].status == "sent"


async def test_telegram_cannot_be_asked_so_the_one_in_flight_goes_again(sqlite_stack):
    stack = sqlite_stack
    await stack.post_update(tg_text(702, "hi"))
    stack.services.inbox.process_pending()
    sender = stack.services.sender
    [row] = sender.claim(100)
    sender._still_ours(row)  # noqa: SLF001
    await sender.channels["telegram"].send(OutboundMessage(row.address, row.body, row.choices))
    again = _restarted(stack)
    again.recover()
    await again.drain()
    assert len(stack.telegram_api.sent_to(702)) == 2  # the documented one duplicate
    assert stack.outbound()[0].status == "sent"

"""Sending to Telegram over aiohttp (bot/channels/telegram_transport.py) fails the way
python-telegram-bot's own transport does: a Bot API slower than the provider timeout, or one
that cannot be reached, is a network error, retried; the row keeps the time of its attempt,
since the message may have arrived. When the API answers again, the reply goes."""

from __future__ import annotations

from tests.fakes.updates import tg_text
from tests.stack import close_stack, open_stack, stack_settings


async def test_a_timeout_and_a_refused_connection_are_retried_network_errors(
    sqlite_url, telegram_api, twilio_api, clock
):
    settings = stack_settings(sqlite_url, telegram_api, twilio_api, provider_timeout_seconds=0.2)
    stack = await open_stack(settings, telegram_api, twilio_api, clock)
    try:
        telegram_api.stall = 1.0
        await stack.post_update(tg_text(91_001, "hi"))
        await stack.work()
        [row] = stack.outbound()
        assert (row.status, row.error_code) == ("pending", "telegram:network")
        assert row.attempted_at is not None  # it may have arrived: uncertain
        telegram_api.stall = 0.0
        clock.advance(minutes=5)
        await stack.services.sender.drain()
        [row] = stack.outbound()
        assert row.status == "sent" and len(telegram_api.sent_to(91_001)) == 1
    finally:
        await close_stack(stack)


async def test_an_unreachable_bot_api_is_a_network_error(
    sqlite_url, telegram_api, twilio_api, clock
):
    # Nothing listens on port 1.
    settings = stack_settings(sqlite_url, telegram_api, twilio_api)
    settings.telegram_api_url = "http://127.0.0.1:1"
    stack = await open_stack(settings, telegram_api, twilio_api, clock)
    try:
        await stack.post_update(tg_text(91_002, "hi"))
        await stack.work()
        [row] = stack.outbound()
        assert (row.status, row.error_code) == ("pending", "telegram:network")
    finally:
        await close_stack(stack)

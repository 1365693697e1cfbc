"""The background workers as the service runs them."""

from __future__ import annotations

import asyncio
import time

from sqlmodel import select

from bot import workers as workers_module
from bot.db import transaction
from bot.messaging.outbox import enqueue_many, outbound_values
from bot.models import Contact
from bot.workers import Workers
from tests.builders import add_person
from tests.fakes.updates import tg_text
from tests.stack import close_stack, open_stack, stack_settings


def _queue(stack, person_ids: list[int], body: str) -> None:
    now = stack.clock()
    with transaction(stack.engine) as session:
        contacts = session.exec(select(Contact).where(Contact.person_id.in_(person_ids))).all()
        enqueue_many(session, [
            outbound_values(person_id=c.person_id, contact_id=c.id, channel=c.channel, body=body,
                            language="en", origin="broadcast", now=now, initiated=True)
            for c in contacts
        ])  # fmt: skip


async def _until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


async def test_sms_at_its_pace_never_holds_back_telegram(
    sqlite_url, telegram_api, twilio_api, clock
):
    """Four SMS at one segment a second take three seconds; a Telegram message queued in the
    meantime goes at once, not when the SMS round ends."""
    settings = stack_settings(
        sqlite_url, telegram_api, twilio_api, worker_poll_seconds=5, sms_segments_per_second=1
    )
    stack = await open_stack(settings, telegram_api, twilio_api, clock)
    texting = [add_person(stack, f"Sms {n}", address=f"+2217755500{n:02d}") for n in range(4)]
    chatting = [add_person(stack, f"Tg {n}", channel="telegram", address=str(4100 + n))
                for n in range(3)]  # fmt: skip
    workers = Workers(stack.services)
    _queue(stack, texting, "The group meets on Thursday.")
    await workers.start()
    workers.wake_outbox()
    try:
        await _until(lambda: len(twilio_api.sent) >= 1)
        assert len(twilio_api.sent) == 1
        _queue(stack, chatting, "The group meets on Thursday.")
        workers.wake_outbox()
        await _until(lambda: len(telegram_api.sent) >= 3)
        assert len(telegram_api.sent) == 3
        assert len(twilio_api.sent) < 4  # the SMS round is still going
        await _until(lambda: len(twilio_api.sent) >= 4)
        assert len(twilio_api.sent) == 4
    finally:
        await workers.stop()
        await close_stack(stack)


async def test_a_full_round_of_the_inbox_is_followed_at_once_by_the_next(
    sqlite_url, telegram_api, twilio_api, clock, monkeypatch
):
    """More stored than one round takes: the next round starts at once, not at the next
    poll, and replies go out while the inbox is still being worked through."""
    monkeypatch.setattr(workers_module, "INBOX_ROUND", 3)
    settings = stack_settings(sqlite_url, telegram_api, twilio_api, worker_poll_seconds=30)
    stack = await open_stack(settings, telegram_api, twilio_api, clock)
    chats = range(5200, 5208)
    for chat in chats:
        assert (await stack.post_update(tg_text(chat, "hi"))).status_code == 200
    workers = Workers(stack.services)
    await workers.start()  # wakes the inbox once, for what arrived before it started
    began = time.monotonic()
    try:
        await _until(lambda: all(telegram_api.sent_to(chat) for chat in chats), seconds=20)
        assert all(telegram_api.sent_to(chat) for chat in chats)
        assert time.monotonic() - began < 15  # three rounds, none waiting for the 30 s poll
    finally:
        await workers.stop()
        await close_stack(stack)

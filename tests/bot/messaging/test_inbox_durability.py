"""Nothing lost, nothing twice: resume after days, restart after a crash, order per person."""

from __future__ import annotations

import asyncio
import threading
import time

from sqlalchemy import text

from bot.models import Inbound
from bot.workers import Workers
from tests.fakes.updates import tg_text
from tests.stack import close_stack, open_stack, stack_settings

CHAT = 801


async def test_a_conversation_left_half_way_resumes_days_later(stack):
    for said in ("hi", "1", "yes", "yes", "Awa"):
        await stack.tg_says(CHAT, said)
    stack.clock.advance(days=5)
    # Something off-topic after days away: greeted, and asked the same question again.
    replies = await stack.tg_says(CHAT, "hello again")
    assert replies == ["Welcome back! Let us go on.\nWhich fits you best?"]
    # And the answer picks up exactly there.
    assert await stack.tg_says(CHAT, "1") == ["Where do you live now?"]
    person = stack.person("telegram", str(CHAT))
    assert (person.display_name, person.role) == ("Awa", "returnee")


async def test_an_answer_after_days_away_is_simply_taken(sqlite_stack):
    stack = sqlite_stack
    for said in ("hi", "1", "yes", "yes", "Awa"):
        await stack.tg_says(CHAT, said)
    stack.clock.advance(days=9)
    assert await stack.tg_says(CHAT, "2") == ["Where do you live now?"]


async def test_after_two_misunderstandings_a_required_question_pauses_and_resumes(sqlite_stack):
    stack = sqlite_stack
    for said in ("hi", "1", "yes", "yes", "Awa", "1", "2"):
        await stack.tg_says(CHAT, said)
    assert (await stack.tg_says(CHAT, "banana"))[0].startswith(
        "Sorry, I did not understand the date."
    )
    assert (await stack.tg_says(CHAT, "apple"))[0].startswith(
        "Sorry, I did not understand the date."
    )
    assert await stack.tg_says(CHAT, "pear") == [
        "No problem. We can go on later. Just write when you are ready."
    ]
    stack.clock.advance(days=2)
    replies = await stack.tg_says(CHAT, "hi")
    assert replies[0].startswith("Welcome back! Let us go on.\nWhen did you come back?")
    assert (await stack.tg_says(CHAT, "last month"))[0] == "Are you..."


async def test_a_crash_between_acknowledging_and_processing_loses_nothing(
    database_url, telegram_api, twilio_api, clock
):
    """The webhook stored and acknowledged; the process died before processing. On restart the
    workers find the stored row and answer it, once."""
    settings = stack_settings(database_url, telegram_api, twilio_api, worker_poll_seconds=0.2)
    first = await open_stack(settings, telegram_api, twilio_api, clock)
    response = await first.post_update(tg_text(CHAT, "hello", update_id=880001))
    assert response.status_code == 200
    assert telegram_api.sent_to(CHAT) == []
    await close_stack(first)  # ... killed: nothing processed, nothing sent

    second = await open_stack(settings, telegram_api, twilio_api, clock)
    workers = Workers(second.services)
    await workers.start()
    try:
        for _ in range(200):
            if telegram_api.sent_to(CHAT):
                break
            await asyncio.sleep(0.05)
        assert len(telegram_api.sent_to(CHAT)) == 1
        # Telegram retries the same update after the restart: still one answer.
        await second.post_update(tg_text(CHAT, "hello", update_id=880001))
        workers.wake_inbox()
        await asyncio.sleep(0.5)
        assert len(telegram_api.sent_to(CHAT)) == 1
        assert [i.processed_at is not None for i in second.inbound()] == [True]
    finally:
        await workers.stop()
        await close_stack(second)


async def test_a_row_that_failed_mid_processing_is_retried(sqlite_stack, monkeypatch):
    """A processing error rolls back that row alone; it is tried again on the next pass."""
    stack = sqlite_stack
    import bot.messaging.inbox as inbox_module

    calls = {"n": 0}
    real = inbox_module.handle_inbound

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(inbox_module, "handle_inbound", flaky)
    await stack.post_update(tg_text(CHAT, "hello"))
    stack.services.inbox.process_pending()
    [row] = stack.inbound()
    assert row.processed_at is None and row.attempts == 1
    await stack.work()
    [row] = stack.inbound()
    assert row.processed_at is not None
    assert len(stack.telegram_api.sent_to(CHAT)) == 1


async def test_one_persons_messages_are_processed_in_the_order_they_arrived(stack):
    for said in ("hi", "1", "yes", "yes"):
        await stack.post_update(tg_text(CHAT, said))
    await stack.work()
    assert stack.count(Inbound) == 4
    texts = [m.text for m in stack.telegram_api.sent_to(CHAT)]
    assert texts[-1] == "Thank you.\nWhat should we call you?"


async def test_two_processes_at_once_answer_each_message_once(stack):
    """As two app processes would: separate engines, separate inbox processors."""
    from bot.db import make_engine
    from bot.messaging.inbox import Inbox

    other_engine = make_engine(stack.settings.database_url)
    other = Inbox(other_engine, stack.services.content, stack.clock, stack.services.effects)
    for chat in range(900, 910):
        await stack.post_update(tg_text(chat, "hi"))
    try:
        await asyncio.gather(
            asyncio.to_thread(stack.services.inbox.process_pending),
            asyncio.to_thread(other.process_pending),
        )
    finally:
        other_engine.dispose()
    await stack.services.sender.drain()
    assert all(len(stack.telegram_api.sent_to(chat)) == 1 for chat in range(900, 910))


async def test_a_batch_that_waited_out_its_turn_for_the_writer_still_goes_on(sqlite_stack):
    """A batch that waited longer than its whole turn for SQLite's writer still processes a
    row, and the round goes on to the others instead of ending as if none were left."""
    stack = sqlite_stack
    for chat in range(920, 925):
        await stack.post_update(tg_text(chat, "hi"))
    holding = threading.Event()

    def hold_the_writer() -> None:
        with stack.services.engine.begin() as connection:
            connection.execute(text("UPDATE inbound SET attempts = attempts"))
            holding.set()
            time.sleep(0.3)  # longer than a batch's turn (bot/messaging/inbox.py)

    holder = threading.Thread(target=hold_the_writer)
    holder.start()
    holding.wait(5)
    processed = await asyncio.to_thread(stack.services.inbox.process_pending)
    holder.join()
    assert processed == 5
    assert stack.services.inbox.pending_count() == 0

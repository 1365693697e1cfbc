"""Provider limits shared by every instance on one PostgreSQL database: two instances
reserving from the same bucket wait as one would for twice the sends, a 429's pause reaches
both, and idle per-chat buckets are forgotten. Reservations are counted, not timed: a
recording sleep, and the database's clock moving on its own only adds tokens."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from bot.db import make_engine, upgrade
from bot.messaging.shared_ratelimit import SharedRateLimiter


@pytest.fixture
def engine(postgres_databases):
    url = postgres_databases.fresh()
    upgrade(url)
    found = make_engine(url)
    yield found
    found.dispose()


def _instance(engine) -> SharedRateLimiter:
    limiter = SharedRateLimiter(engine)
    limiter.configure("telegram", 30, burst=30)
    limiter.configure("telegram_chat", 1)
    return limiter


def test_two_instances_share_one_bot_budget(engine):
    one, two = _instance(engine), _instance(engine)
    waits = [(one if i % 2 else two).reserve(["telegram"]) for i in range(90)]
    # 30 at once (the burst), then the queue: the 90th waits about two seconds, whichever
    # instance asks; each alone would have seen a budget of its own.
    assert waits[29] < 0.1 and 1.8 <= waits[89] <= 2.0
    assert all(later >= earlier - 0.05 for earlier, later in zip(waits, waits[1:], strict=False))


def test_a_chat_gets_one_a_second_across_instances(engine):
    one, two = _instance(engine), _instance(engine)
    assert one.reserve(["telegram", "telegram_chat:42"]) < 0.05
    assert 0.9 <= two.reserve(["telegram", "telegram_chat:42"]) <= 1.0
    assert two.reserve(["telegram", "telegram_chat:43"]) < 0.05  # another chat: its own


def test_many_sends_reserved_at_once_wait_as_if_one_after_another(engine):
    together, apart = _instance(engine), _instance(engine)
    chats = [["telegram", f"telegram_chat:{n % 40}"] for n in range(80)]
    waits = together.reserve_many([(keys, 1.0) for keys in chats])
    # The bot's burst of 30, then a thirtieth of a second each; the second message to a
    # chat waits a second for that chat, whatever the bot's queue.
    assert max(waits[:30]) < 0.05
    assert 1.6 <= waits[79] <= 1.75
    assert all(waits[n] >= 0.95 for n in range(40, 80))
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM rate_budget"))
    started = time.monotonic()
    one_by_one = [apart.reserve(keys) for keys in chats]
    # One by one, each later reservation is made later, and waits that much less.
    took = time.monotonic() - started
    assert all(-0.01 <= a - b <= took + 0.01 for a, b in zip(waits, one_by_one, strict=True))


def test_a_429_pauses_every_instance(engine):
    one, two = _instance(engine), _instance(engine)
    one.pause("telegram", 7)
    assert 6.5 <= two.reserve(["telegram"]) <= 7.0
    assert two.reserve(["web"]) == 0.0  # unlimited keys never wait


def test_idle_chat_buckets_are_forgotten_and_the_bot_bucket_kept(engine):
    limiter = _instance(engine)
    limiter.reserve(["telegram", "telegram_chat:42"])
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE rate_budget SET updated_at = updated_at - interval '2 hours'")
        )
    limiter.forget_idle(older_than=3600)
    with engine.connect() as connection:
        keys = connection.execute(text("SELECT key FROM rate_budget")).scalars().all()
    assert keys == ["telegram"]

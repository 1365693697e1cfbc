"""Pacing: Telegram 30/s per bot and 1/s per chat, SMS segments per second, and 429 pauses.

A fake monotonic clock and a recording sleep: nothing here waits for real time.
"""

from __future__ import annotations

from bot.messaging.ratelimit import RateLimiter


class Time:
    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def limiter(time: Time) -> RateLimiter:
    limits = RateLimiter(monotonic=time.monotonic, sleep=time.sleep)
    limits.configure("telegram", 30, burst=30)
    limits.configure("telegram_chat", 1)
    limits.configure("sms", 1)
    return limits


async def test_one_message_a_second_to_the_same_chat():
    time = Time()
    limits = limiter(time)
    for _ in range(3):
        await limits.acquire(["telegram", "telegram_chat:42"])
    assert time.slept == [1.0, 1.0]


async def test_thirty_a_second_across_chats():
    time = Time()
    limits = limiter(time)
    for chat in range(60):
        await limits.acquire(["telegram", f"telegram_chat:{chat}"])
    assert round(time.now, 3) == 1.0  # 30 at once (burst), the next 30 paced over a second
    assert len(time.slept) == 30


async def test_sms_pace_counts_segments():
    time = Time()
    limits = limiter(time)
    await limits.acquire(["sms"], cost=3)
    await limits.acquire(["sms"], cost=1)
    assert time.slept == [2.0, 1.0]


async def test_a_429_pauses_the_whole_channel():
    time = Time()
    limits = limiter(time)
    limits.pause("telegram", 17)
    await limits.acquire(["telegram", "telegram_chat:1"])
    assert time.slept == [17.0]


async def test_the_simulator_is_never_paced():
    time = Time()
    limits = limiter(time)
    for _ in range(100):
        await limits.acquire(["web"])
    assert time.slept == []


async def test_idle_chat_buckets_are_forgotten():
    time = Time()
    limits = limiter(time)
    await limits.acquire(["telegram", "telegram_chat:1"])
    time.now += 7200
    limits.forget_idle()
    assert "telegram_chat:1" not in limits.buckets and "telegram" in limits.buckets

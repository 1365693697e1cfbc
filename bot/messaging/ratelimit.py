"""Token buckets for provider rate limits (Telegram per bot and per chat, SMS per sender)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Bucket:
    rate: float  # units per second
    capacity: float
    tokens: float
    updated: float
    paused_until: float = 0.0

    def reserve(self, cost: float, now: float) -> float:
        """Takes `cost` units and returns how long to wait before using them."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= cost
        wait = 0.0 if self.tokens >= 0 else -self.tokens / self.rate
        return max(wait, self.paused_until - now)


@dataclass
class RateLimiter:
    """Buckets by key; `acquire` waits until every named bucket allows the send."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = asyncio.sleep
    buckets: dict[str, Bucket] = field(default_factory=dict)
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)

    def configure(self, prefix: str, rate: float, burst: float = 1.0) -> None:
        self.limits[prefix] = (rate, max(burst, 1.0))

    def _bucket(self, key: str) -> Bucket:
        bucket = self.buckets.get(key)
        if bucket is None:
            rate, burst = self.limits[key.split(":", 1)[0]]
            bucket = Bucket(rate, burst, burst, self.monotonic())
            self.buckets[key] = bucket
        return bucket

    def reserve(self, keys: list[str], cost: float = 1.0) -> float:
        """Unlimited keys (no configured prefix, e.g. the simulator) never wait."""
        now = self.monotonic()
        limited = [key for key in keys if key.split(":", 1)[0] in self.limits]
        return max((self._bucket(key).reserve(cost, now) for key in limited), default=0.0)

    def reserve_many(self, requests: list[tuple[list[str], float]]) -> list[float]:
        return [self.reserve(keys, cost) for keys, cost in requests]

    async def acquire(self, keys: list[str], cost: float = 1.0) -> None:
        wait = self.reserve(keys, cost)
        if wait > 0:
            await self.sleep(wait)

    def pause(self, key: str, seconds: float) -> None:
        """The provider told us to back off (429 retry_after)."""
        if key.split(":", 1)[0] not in self.limits:
            return
        bucket = self._bucket(key)
        bucket.paused_until = max(bucket.paused_until, self.monotonic() + seconds)

    def forget_idle(self, older_than: float = 3600.0) -> None:
        """Per-chat buckets would otherwise grow with every person ever written to."""
        now = self.monotonic()
        for key in [
            k for k, b in self.buckets.items() if ":" in k and now - b.updated > older_than
        ]:
            del self.buckets[key]

"""Provider rate limits for a whole deployment: every instance on one PostgreSQL database
takes its sends from the same token buckets (table `rate_budget`), so two instances send
30 messages a second to Telegram between them, not 30 each.

One statement per send reserves the tokens and says how long to wait for them, by the
database's clock (every instance reads the same one). A 429's pause is shared the same way.
On SQLite there is one process, and bot/messaging/ratelimit.py paces it in memory."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Engine

# Take each key's cost from its bucket (refilled since the last take, up to the burst), in
# one statement, keys in order (two callers never lock them the other way round); the wait
# is what the tokens are short of, or the pause a 429 asked for, whichever is longer.
_RESERVE = text("""
INSERT INTO rate_budget AS b (key, tokens, updated_at, paused_until)
SELECT key, burst - cost, clock_timestamp(), NULL
FROM unnest(CAST(:keys AS text[]), CAST(:rates AS float8[]), CAST(:bursts AS float8[]),
            CAST(:costs AS float8[])) AS wanted(key, rate, burst, cost)
ORDER BY key
ON CONFLICT (key) DO UPDATE SET
    tokens = LEAST((SELECT w.burst FROM unnest(CAST(:keys AS text[]), CAST(:bursts AS float8[]))
                    AS w(key, burst) WHERE w.key = b.key),
                   b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)
                   * (SELECT w.rate FROM unnest(CAST(:keys AS text[]), CAST(:rates AS float8[]))
                      AS w(key, rate) WHERE w.key = b.key))
             - (SELECT w.cost FROM unnest(CAST(:keys AS text[]), CAST(:costs AS float8[]))
                AS w(key, cost) WHERE w.key = b.key),
    updated_at = clock_timestamp()
RETURNING b.key, b.tokens,
          COALESCE(EXTRACT(EPOCH FROM b.paused_until - clock_timestamp()), 0.0) AS paused_for
""")
_PAUSE = text("""
INSERT INTO rate_budget AS b (key, tokens, updated_at, paused_until)
VALUES (:key, 0, clock_timestamp(), clock_timestamp() + make_interval(secs => :seconds))
ON CONFLICT (key) DO UPDATE SET paused_until = GREATEST(
    COALESCE(b.paused_until, clock_timestamp()), clock_timestamp() + make_interval(secs => :seconds))
""")
_FORGET = text("""
DELETE FROM rate_budget WHERE key LIKE '%:%'
AND updated_at < clock_timestamp() - make_interval(secs => :older_than)
""")


@dataclass
class SharedRateLimiter:
    """The in-memory RateLimiter's interface, its buckets in PostgreSQL."""

    engine: Engine
    sleep: object = asyncio.sleep
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Each reservation commits at once: no transaction of anyone else's waits on it.
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def configure(self, prefix: str, rate: float, burst: float = 1.0) -> None:
        self.limits[prefix] = (rate, max(burst, 1.0))

    def reserve(self, keys: list[str], cost: float = 1.0) -> float:
        return self.reserve_many([(keys, cost)])[0]

    def reserve_many(self, requests: list[tuple[list[str], float]]) -> list[float]:
        """Several sends' reservations in one statement, taken in the order given: each
        send waits for what its own share is short of, as if reserved one after another."""
        wanted = [[key for key in keys if key.split(":", 1)[0] in self.limits]
                  for keys, _ in requests]  # fmt: skip
        costs: dict[str, float] = {}
        for limited, (_, cost) in zip(wanted, requests, strict=True):
            for key in limited:
                costs[key] = costs.get(key, 0.0) + float(cost)
        if not costs:
            return [0.0] * len(requests)
        keys = list(costs)
        limits = [self.limits[key.split(":", 1)[0]] for key in keys]
        with self._autocommit.connect() as connection:
            rows = connection.execute(_RESERVE, {
                "keys": keys, "rates": [float(r) for r, _ in limits],
                "bursts": [float(b) for _, b in limits],
                "costs": [costs[key] for key in keys],
            }).all()  # fmt: skip
        rate_of = {key: rate for key, (rate, _) in zip(keys, limits, strict=True)}
        left = {key: (float(tokens), float(paused_for)) for key, tokens, paused_for in rows}
        # Walking back from the last request: what was left after each one's own take is
        # the final balance plus what the requests after it took.
        later = dict.fromkeys(keys, 0.0)
        waits = [0.0] * len(requests)
        for index in range(len(requests) - 1, -1, -1):
            cost = float(requests[index][1])
            wait = 0.0
            for key in wanted[index]:
                tokens, paused_for = left[key]
                wait = max(wait, -(tokens + later[key]) / rate_of[key], paused_for)
                later[key] += cost
            waits[index] = wait
        return waits

    async def acquire(self, keys: list[str], cost: float = 1.0) -> None:
        wait = await asyncio.to_thread(self.reserve, keys, cost)
        if wait > 0:
            await self.sleep(wait)

    def pause(self, key: str, seconds: float) -> None:
        """The provider told us to back off (429 retry_after): every instance does."""
        if key.split(":", 1)[0] not in self.limits:
            return
        with self._autocommit.connect() as connection:
            connection.execute(_PAUSE, {"key": key, "seconds": float(seconds)})

    def forget_idle(self, older_than: float = 3600.0) -> None:
        """Per-chat buckets would otherwise grow with every person ever written to."""
        with self._autocommit.connect() as connection:
            connection.execute(_FORGET, {"older_than": float(older_than)})

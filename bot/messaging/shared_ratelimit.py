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

# Take `cost` tokens from each key's bucket (refilled since the last take, up to the burst),
# in one statement, keys in order (two callers never lock them the other way round); the
# wait is what the tokens are short of, or the pause a 429 asked for, whichever is longer.
_RESERVE = text("""
INSERT INTO rate_budget AS b (key, tokens, updated_at, paused_until)
SELECT key, burst - :cost, clock_timestamp(), NULL
FROM unnest(CAST(:keys AS text[]), CAST(:rates AS float8[]), CAST(:bursts AS float8[]))
     AS wanted(key, rate, burst)
ORDER BY key
ON CONFLICT (key) DO UPDATE SET
    tokens = LEAST((SELECT w.burst FROM unnest(CAST(:keys AS text[]), CAST(:bursts AS float8[]))
                    AS w(key, burst) WHERE w.key = b.key),
                   b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)
                   * (SELECT w.rate FROM unnest(CAST(:keys AS text[]), CAST(:rates AS float8[]))
                      AS w(key, rate) WHERE w.key = b.key)) - :cost,
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
        limited = [key for key in keys if key.split(":", 1)[0] in self.limits]
        if not limited:
            return 0.0
        rates = [self.limits[key.split(":", 1)[0]] for key in limited]
        with self._autocommit.connect() as connection:
            rows = connection.execute(_RESERVE, {
                "keys": limited, "rates": [float(r) for r, _ in rates],
                "bursts": [float(b) for _, b in rates],
                "cost": float(cost),
            }).all()  # fmt: skip
        rate_of = dict(zip(limited, (r for r, _ in rates), strict=True))
        waits = [0.0]
        for key, tokens, paused_for in rows:
            waits.append(max(-tokens / rate_of[key], float(paused_for)))
        return max(waits)

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

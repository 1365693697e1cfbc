"""The inbox: store first (deduplicated), acknowledge, then process from the stored row."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from bot.channels.base import InboundEvent
from bot.db import DATABASE_DOWN, transaction, writers_waiting
from bot.messaging.batching import Failed
from bot.models import Inbound
from bot.runtime.effects import EffectRegistry
from bot.runtime.handle import handle_inbound
from bot.timeutil import Clock
from bot.upsert import insert_or_skip
from flows.content import Content

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Rows processed in one transaction (one commit, one turn at SQLite's writer), each in its
# own savepoint; the turn ends after BATCH_SECONDS so that a webhook's insert waits at most
# about that long behind processing.
BATCH_ROWS = 20
BATCH_SECONDS = 0.05
# When a webhook's insert is waiting for the writer, the turn ends sooner: after this long.
# Processing keeps about a third of the writer under a flood of updates, and all of it
# otherwise (bench/README.md, ingest).
BATCH_SECONDS_CONTENDED = 0.01
# Beyond what any channel carries (Telegram 4,096 characters, Twilio 1,600): a message is
# kept, and read for distress, whole. Only a forged request could be longer.
MAX_TEXT = 20_000


def store(engine: Engine, event: InboundEvent, now: datetime) -> bool:
    """Stores the event once; False when (channel, provider id) was already stored."""
    return store_many(engine, [(event, now)])[0]


def store_many(engine: Engine, events: Sequence[tuple[InboundEvent, datetime]]) -> list[bool]:
    """Each event stored once, all in one transaction; for each, whether it was new."""
    # A connection, not a session: the webhook's whole cost is these statements.
    with engine.begin() as connection:
        return [
            insert_or_skip(connection, _TABLE, _KEYS, [_values(event, now)]) == 1
            for event, now in events
        ]


def store_together(
    engine: Engine, events: Sequence[tuple[InboundEvent, datetime]]
) -> list[bool | Failed]:
    """The webhooks' group commit (bot/messaging/batching.py): the updates that arrived
    while the last transaction ran, stored in one. Should one of them fail on its own (not
    the database: that error reaches them all), each goes again alone, so that only the
    failing one is refused."""
    try:
        return store_many(engine, events)
    except DATABASE_DOWN:
        raise
    except Exception:
        if len(events) == 1:
            raise
    results: list[bool | Failed] = []
    for event in events:
        try:
            results.extend(store_many(engine, [event]))
        except Exception as error:  # noqa: BLE001 - that caller's request fails, not theirs
            results.append(Failed(error))
    return results


_TABLE = Inbound.__table__
_KEYS = ("channel", "provider_id")


def _values(event: InboundEvent, now: datetime) -> dict:
    return {
        "channel": event.channel,
        "provider_id": event.provider_id[:64],
        "address": event.address[:64],
        "kind": event.kind,
        "text": event.text[:MAX_TEXT] if event.text is not None else None,
        "choice": event.choice[:64] if event.choice else None,
        "provider_keyword": event.provider_keyword,
        "handle": event.handle,
        "received_at": now,
        "attempts": 0,
    }


@functools.cache
def _next_statement(count: int):
    """The oldest unprocessed rows whose address has no earlier unprocessed one, up to
    `count`: built once per count (building it cost more than running it). A batch holds at
    most one row of an address, so each conversation's messages still go one after another."""
    earlier = aliased(Inbound)
    blocked = exists().where(
        and_(
            earlier.channel == Inbound.channel,
            earlier.address == Inbound.address,
            earlier.processed_at.is_(None),
            earlier.id < Inbound.id,
        )
    )
    return (
        select(Inbound)
        .where(Inbound.processed_at.is_(None), ~blocked)
        .order_by(Inbound.id)
        .limit(count)
        .with_for_update(skip_locked=True)
    )


class Inbox:
    """Processes stored rows in order per address; safe to run in several processes."""

    def __init__(self, engine: Engine, content: Content, clock: Clock, effects: EffectRegistry):
        self.engine = engine
        self.effects = effects
        self.content = content
        self.clock = clock
        # Within one process, one processor at a time (SQLite allows one writer anyway).
        self._lock = threading.Lock()

    def process_pending(
        self, limit: int = 500, after_batch: Callable[[], object] | None = None
    ) -> int:
        """Up to `limit` rows, a batch per transaction; `after_batch` runs after each batch
        that processed something (committed), so that its replies can go at once."""
        processed = 0
        failed: set[int] = set()
        with self._lock:
            while processed + len(failed) < limit:
                done, tried = self._process_batch(failed, limit - processed - len(failed))
                processed += done
                if done and after_batch is not None:
                    after_batch()
                if not tried:
                    break
        return processed

    def _process_batch(self, failed: set[int], most: int) -> tuple[int, int]:
        """Rows in order, in one transaction; returns (processed, tried)."""
        done = tried = 0
        # The turn counts the wait for the writer too: under a flood the webhooks' inserts
        # get their share of it (bench/README.md, ingest). Each turn processes one row at
        # least, however long it waited.
        began = time.monotonic()
        with transaction(self.engine) as session:
            # Claimed together, in one query: a claim a row was ~4% of a new person's step.
            # Rows an earlier row of the batch changed (an erasure scrubs by address) are
            # the session's own objects, changed with it.
            for row in self._claim(session, failed, min(most, BATCH_ROWS)):
                if tried and self._turn_over(began):
                    break  # the rest stay unprocessed, for the next batch
                tried += 1
                done += self._process(session, row, failed)
        return done, tried

    def _turn_over(self, began: float) -> bool:
        spent = time.monotonic() - began
        return spent >= BATCH_SECONDS or (
            spent >= BATCH_SECONDS_CONTENDED and writers_waiting(self.engine)
        )

    def _process(self, session, row: Inbound, failed: set[int]) -> bool:
        now = self.clock()
        try:
            with session.begin_nested():
                handle_inbound(session, row, self.content, now, self.effects)
                row.processed_at = now
                session.flush()
            return True
        except Exception as error:  # noqa: BLE001 - a bad row must not stop the others
            log.exception("inbound %s failed", row.id)
            failed.add(row.id)
            row.attempts += 1
            row.error = repr(error)[:500]
            if row.attempts >= MAX_ATTEMPTS:
                # Kept with its error for staff to see; later messages may go on.
                row.processed_at = now
            session.flush()
            return False

    def _claim(self, session, failed: set[int], count: int) -> list[Inbound]:
        statement = _next_statement(count)
        if failed:
            statement = statement.where(Inbound.id.not_in(failed))
        return list(session.scalars(statement))

    def pending_count(self) -> int:
        with transaction(self.engine) as session:
            return session.scalar(
                select(func.count()).select_from(Inbound).where(Inbound.processed_at.is_(None))
            )

"""The results snapshot: the aggregates (bot/results/aggregates.py) computed ahead of time
into one row. The results pages read it, never every answer; housekeeping and the
"Refresh now" button recompute it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import read_only, transaction
from bot.models import ResultsSnapshot
from bot.results.aggregates import SCHEMA, compute
from flows.content import Content

SNAPSHOT_KEY = "all"


@dataclass(frozen=True)
class Snapshot:
    computed_at: datetime
    data: dict[str, Any]


def save_snapshot(session: Session, data: dict[str, Any], now: datetime) -> None:
    """Stores the snapshot, unless a newer one is there already (two refreshes at once)."""
    row = session.execute(
        select(ResultsSnapshot).where(ResultsSnapshot.key == SNAPSHOT_KEY).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        session.add(ResultsSnapshot(key=SNAPSHOT_KEY, computed_at=now, data=data))
    elif row.computed_at <= now:
        row.computed_at, row.data = now, data
    session.flush()


def load_snapshot(session: Session) -> Snapshot | None:
    row = session.execute(
        select(ResultsSnapshot.computed_at, ResultsSnapshot.data).where(
            ResultsSnapshot.key == SNAPSHOT_KEY
        )
    ).first()
    if row is None or row.data.get("schema") != SCHEMA:
        return None
    return Snapshot(row.computed_at, row.data)


def refresh_if_stale(engine: Engine, content: Content, clock, max_age: timedelta) -> bool:
    """Housekeeping's refresh: skipped when another process computed one moments ago (several
    app processes share one PostgreSQL). Returns whether it computed."""
    with transaction(engine) as session:
        found = load_snapshot(session)
    if found is not None and clock() - found.computed_at < max_age:
        return False
    refresh(engine, content, clock)
    return True


def refresh(engine: Engine, content: Content, clock) -> Snapshot:
    """Recompute and store the snapshot.

    The reading is one transaction that sees a single state of the database and blocks no
    writer: with 100,000 people it takes tens of seconds, and on SQLite an ordinary
    transaction here takes the write lock (BEGIN IMMEDIATE) and would stall the bot for as
    long. Storing the result is a second, short transaction."""
    with read_only(engine) as session:
        now = clock()
        data = compute(session, content, now)
    with transaction(engine) as session:
        save_snapshot(session, data, now)
    return Snapshot(now, data)

"""Claiming due rows: every domain's due-row table (follow-up prompts today; meeting,
savings and pulse reminders next) is read the same way. FOR UPDATE SKIP LOCKED on
PostgreSQL, so several processes share the work without taking the same row; on SQLite the
write transaction is the lock."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select


def claim_due(
    session: Session,
    table: Any,
    *conditions,
    batch: int,
    order: tuple = (),
    columns: tuple = (),
) -> list:
    """Rows of `table` meeting `conditions`, oldest due first, locked for this transaction:
    ORM objects, or plain records of `columns` for a batch written in bulk."""
    statement = (
        (select(*columns) if columns else select(table))
        .where(*conditions)
        .order_by(*(order or (table.due_at, table.id)))
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    if columns:
        return list(session.connection().execute(statement).all())
    return list(session.exec(statement).all())

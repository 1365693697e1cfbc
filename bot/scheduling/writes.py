"""What a batch of due rows changes, written in a few executemany statements.

Firing thousands of due rows one ORM object at a time spends most of its time building and
flushing objects; a batch instead collects plain values per table (grouped by which columns
change) and writes each group in one statement, in the same transaction as the claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session

from bot.bulk import plain, update_many
from bot.messaging.outbox import enqueue_many


class BatchWrites:
    def __init__(self) -> None:
        # Grouped by (table name, key column, changed columns in the order given).
        self._updates: dict[tuple[str, str, tuple[str, ...]], list[tuple]] = {}
        self._tables: dict[str, Table] = {}
        self.outbound: list[dict[str, Any]] = []  # bot.messaging.outbox.outbound_values

    def update(self, table: Table, key_column: str, key: Any, values: Mapping[str, Any]) -> None:
        """Set `values` on the row of `table` whose `key_column` is `key`."""
        group = (table.name, key_column, tuple(values))
        rows = self._updates.get(group)
        if rows is None:
            rows = self._updates[group] = []
            self._tables[table.name] = table
        rows.append((*map(plain, values.values()), key))

    def write(self, session: Session) -> None:
        # What went through the ORM in this batch (the rare steps) is written first.
        session.flush()
        connection = session.connection()
        enqueue_many(session, self.outbound)
        for (name, key_column, columns), rows in self._updates.items():
            update_many(connection, self._tables[name], key_column, columns, rows)
        self._updates.clear()
        self.outbound = []

"""Insert-or-skip and insert-or-update in one statement, on SQLite and PostgreSQL alike (both
speak ON CONFLICT): a retried, repeated or concurrent write never adds a row twice, and two
people answering at the same instant are both kept. Statements are built once per dialect,
table and shape, and run for many rows at once (executemany)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_or_skip(
    connection: Connection, table: Table, keys: Sequence[str], rows: Sequence[dict]
) -> int:
    """Adds the rows whose `keys` (a unique index) are new; returns how many were added
    (for one row; drivers do not all count an executemany)."""
    if not rows:
        return 0
    if len(rows) == 1:
        # Counted by what it returns: psycopg gives no rowcount for an insert that returns.
        statement = _statement(connection.dialect.name, table, tuple(keys), None, True)
        return len(connection.execute(statement, rows[0]).all())
    statement = _statement(connection.dialect.name, table, tuple(keys), None)
    return connection.execute(statement, list(rows)).rowcount


def insert_or_update(
    connection: Connection,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[dict],
    update: Sequence[str],
) -> None:
    """Adds the rows, or where one with the same `keys` exists sets its `update` columns
    to the new values. Every row carries the same columns."""
    if rows:
        statement = _statement(connection.dialect.name, table, tuple(keys), tuple(update))
        connection.execute(statement, list(rows))


@lru_cache(maxsize=64)
def _statement(
    dialect: str,
    table: Table,
    keys: tuple[str, ...],
    update: tuple[str, ...] | None,
    returning: bool = False,
):
    statement = _INSERT[dialect](table)
    if update is None:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
        return statement.returning(*table.primary_key.columns) if returning else statement
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in update}
    )

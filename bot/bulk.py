"""Many rows straight to the database driver, on SQLite and PostgreSQL alike.

Enrolling a cohort writes hundreds of thousands of prompt rows, and a tick fires thousands
of prompts; SQLAlchemy's per-value processing would cost more than the writes themselves.
Values are converted here exactly as the columns' own types store them: UTCDateTime as
naive UTC (SQLAlchemy's SQLite text format on SQLite), JSON as JSON text, enums as their
value (`plain`, applied by the caller). Only for plain column values of tables we own; every other write goes through the
ORM or SQLAlchemy Core as usual.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.engine import Connection

from bot.timeutil import UTCDateTime

SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class Converter:
    """Turns Python values into what the driver stores for each column of a table."""

    def __init__(self, connection: Connection, table: Table):
        self.sqlite = connection.dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self.table = table
        self._moments: dict[datetime, Any] = {}  # many rows share due times

    def for_column(self, column: str) -> Callable[[Any], Any] | None:
        """The conversion a column needs; None when the driver takes the value as it is."""
        kind = self.table.c[column].type
        if isinstance(kind, UTCDateTime):
            return self._utc
        if isinstance(kind, JSON):
            return _json
        return None

    def _utc(self, value: datetime | None) -> Any:
        if value is None:
            return None
        stored = self._moments.get(value)
        if stored is None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            naive = value.astimezone(UTC).replace(tzinfo=None)
            stored = naive.strftime(SQLITE_FORMAT) if self.sqlite else naive
            self._moments[value] = stored
        return stored

    def rows(self, columns: Sequence[str], rows: Iterable[Sequence]) -> list[tuple]:
        converting = [(i, f) for i, c in enumerate(columns) if (f := self.for_column(c))]
        converted = []
        for row in rows:
            if len(row) != len(columns):
                raise ValueError(f"{len(row)} values for {len(columns)} columns")
            values = list(row)
            for index, convert in converting:
                values[index] = convert(values[index])
            converted.append(tuple(values))
        return converted


def plain(value: Any) -> Any:
    """Enums as their stored value (the callers' other values are plain already)."""
    return value.value if isinstance(value, Enum) else value


def _json(value: Any) -> Any:
    return None if value is None else json.dumps(value)


def insert_many(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence]
) -> None:
    """Rows as tuples in `columns` order."""
    rows = list(rows)
    if not rows:
        return
    convert = Converter(connection, table)
    marks = ", ".join(convert.mark for _ in columns)
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    connection.exec_driver_sql(statement, convert.rows(columns, rows))


def update_many(
    connection: Connection,
    table: Table,
    key: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
) -> None:
    """Rows as tuples: the values of `columns`, then the key of the row to change."""
    rows = list(rows)
    if not rows:
        return
    convert = Converter(connection, table)
    sets = ", ".join(f"{c} = {convert.mark}" for c in columns)
    statement = f"UPDATE {table.name} SET {sets} WHERE {key} = {convert.mark}"
    connection.exec_driver_sql(statement, convert.rows((*columns, key), rows))

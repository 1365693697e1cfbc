"""Many rows straight to the database driver, on SQLite and PostgreSQL alike.

Enrolling a cohort writes hundreds of thousands of prompt rows, and a tick fires thousands
of prompts; SQLAlchemy's per-value processing would cost more than the work itself.
Values are converted here exactly as the columns' own types store them: UTCDateTime as
naive UTC (SQLAlchemy's SQLite text format on SQLite), JSON as JSON text, enums as their
value (`plain`, applied by the caller); reads turn them back (`select_many`). Only for
plain column values of tables we own; everything else goes through the ORM or SQLAlchemy
Core as usual.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Table
from sqlalchemy.engine import Connection

from bot.timeutil import UTCDateTime

SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
# Under every driver's limit on parameters in one statement.
KEYS_PER_STATEMENT = 900


class Converter:
    """Turns Python values into what the driver stores for each column of a table."""

    def __init__(self, connection: Connection, table: Table):
        self.sqlite = connection.dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self.table = table
        self._moments: dict[datetime, Any] = {}  # many rows share due times
        # Rows of one batch often share one value object (a survey's choices): encoded
        # once. Keyed by identity, the value kept so that its id stays its own.
        self._encoded: dict[int, tuple[Any, str]] = {}

    def for_column(self, column: str) -> Callable[[Any], Any] | None:
        """The conversion a column needs; None when the driver takes the value as it is."""
        kind = self.table.c[column].type
        if isinstance(kind, UTCDateTime):
            return self._utc
        if isinstance(kind, JSON):
            return self._json
        return None

    def _json(self, value: Any) -> str | None:
        if value is None:
            return None
        found = self._encoded.get(id(value))
        if found is None or found[0] is not value:
            found = self._encoded[id(value)] = (value, json.dumps(value))
        return found[1]

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


@lru_cache(maxsize=64)
def record_type(fields: tuple[str, ...]):
    """A named tuple per column list: a field of one is many times cheaper to read than a
    Row's, and thousands of them cost little to build."""
    return namedtuple("Record", fields)  # noqa: PYI024 - fields known only at run time


class Reader:
    """Turns what the driver returns for each column back into what the column's type gives
    through SQLAlchemy (aware UTC datetimes, dates, booleans, parsed JSON)."""

    def __init__(self, connection: Connection):
        self.dialect = connection.dialect
        self.sqlite = self.dialect.name == "sqlite"
        self._moments: dict[Any, datetime] = {}  # many rows share a moment
        self._dates: dict[str, date] = {}

    def for_column(self, column: Column) -> Callable[[Any], Any] | None:
        kind = column.type
        if isinstance(kind, UTCDateTime):
            return self._utc
        if not self.sqlite:  # psycopg returns Python values; the type adds what it adds
            return kind._cached_result_processor(self.dialect, None)  # noqa: SLF001
        if isinstance(kind, JSON):
            return self._json
        if isinstance(kind, Boolean):
            return _bool
        if isinstance(kind, Date):
            return self._date
        return kind._cached_result_processor(self.dialect, None)  # noqa: SLF001

    def _utc(self, value: Any) -> datetime | None:
        if value is None:
            return None
        moment = self._moments.get(value)
        if moment is None:
            naive = datetime.fromisoformat(value) if isinstance(value, str) else value
            moment = self._moments[value] = naive.replace(tzinfo=UTC)
        return moment

    def _date(self, value: str | None) -> date | None:
        if value is None:
            return None
        found = self._dates.get(value)
        if found is None:
            found = self._dates[value] = date.fromisoformat(value)
        return found

    def _json(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def select_many(
    connection: Connection,
    columns: Sequence[Column],
    key: Column,
    keys: Iterable[Any],
    *,
    order: Sequence[Column] = (),
    lock: bool = False,
) -> list:
    """The rows of one table whose `key` is among `keys`, as named tuples of `columns`
    (their values as the columns' types give them); ordered by `order` within each chunk
    of keys; locked FOR UPDATE on PostgreSQL when `lock` (SQLite's write transaction is
    the lock)."""
    table = key.table
    if any(column.table is not table for column in (*columns, *order)):
        raise ValueError("select_many reads one table")
    keys = list(keys)
    if not keys:
        return []
    reader = Reader(connection)
    converting = [(i, f) for i, column in enumerate(columns) if (f := reader.for_column(column))]
    mark = "?" if reader.sqlite else "%s"
    make = record_type(tuple(column.name for column in columns))._make
    head = f"SELECT {', '.join(column.name for column in columns)} FROM {table.name} WHERE {key.name} IN "
    tail = (f" ORDER BY {', '.join(column.name for column in order)}" if order else "") + (
        " FOR UPDATE" if lock and not reader.sqlite else ""
    )
    found = []
    # The driver's own cursor, in this connection's transaction: SQLAlchemy's result rows
    # would cost more than the reading.
    cursor = connection.connection.cursor()
    try:
        for start in range(0, len(keys), KEYS_PER_STATEMENT):
            chunk = keys[start : start + KEYS_PER_STATEMENT]
            cursor.execute(f"{head}({', '.join(mark for _ in chunk)}){tail}", tuple(chunk))
            _convert(cursor.fetchall(), converting, make, found)
    finally:
        cursor.close()
    return found


def _convert(rows: list, converting: list, make: Callable, found: list) -> None:
    if not converting:
        found.extend(make(row) for row in rows)
        return
    for row in rows:
        values = list(row)
        for index, convert in converting:
            values[index] = convert(values[index])
        found.append(make(values))

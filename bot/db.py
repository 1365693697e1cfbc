"""Database engine, sessions and migrations: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine as create_plain_engine
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
# Ids are integers the databases store in 32 bits; anything longer is not one of ours.
MAX_ID = 2**31 - 1


def parse_id(raw: object) -> int | None:
    """An id from a form or query: ASCII digits only ("²" and "٣" are digits to Python, not
    to a database), within range; None for anything else."""
    text = str(raw or "").strip()
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


# The database cannot be reached, or stays locked past the busy timeout: nothing was written,
# and trying again later is the answer (a webhook's 503, a worker's next round).
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


# How long a write transaction waits for its turn: SQLite's own busy timeout, kept.
WRITE_WAIT = 30.0


class WriteGate:
    """SQLite has one writer at a time. This process's write transactions wait for it here,
    first come first served, woken the moment the one before commits. Left to SQLite's busy
    handler, waiters sleep in growing steps (up to 100 ms) and whoever just committed takes
    the lock again first: a webhook's one-row insert starved behind a run of processing."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._queue: deque[object] = deque()
        self._owner: object | None = None

    def acquire(self, holder: object, timeout: float = WRITE_WAIT) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            self._queue.append(holder)
            try:
                while self._owner is not None or self._queue[0] is not holder:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise sqlite3.OperationalError("database is locked (waited for the writer)")
                    self._changed.wait(left)
            finally:
                self._queue.remove(holder)
                self._changed.notify_all()
            self._owner = holder

    def release(self, holder: object) -> None:
        with self._changed:
            if self._owner is holder:
                self._owner = None
                self._changed.notify_all()

    def waiting(self) -> bool:
        """Whether another write transaction is waiting for its turn (read without the
        lock: a hint, good enough to end a batch early)."""
        return bool(self._queue)


_GATES: dict[str, WriteGate] = {}
_ENGINE_GATES: weakref.WeakKeyDictionary[Engine, WriteGate | None] = weakref.WeakKeyDictionary()
_GATES_LOCK = threading.Lock()


def _gate(database: str) -> WriteGate:
    with _GATES_LOCK:
        return _GATES.setdefault(str(Path(database).resolve()), WriteGate())


class _GatedConnection(sqlite3.Connection):
    """Lets the next writer in as soon as this one's transaction has ended."""

    gate: WriteGate | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()

    def _let_go(self) -> None:
        if self.gate is not None:
            self.gate.release(self)


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        on_file = bool(database) and database != ":memory:"
        if on_file:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": WRITE_WAIT}
        if on_file:
            connect_args["factory"] = _GatedConnection
        engine = create_engine(url, connect_args=connect_args, pool_size=10)
        gate = _gate(database) if on_file else None
        _ENGINE_GATES[engine] = gate
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take the write lock up front
        # so that read-then-write transactions cannot deadlock each other, after waiting
        # for this process's turn at the gate.
        event.listen(engine, "begin", lambda conn: _begin(conn, gate))
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def writers_waiting(engine: Engine) -> bool:
    """On SQLite, whether a write transaction of this process waits behind the current
    one (a long one may then end early); on PostgreSQL writers do not queue like that."""
    gate = _ENGINE_GATES.get(engine)
    return gate is not None and gate.waiting()


def _begin(connection, gate: WriteGate | None) -> None:
    if gate is None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    raw = connection.connection.dbapi_connection
    raw.gate = gate
    gate.acquire(raw)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        gate.release(raw)
        raise


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Reads straight from the mapped file: full scans (a name search) cost about half.
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Apply every migration; creates the SQLite file when absent."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


@contextmanager
def read_only(engine: Engine) -> Iterator[Session]:
    """A read-only transaction with one consistent view, holding no write lock."""
    if not is_sqlite(engine):
        with Session(engine) as session:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            try:
                yield session
            finally:
                session.rollback()
        return
    if engine.url.database in (None, "", ":memory:"):  # one connection: nothing to gain
        with transaction(engine) as session:
            yield session
        return
    # A connection of its own that begins deferred: in WAL mode a reader sees the state at
    # its first read until it ends, while the bot goes on writing.
    reader = create_plain_engine(
        engine.url, poolclass=NullPool, connect_args={"check_same_thread": False, "timeout": 30}
    )
    event.listen(reader, "connect", _read_only)
    event.listen(reader, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    try:
        with Session(reader) as session:
            try:
                yield session
            finally:
                session.rollback()
    finally:
        reader.dispose()


def _read_only(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


@contextmanager
def singleton(engine: Engine, name: str) -> Iterator[bool]:
    """Whether this process may run `name` now: on PostgreSQL, one instance at a time holds
    its advisory lock (the others skip the round; the next round tries again); SQLite is
    one process. The lock ends with its session, so a killed holder never keeps it."""
    if is_sqlite(engine):
        yield True
        return
    key = zlib.crc32(f"homecoming:{name}".encode())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        held = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
        try:
            yield bool(held)
        finally:
            if held:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                except DBAPIError:
                    # Its session is gone, and the lock with it; never pool what may hold it.
                    connection.invalidate()

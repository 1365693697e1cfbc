"""SQLite's one writer, taken in turns: the gate, and processing that lets a webhook in."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from bot.db import WriteGate, make_engine, upgrade, writers_waiting


def _until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.001)
    return condition()


def test_the_gate_serves_writers_in_turn_and_says_when_one_waits():
    gate, first, second = WriteGate(), object(), object()
    gate.acquire(first)
    assert not gate.waiting()
    got = threading.Event()
    waiter = threading.Thread(target=lambda: (gate.acquire(second), got.set()))
    waiter.start()
    assert _until(gate.waiting)
    assert not got.is_set()
    gate.release(first)
    waiter.join(5)
    assert got.is_set() and not gate.waiting()
    gate.release(second)


def test_a_transaction_knows_when_another_write_waits_behind_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'gate.db'}"
    upgrade(url)
    engine = make_engine(url)
    done = threading.Event()
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT 1"))
            assert not writers_waiting(engine)

            def webhook() -> None:
                with engine.begin() as other:
                    other.execute(text("SELECT 1"))
                done.set()

            thread = threading.Thread(target=webhook)
            thread.start()
            assert _until(lambda: writers_waiting(engine))
            assert not done.is_set()  # it waits for this transaction's commit
        thread.join(5)
        assert done.is_set() and not writers_waiting(engine)
    finally:
        engine.dispose()


def test_postgresql_writers_never_queue_at_a_gate():
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert not writers_waiting(engine)

"""Housekeeping runs on one instance at a time: on PostgreSQL an advisory lock, held for
the round and let go when its session ends (a killed holder never keeps it); SQLite is
one process."""

from __future__ import annotations

import threading

from bot.db import make_engine, singleton
from bot.workers import Workers


def test_one_holder_at_a_time_and_free_again_after_it(postgres_databases):
    url = postgres_databases.fresh()
    one, two = make_engine(url), make_engine(url)
    try:
        with singleton(one, "housekeeping") as first:
            with singleton(two, "housekeeping") as second:
                assert first and not second
            with singleton(two, "something else") as other:
                assert other  # another name, another lock
        with singleton(two, "housekeeping") as later:
            assert later
    finally:
        one.dispose()
        two.dispose()


def test_a_holder_whose_connection_dies_lets_go(postgres_databases):
    url = postgres_databases.fresh()
    one, two = make_engine(url), make_engine(url)
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with singleton(one, "housekeeping"):
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert entered.wait(10)
        with singleton(two, "housekeeping") as mine:
            assert not mine
        with two.connect() as connection:  # kill -9 of the holder, as the server sees it
            # With a timeout, it returns once the backend is gone, not when it was signalled
            # (under load the next try came before the server had let the lock go).
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
            )
        with singleton(two, "housekeeping") as mine:
            assert mine
    finally:
        release.set()
        holder.join(10)
        one.dispose()
        two.dispose()


async def test_a_second_instance_skips_the_round_the_first_is_running(stack):
    if stack.services.engine.dialect.name == "sqlite":
        assert Workers(stack.services).housekeeping_round()  # one process: always its own
        return
    with singleton(make_engine(stack.settings.database_url), "housekeeping") as held:
        assert held
        assert not Workers(stack.services).housekeeping_round()
    assert Workers(stack.services).housekeeping_round()

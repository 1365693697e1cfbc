"""Group commit: what arrives while one transaction runs shares the next one; each caller
still gets its own answer, and only its own failure."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.channels.base import InboundEvent
from bot.db import make_engine, transaction, upgrade
from bot.messaging import inbox
from bot.messaging.batching import Failed, GroupCall
from bot.messaging.inbox import store_together
from bot.models import Inbound
from tests.fakes.updates import tg_text

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _event(provider_id: str, address: str = "5550100") -> InboundEvent:
    return InboundEvent("telegram", provider_id, address, "text", text="hi")


def _first_call_held(result):
    """Work whose first call waits for `release`: what is submitted meanwhile piles up."""
    running, release = threading.Event(), threading.Event()
    batches: list[list[int]] = []

    def work(items: list[int]) -> list[int]:
        batches.append(items)
        if len(batches) == 1:
            running.set()
            release.wait(5)
        return result(items)

    return work, running, release, batches


async def test_what_arrives_while_a_call_runs_goes_together_in_the_next():
    work, running, release, batches = _first_call_held(lambda items: [i * 10 for i in items])
    call = GroupCall(work)
    first = asyncio.create_task(call(1))
    await asyncio.to_thread(running.wait, 5)
    rest = [asyncio.create_task(call(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    release.set()
    assert await first == 10
    assert await asyncio.gather(*rest) == [20, 30, 40]
    # The first of a quiet moment went alone, at once; the others shared one call.
    assert batches == [[1], [2, 3, 4]]


async def test_a_batch_is_never_larger_than_its_cap():
    work, running, release, batches = _first_call_held(lambda items: items)
    call = GroupCall(work, most=2)
    first = asyncio.create_task(call(0))
    await asyncio.to_thread(running.wait, 5)
    rest = [asyncio.create_task(call(n)) for n in range(1, 6)]
    await asyncio.sleep(0)
    release.set()
    assert [await first, *await asyncio.gather(*rest)] == [0, 1, 2, 3, 4, 5]
    assert batches == [[0], [1, 2], [3, 4], [5]]


async def test_an_item_that_failed_on_its_own_fails_only_its_caller():
    def work(items: list[str]) -> list[object]:
        return [Failed(ValueError(item)) if item == "bad" else item.upper() for item in items]

    call = GroupCall(work)
    results = await asyncio.gather(call("a"), call("bad"), call("c"), return_exceptions=True)
    assert results[0] == "A" and results[2] == "C"
    assert isinstance(results[1], ValueError)


async def test_an_error_of_the_whole_call_reaches_every_caller_of_it():
    def work(items: list[str]) -> list[str]:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    call = GroupCall(work)
    results = await asyncio.gather(call("a"), call("b"), return_exceptions=True)
    assert all(isinstance(result, OperationalError) for result in results)


def test_updates_stored_together_are_each_stored_once(database_url):
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        events = [(_event("1"), NOW), (_event("2", "5550101"), NOW), (_event("1"), NOW)]
        # The third repeats the first (a provider's retry arriving beside it).
        assert store_together(engine, events) == [True, True, False]
        with transaction(engine) as session:
            assert len(session.exec(select(Inbound)).all()) == 2
    finally:
        engine.dispose()


def test_one_update_failing_on_its_own_does_not_refuse_the_others(database_url, monkeypatch):
    upgrade(database_url)
    engine = make_engine(database_url)
    real = inbox._values

    def values(event: InboundEvent, now: datetime) -> dict:
        if event.provider_id == "bad":
            raise ValueError("cannot be stored")
        return real(event, now)

    monkeypatch.setattr(inbox, "_values", values)
    try:
        results = store_together(
            engine, [(_event("1"), NOW), (_event("bad", "5550102"), NOW), (_event("3"), NOW)]
        )
        assert results[0] is True and results[2] is True
        assert isinstance(results[1], Failed) and isinstance(results[1].error, ValueError)
        with transaction(engine) as session:
            assert sorted(i.provider_id for i in session.exec(select(Inbound))) == ["1", "3"]
    finally:
        engine.dispose()


async def test_updates_arriving_together_share_transactions_and_are_all_acknowledged(
    sqlite_stack,
):
    count = 12
    commits = []
    event.listen(sqlite_stack.services.engine, "commit", lambda connection: commits.append(1))
    updates = [tg_text(700 + n, "hi", update_id=880_000 + n) for n in range(count)]
    responses = await asyncio.gather(*(sqlite_stack.post_update(u) for u in updates))
    assert [r.status_code for r in responses] == [200] * count
    # Each acknowledged after its row was committed ...
    assert sorted(int(i.address) for i in sqlite_stack.inbound()) == [700 + n for n in range(count)]
    # ... in fewer transactions than updates.
    assert 1 <= len(commits) < count

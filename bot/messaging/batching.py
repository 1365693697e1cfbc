"""Group commit: what many concurrent callers ask of the database while one transaction runs
is asked together in the next one.

The sender: each send still has its own mark right before its provider call and its own
record right after; only the round trip and the transaction are shared with the sends beside
it. A crash leaves uncertain exactly what it would have left with one transaction each.

The webhooks: each update is still stored before its own acknowledgement; the updates that
arrived while one transaction ran share the next one (bot/messaging/inbox.py `store_together`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Failed:
    """What `work` gives for an item that failed on its own: that caller alone gets `error`."""

    error: BaseException


class GroupCall(Generic[Item, Result]):
    """`await call(item)` runs `work([item, …])` in a thread with every item submitted while
    the previous call was running, and returns this item's result (or raises its `Failed`
    error). The first item of a quiet moment goes alone, at once: nothing waits for a batch
    to fill. An error `work` raises reaches every caller of that batch. `most` caps a
    batch: the rest wait for the next call, so that one transaction stays short."""

    def __init__(self, work: Callable[[list[Item]], Sequence[Result]], most: int | None = None):
        self.work = work
        self.most = most
        self._pending: list[tuple[Item, asyncio.Future]] = []
        self._running: asyncio.Task | None = None

    async def __call__(self, item: Item) -> Result:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._running is None:
            self._running = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                # A caller cancelled while waiting asks for nothing any more.
                waiting = [(item, future) for item, future in self._pending if not future.done()]
                most = self.most or len(waiting)
                batch, self._pending = waiting[:most], waiting[most:]
                if not batch:
                    continue
                try:
                    results = await asyncio.to_thread(self.work, [item for item, _ in batch])
                except BaseException as error:  # noqa: BLE001 - each caller gets the error
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    if isinstance(error, asyncio.CancelledError):
                        raise
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, Failed):
                        future.set_exception(result.error)
                    else:
                        future.set_result(result)
        finally:
            self._running = None

"""Background work inside the app: the inbox processor, the outbox sender, the ticks.

Woken at once when there is work (a stored inbound, a new outbound); APScheduler's tick is
the safety net that also picks up what a crash left behind. No job per person, ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.channels.telegram import parse_update
from bot.db import singleton
from bot.messaging.inbox import store
from bot.results.snapshot import refresh_if_stale
from bot.services import Services

log = logging.getLogger(__name__)
RESULTS_EVERY = timedelta(minutes=10)
# Inbound rows processed before the alert notices run and the loop looks again.
INBOX_ROUND = 500


class Workers:
    def __init__(self, services: Services):
        self.services = services
        self.inbox_wake = asyncio.Event()
        # One per channel: each sends at its own pace, and each must hear every wake.
        self.outbox_wakes = {name: asyncio.Event() for name in services.sender.channels}
        self.stopping = asyncio.Event()
        self.tasks: list[asyncio.Task] = []
        self.scheduler = AsyncIOScheduler(timezone="UTC")

    async def start(self) -> None:
        services = self.services
        await asyncio.to_thread(services.reload_programme_settings)
        # What this instance had claimed when it stopped goes now, not after its lease.
        recovered = await asyncio.to_thread(services.sender.recover)
        if recovered:
            log.info("outbox: %s rows this instance had claimed are free again", recovered)
        for channel in (services.telegram,):
            if channel is not None:
                await channel.open()
        self.tasks.append(asyncio.create_task(self._inbox_loop(), name="inbox"))
        for name in self.outbox_wakes:
            self.tasks.append(asyncio.create_task(self._outbox_loop(name), name=f"outbox-{name}"))
        telegram = services.telegram
        if telegram is not None:
            if services.settings.telegram_mode == "polling":
                self.tasks.append(
                    asyncio.create_task(telegram.poll(self.stopping, self._store_update))
                )
            else:
                self.tasks.append(asyncio.create_task(telegram.register_webhook(self.stopping)))
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=max(1.0, services.settings.worker_poll_seconds),
            id="tick",
            max_instances=1,
            coalesce=True,
        )
        # Follow-up prompts are rows; this tick claims what is due. Never a job per person.
        self.scheduler.add_job(
            self.followup,
            "interval",
            seconds=max(1.0, services.settings.followup_tick_seconds),
            id="followup",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_job(
            self.housekeeping,
            "interval",
            seconds=RESULTS_EVERY.total_seconds(),
            id="housekeeping",
            coalesce=True,
            # Soon after start: a results snapshot older than that is brought up to date.
            next_run_time=datetime.now(UTC) + timedelta(seconds=30),
        )
        self.scheduler.start()
        # Whatever arrived before a crash and was never processed goes now; so do prompts
        # that fell due while the service was down.
        self.wake_inbox()
        self.scheduler.modify_job("followup", next_run_time=datetime.now(UTC))

    async def stop(self) -> None:
        self.stopping.set()
        self.scheduler.shutdown(wait=False)
        self.inbox_wake.set()
        self.wake_outbox()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.services.telegram is not None:
            await self.services.telegram.close()

    def wake_inbox(self) -> None:
        self.inbox_wake.set()

    def wake_outbox(self) -> None:
        for wake in self.outbox_wakes.values():
            wake.set()

    async def tick(self) -> None:
        self.wake_inbox()
        self.wake_outbox()

    async def followup(self) -> None:
        try:
            if await asyncio.to_thread(self.services.scheduler.tick):
                self.wake_outbox()
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("follow-up tick failed")
        try:
            if await asyncio.to_thread(self.services.mentoring.tick):
                self.wake_outbox()
        except Exception:  # noqa: BLE001 - the rows wait; the next tick tries again
            log.exception("mentoring tick failed")
        try:
            if await asyncio.to_thread(self.services.groups.tick):
                self.wake_outbox()
        except Exception:  # noqa: BLE001 - the rows wait; the next tick tries again
            log.exception("group tick failed")
        try:
            if await asyncio.to_thread(self.services.savings.tick):
                self.wake_outbox()
        except Exception:  # noqa: BLE001 - the rows wait; the next tick tries again
            log.exception("savings tick failed")
        try:
            await asyncio.to_thread(self.services.send_webhooks)
        except Exception:  # noqa: BLE001 - the rows wait; the next tick tries again
            log.exception("webhook deliveries failed")
        await self.notices()

    async def notices(self) -> None:
        """Staff told of new high alerts at once, and the lead of alerts past their due time."""
        try:
            if await asyncio.to_thread(self.services.notices.tick):
                self.wake_outbox()
        except Exception:  # noqa: BLE001 - the alert rows still say what is owed; next round
            log.exception("alert notices failed")

    async def housekeeping(self) -> None:
        await asyncio.to_thread(self.housekeeping_round)

    def housekeeping_round(self) -> bool:
        """One instance at a time (an advisory lock on PostgreSQL): the others skip the
        round. Each step on its own: one failing never holds back the rest."""
        services = self.services
        with singleton(services.engine, "housekeeping") as mine:
            if not mine:
                return False
            for what, step in (
                ("forgetting idle rate buckets", services.limiter.forget_idle),
                # Settings an admin changed in another process reach this one too.
                ("programme settings reload", services.reload_programme_settings),
                # The results page shows "as of"; a failed refresh waits for the next round.
                ("results refresh", lambda: refresh_if_stale(
                    services.engine, services.content, services.clock, RESULTS_EVERY)),
                ("queueing refresher reminders", services.remind_refreshers),
                ("releasing anonymous answers", services.release_anonymous),
                # An import left half-way by a process that stopped is taken up again.
                ("resuming people imports", services.resume_imports),
                ("retention", self._retention),
            ):  # fmt: skip
                try:
                    step()
                except Exception:  # noqa: BLE001 - nothing is lost by waiting; next round
                    log.exception("%s failed", what)
        return True

    def _retention(self) -> None:
        erased = self.services.enforce_retention()
        if any(erased.values()):
            log.info("retention: words erased for %s", erased)

    async def _inbox_loop(self) -> None:
        loop = asyncio.get_running_loop()

        def replies_ready() -> None:  # in the processing thread, after each commit
            with contextlib.suppress(RuntimeError):  # the loop closed while it worked
                loop.call_soon_threadsafe(self.wake_outbox)

        while not self.stopping.is_set():
            await self._wait(self.inbox_wake)
            try:
                processed = await asyncio.to_thread(
                    self.services.inbox.process_pending, INBOX_ROUND, replies_ready
                )
                if processed:
                    # A cry just raised a high alert: its owner hears of it now.
                    await self.notices()
                if processed >= INBOX_ROUND:
                    self.inbox_wake.set()  # more may be waiting: no pause before the next round
            except Exception:  # noqa: BLE001 - keep the loop alive; the tick retries
                log.exception("inbox processing failed")

    async def _outbox_loop(self, channel: str) -> None:
        wake = self.outbox_wakes[channel]
        while not self.stopping.is_set():
            await self._wait(wake)
            try:
                while await self.services.sender.run_channel(channel):
                    pass
            except Exception:  # noqa: BLE001
                log.exception("outbox sending failed (%s)", channel)

    async def _wait(self, event: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=self.services.settings.worker_poll_seconds)
        event.clear()

    async def _store_update(self, data: dict) -> None:
        event = parse_update(data)
        if event is not None:
            await asyncio.to_thread(store, self.services.engine, event, self.services.clock())
            self.wake_inbox()

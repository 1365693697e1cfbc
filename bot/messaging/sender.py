"""The outbox sender: claims due rows, sends within rate limits, retries, records outcomes."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import and_, bindparam, exists, func, or_, select, tuple_, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from bot.casework.alerts import note_undelivered
from bot.channels.base import Channel, OutboundMessage, SendError, SendOutcome
from bot.db import transaction
from bot.messaging.batching import GroupCall
from bot.messaging.optout import mark_undeliverable, may_notify, may_receive
from bot.messaging.ratelimit import RateLimiter
from bot.messaging.shared_ratelimit import SharedRateLimiter
from bot.metrics import Metrics
from bot.models import Contact, Outbound, Person, Staff, StaffContact
from bot.people.contacts import preferred_contact
from bot.people.reachability import mark_unreachable
from bot.timeutil import Clock
from flows.vocabulary import PersonStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this belongs to a sender that died. Its rows that were never tried go
# at once; the one it was sending is uncertain (see `_send`). A restarted instance does not
# wait: it takes its own rows back when it starts (`recover`).
LEASE = timedelta(seconds=60)
# A provider's record of a message may carry a clock a little off ours.
LOOKUP_SKEW = timedelta(minutes=10)
BACKOFF_BASE = 2.0
BACKOFF_CAP = 3600.0


def backoff(attempts: int, row_id: int) -> float:
    """Exponential, capped, with a fixed per-row spread so retries do not arrive together."""
    spread = 0.8 + (row_id * 7919 % 400) / 1000  # 0.8 .. 1.2
    return min(BACKOFF_CAP, BACKOFF_BASE**attempts) * spread


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    address: str
    body: str
    choices: tuple[tuple[str, str], ...]
    rtl: bool
    attempts: int
    # When an earlier attempt's provider call began, if it may have reached the provider
    # (the process died during it, or the network failed): ask before sending again.
    uncertain_since: datetime | None = None


class OutboxSender:
    def __init__(
        self,
        engine: Engine,
        channels: dict[str, Channel],
        clock: Clock,
        limiter: RateLimiter | SharedRateLimiter,
        rtl_languages: frozenset[str] = frozenset(),
        concurrency: int = 8,
        instance: str = "homecoming",
        metrics: Metrics | None = None,
    ):
        self.engine = engine
        self.channels = channels
        self.clock = clock
        self.limiter = limiter
        self.rtl_languages = rtl_languages
        # Provider calls in flight: each is one message a crash may leave uncertain.
        self.concurrency = concurrency
        self.instance = instance
        self.metrics = metrics

    async def run_once(self, batch: int = 100) -> int:
        """Sends what is due now on every channel; returns how many rows it handled. The
        service runs each channel in its own loop instead (`run_channel`)."""
        done = await asyncio.gather(*(self.run_channel(name, batch) for name in self.channels))
        return sum(done)

    async def run_channel(self, channel: str, batch: int = 100) -> int:
        """One round of one channel: what is due, claimed, then sent at the channel's pace.
        Each channel has its own loop, so a round of SMS at 20 segments a second (five
        seconds for a hundred) never holds back Telegram's next round."""
        claimed = await asyncio.to_thread(self.claim, batch, channel)
        if not claimed:
            return 0
        semaphore = asyncio.Semaphore(self.concurrency)
        calls = self._group_calls()

        async def one(row: Claimed) -> None:
            async with semaphore:
                await self._send(row, calls)

        await asyncio.gather(*(one(row) for row in claimed))
        return len(claimed)

    def _group_calls(self) -> _GroupCalls:
        """The sends of one round share their database round trips (bot/messaging/batching.py)."""
        return _GroupCalls(
            reserve=GroupCall(self.limiter.reserve_many)
            if isinstance(self.limiter, SharedRateLimiter) else None,
            mark=GroupCall(self._mark_many),
            record=GroupCall(self._sent_many),
        )  # fmt: skip

    async def drain(self, max_rounds: int = 50) -> int:
        """Sends until nothing is due (tests and the CLI simulator)."""
        total = 0
        for _ in range(max_rounds):
            sent = await self.run_once()
            if not sent:
                break
            total += sent
        return total

    def recover(self) -> int:
        """At start: what this instance had claimed when it stopped is free again now, not
        after its lease. Rows never tried go as if never claimed; a row whose provider call
        had begun keeps `attempted_at`, so `_send` asks the provider before sending again."""
        now = self.clock()
        with transaction(self.engine) as session:
            return session.execute(
                update(Outbound)
                .where(Outbound.status == "sending", Outbound.claimed_by == self.instance)
                .values(claimed_until=now - timedelta(seconds=1))
            ).rowcount

    def claim(self, batch: int, channel: str | None = None) -> list[Claimed]:
        now = self.clock()
        claimed: list[Claimed] = []
        # Columns, not objects: claiming is most of what a broadcast costs.
        with self.engine.begin() as connection:
            rows = connection.execute(_due_statement(batch), {
                "now": now, "channels": [channel] if channel else list(self.channels)}).all()  # fmt: skip
            if not rows:
                return []
            recipients = _recipients(connection, [row.id for row in rows])
            cancelled = []
            for row in rows:
                address, refused = recipients[row.id]
                if refused:
                    cancelled.append({"row_id": row.id, "why": refused})
                    continue
                claimed.append(
                    Claimed(
                        id=row.id,
                        channel=row.channel,
                        address=address,
                        body=row.body,
                        choices=tuple((c["value"], c["label"]) for c in row.choices),
                        rtl=(row.language or "") in self.rtl_languages,
                        attempts=row.attempts + 1,
                        uncertain_since=row.attempted_at,
                    )
                )
            if cancelled:
                connection.execute(_CANCEL, cancelled)
            if claimed:
                connection.execute(_CLAIM, {"ids": [c.id for c in claimed],
                                            "until": now + LEASE, "by": self.instance})  # fmt: skip
        return claimed

    async def _send(self, row: Claimed, calls: _GroupCalls | None = None) -> None:
        calls = calls or self._group_calls()
        channel = self.channels[row.channel]
        message = OutboundMessage(row.address, row.body, row.choices, row.rtl, row.id)
        keys = [row.channel]
        per_chat = channel.rate_key(row.address)
        if per_chat:
            keys.append(per_chat)
        cost = channel.cost(message)
        if calls.reserve is None:  # in memory: nothing to share
            wait = self.limiter.reserve(keys, cost)
        else:
            wait = await calls.reserve((keys, cost))
        if wait > 0:
            await self.limiter.sleep(wait)
        # The rate limiter may have held it for minutes: a STOP, an erasure or a sender that
        # took the row over in the meantime is seen here, right before the provider call.
        if not await calls.mark(row):
            return
        if row.uncertain_since is not None:
            try:
                found = await self._sent_before(channel, message, row)
            except SendError as error:
                # Cannot tell: waiting beats sending twice. Retried, still uncertain.
                await asyncio.to_thread(self._failed, row, error, True)
                return
            if found is not None:
                log.info("outbound %s: the provider has it already (%s); not sent again",
                         row.id, found.provider_id)  # fmt: skip
                await calls.record((row, found))
                return
        try:
            outcome = await channel.send(message)
        except SendError as error:
            self._count_failure(row, error)
            if error.retry_after:
                await asyncio.to_thread(self.limiter.pause, row.channel, error.retry_after)
            await asyncio.to_thread(self._failed, row, error)
            return
        except Exception as error:  # noqa: BLE001 - unknown errors are retried, then given up
            log.exception("outbound %s: unexpected error", row.id)
            unexpected = SendError("retry", "unexpected", repr(error)[:300])
            self._count_failure(row, unexpected)
            await asyncio.to_thread(self._failed, row, unexpected)
            return
        if self.metrics is not None:
            self.metrics.sent(row.channel)
        await calls.record((row, outcome))

    def _count_failure(self, row: Claimed, error: SendError) -> None:
        if self.metrics is not None:
            retried = error.kind == "retry" and row.attempts < MAX_ATTEMPTS
            self.metrics.failed(row.channel, error.code, retried)

    async def _sent_before(
        self, channel: Channel, message: OutboundMessage, row: Claimed
    ) -> SendOutcome | None:
        """Whether an earlier, uncertain attempt reached the provider. Twilio can say (its
        Messages list); Telegram cannot, so the row is sent again: at most one duplicate."""
        lookup = getattr(channel, "find_sent", None)
        if lookup is None:
            return None
        known = await asyncio.to_thread(self._known_provider_ids, message.address)
        return await lookup(message, row.uncertain_since - LOOKUP_SKEW, known)

    def _known_provider_ids(self, address: str) -> frozenset[str]:
        """Provider ids already recorded for this address: an earlier message with the same
        words is not taken for this one."""
        with transaction(self.engine) as session:
            rows = session.execute(
                select(Outbound.provider_id)
                .join(Contact, Contact.id == Outbound.contact_id)
                .where(Contact.address == address, Outbound.provider_id.is_not(None))
            )
            return frozenset(provider_id for (provider_id,) in rows)

    def _still_ours(self, row: Claimed) -> bool:
        return self._mark_many([row])[0]

    def _mark_many(self, rows: list[Claimed]) -> list[bool]:
        """Each row is still claimed by its send and may still go: marked as being tried
        (`attempted_at`, in a short transaction right before the provider calls) with its
        lease renewed. A row that may no longer go is cancelled."""
        now = self.clock()
        with self.engine.begin() as connection:
            mine = {
                row_id
                for (row_id,) in connection.execute(_MARK, {
                    "claims": [(row.id, row.attempts) for row in rows],
                    "until": now + LEASE, "now": now})
            }  # fmt: skip
            for row in rows:
                if row.id not in mine:
                    log.info("outbound %s: no longer this sender's to send", row.id)
            recipients = _recipients(connection, list(mine)) if mine else {}
            refused = [{"row_id": row_id, "why": why}
                       for row_id, (_, why) in recipients.items() if why]  # fmt: skip
            if refused:
                connection.execute(_CANCEL_MARKED, refused)
        gone = {item["row_id"] for item in refused}
        return [row.id in mine and row.id not in gone for row in rows]

    def _sent(self, row: Claimed, outcome: SendOutcome) -> None:
        self._sent_many([(row, outcome)])

    def _sent_many(self, sent: list[tuple[Claimed, SendOutcome]]) -> list[None]:
        now = self.clock()
        with self.engine.begin() as connection:
            connection.execute(_RECORD_SENT, [
                {"row_id": row.id, "status": "delivered" if outcome.delivered else "sent",
                 "provider_id": outcome.provider_id, "segments": outcome.segments,
                 "sent_at": now, "delivered_at": now if outcome.delivered else None}
                for row, outcome in sent
            ])  # fmt: skip
        return [None] * len(sent)

    def _failed(self, row: Claimed, error: SendError, uncertain: bool = False) -> None:
        now = self.clock()
        with transaction(self.engine) as session:
            outbound = session.get(Outbound, row.id)
            outbound.error_code = error.code
            outbound.error = error.detail[:500]
            outbound.claimed_until = None
            # A network failure or a gateway's 502/504 may have reached the provider: the
            # next try asks first.
            if not (uncertain or _may_have_reached(error.code)):
                outbound.attempted_at = None
            if error.kind == "retry" and row.attempts < MAX_ATTEMPTS:
                delay = error.retry_after if error.retry_after else backoff(row.attempts, row.id)
                outbound.status = "pending"
                outbound.next_attempt_at = now + timedelta(seconds=delay)
                log.info("outbound %s: retry in %.1fs (%s)", row.id, delay, error.code)
                return
            outbound.status = "failed"
            note_undelivered(session, outbound, error.code, now)
            if error.kind in ("blocked", "opted_out", "unreachable"):
                mark_undeliverable(session, outbound, error.kind, now)
            if error.kind in ("blocked", "unreachable") and outbound.person_id is not None:
                _unreachable_if_no_other_way(session, outbound.person_id, error.code, now)
            # The code, not the provider's words: Twilio's name the number.
            log.warning("outbound %s failed for good: %s (%s)", row.id, error.code, error.kind,
                        extra={"outbound_id": row.id})  # fmt: skip


def _may_have_reached(code: str) -> bool:
    """A lost connection or a gateway's answer (502, 504) says nothing of whether the
    provider took the message; its own 5xx (500, 503) says it did not."""
    return code.rsplit(":", 1)[-1] in ("network", "502", "504")


@functools.cache
def _due_statement(batch: int):
    """What is due, in order, up to `batch` rows: built once per batch size (building it
    each round cost more than running it, bench/README.md)."""
    earlier = aliased(Outbound)
    now = bindparam("now")
    # Keep each person's messages in order: nothing overtakes an earlier unsent row that
    # is due (or being retried). A row held for later (a broadcast waiting for the
    # morning) does not hold back a reply to someone writing at night.
    waiting = exists().where(
        and_(
            earlier.contact_id == Outbound.contact_id,
            earlier.id < Outbound.id,
            earlier.status.in_(("pending", "sending")),
            or_(earlier.attempts > 0, earlier.next_attempt_at <= now),
        )
    )
    due = or_(
        and_(Outbound.status == "pending", Outbound.next_attempt_at <= now),
        and_(Outbound.status == "sending", Outbound.claimed_until < now),
    )
    return (
        select(Outbound.id, Outbound.channel, Outbound.body, Outbound.choices,
               Outbound.language, Outbound.attempts, Outbound.attempted_at)
        .where(due, ~waiting, Outbound.channel.in_(bindparam("channels", expanding=True)))
        .order_by(Outbound.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )  # fmt: skip


_MARK = (
    update(Outbound)
    .where(tuple_(Outbound.id, Outbound.attempts).in_(bindparam("claims", expanding=True)),
           Outbound.status == "sending")
    # The first uncertain attempt is kept: a lookup must reach back to it.
    .values(claimed_until=bindparam("until"),
            attempted_at=func.coalesce(Outbound.attempted_at, bindparam("now")))
    .returning(Outbound.id)
)  # fmt: skip
_CLAIM = (
    update(Outbound)
    .where(Outbound.id.in_(bindparam("ids", expanding=True)))
    .values(status="sending", claimed_until=bindparam("until"), claimed_by=bindparam("by"),
            attempts=Outbound.attempts + 1)
)  # fmt: skip

_CANCEL = (
    update(Outbound)
    .where(Outbound.id == bindparam("row_id"))
    .values(status="cancelled", error=bindparam("why"))
)


_CANCEL_MARKED = (
    update(Outbound)
    .where(Outbound.id == bindparam("row_id"))
    .values(status="cancelled", error=bindparam("why"), claimed_until=None, attempted_at=None)
)
_RECORD_SENT = (
    update(Outbound)
    .where(Outbound.id == bindparam("row_id"))
    .values(status=bindparam("status"), provider_id=bindparam("provider_id"),
            segments=bindparam("segments"), sent_at=bindparam("sent_at"),
            delivered_at=bindparam("delivered_at"), claimed_until=None, attempted_at=None,
            error=None, error_code=None)
)  # fmt: skip


@dataclass(frozen=True)
class _GroupCalls:
    reserve: GroupCall | None
    mark: GroupCall
    record: GroupCall


_RECIPIENTS = (
    select(Outbound.id, Outbound.origin, Outbound.contact_id, Contact.address,
           Contact.stopped, Contact.stopped_reason, Person.opted_out_at,
           StaffContact.address.label("staff_address"),
           StaffContact.stopped_at.label("staff_stopped_at"),
           StaffContact.stopped_reason.label("staff_stopped_reason"),
           Staff.active.label("staff_active"))
    .select_from(Outbound)
    .outerjoin(Contact, Contact.id == Outbound.contact_id)
    .outerjoin(Person, Person.id == Outbound.person_id)
    .outerjoin(StaffContact, StaffContact.id == Outbound.staff_contact_id)
    .outerjoin(Staff, Staff.id == StaffContact.staff_id)
    .where(Outbound.id.in_(bindparam("ids", expanding=True)))
)  # fmt: skip


def _recipients(connection, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """For each row, the address to send to, and why not when it may not go (opted out,
    unlinked): one query for a whole batch, judged by the rules in bot/messaging/optout.py."""
    rows = connection.execute(_RECIPIENTS, {"ids": ids})
    found: dict[int, tuple[str, str | None]] = {}
    for row in rows:
        if row.contact_id is None:
            staff = None if row.staff_active is None else SimpleNamespace(active=row.staff_active)
            contact = SimpleNamespace(stopped_at=row.staff_stopped_at)
            refused = None if may_notify(contact, staff, row.origin) else (
                f"staff contact unlinked ({row.staff_stopped_reason or 'inactive'})")  # fmt: skip
            found[row.id] = (row.staff_address, refused)
            continue
        contact = SimpleNamespace(stopped=row.stopped)
        person = SimpleNamespace(opted_out_at=row.opted_out_at)
        refused = None if may_receive(contact, person, row.origin) else (
            f"contact stopped ({row.stopped_reason or 'opted out'})")  # fmt: skip
        found[row.id] = (row.address, refused)
    return found


def _unreachable_if_no_other_way(session, person_id: int, code: str, now: datetime) -> None:
    """A permanent delivery failure on their last working contact: tell their facilitator."""
    if preferred_contact(session, person_id) is None:
        person = session.get(Person, person_id)
        if person is not None and person.status == PersonStatus.ACTIVE:
            mark_unreachable(session, person, f"delivery failed for good ({code})", now)

"""The outbox sender: claims due rows, sends within rate limits, retries, records outcomes."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from bot.casework.alerts import note_undelivered
from bot.channels.base import Channel, OutboundMessage, SendError, SendOutcome
from bot.db import transaction
from bot.messaging.optout import mark_undeliverable, may_notify, may_receive
from bot.messaging.ratelimit import RateLimiter
from bot.models import Contact, Outbound, Person, Staff, StaffContact
from bot.people.contacts import preferred_contact
from bot.people.reachability import mark_unreachable
from bot.timeutil import Clock
from flows.vocabulary import PersonStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=120)  # a claim older than this belongs to a sender that died
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


class OutboxSender:
    def __init__(
        self,
        engine: Engine,
        channels: dict[str, Channel],
        clock: Clock,
        limiter: RateLimiter,
        rtl_languages: frozenset[str] = frozenset(),
        concurrency: int = 8,
    ):
        self.engine = engine
        self.channels = channels
        self.clock = clock
        self.limiter = limiter
        self.rtl_languages = rtl_languages
        self.concurrency = concurrency

    async def run_once(self, batch: int = 100) -> int:
        """Sends what is due now; returns how many rows it handled."""
        claimed = await asyncio.to_thread(self.claim, batch)
        if not claimed:
            return 0
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one(row: Claimed) -> None:
            async with semaphore:
                await self._send(row)

        await asyncio.gather(*(one(row) for row in claimed))
        return len(claimed)

    async def drain(self, max_rounds: int = 50) -> int:
        """Sends until nothing is due (tests and the CLI simulator)."""
        total = 0
        for _ in range(max_rounds):
            sent = await self.run_once()
            if not sent:
                break
            total += sent
        return total

    def claim(self, batch: int) -> list[Claimed]:
        now = self.clock()
        earlier = aliased(Outbound)
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
        statement = (
            select(Outbound)
            .where(due, ~waiting, Outbound.channel.in_(list(self.channels)))
            .order_by(Outbound.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        claimed: list[Claimed] = []
        with transaction(self.engine) as session:
            rows = session.scalars(statement).all()
            for row in rows:
                address, refused = _recipient(session, row)
                if refused:
                    row.status = "cancelled"
                    row.error = refused
                    continue
                row.status = "sending"
                row.claimed_until = now + LEASE
                row.attempts += 1
                claimed.append(
                    Claimed(
                        id=row.id,
                        channel=row.channel,
                        address=address,
                        body=row.body,
                        choices=tuple((c["value"], c["label"]) for c in row.choices),
                        rtl=(row.language or "") in self.rtl_languages,
                        attempts=row.attempts,
                    )
                )
        return claimed

    async def _send(self, row: Claimed) -> None:
        channel = self.channels[row.channel]
        message = OutboundMessage(row.address, row.body, row.choices, row.rtl, row.id)
        keys = [row.channel]
        per_chat = channel.rate_key(row.address)
        if per_chat:
            keys.append(per_chat)
        await self.limiter.acquire(keys, channel.cost(message))
        # The rate limiter may have held it for minutes: a STOP, an erasure or a sender that
        # took the row over in the meantime is seen here, right before the provider call.
        if not await asyncio.to_thread(self._still_ours, row):
            return
        try:
            outcome = await channel.send(message)
        except SendError as error:
            if error.retry_after:
                self.limiter.pause(row.channel, error.retry_after)
            await asyncio.to_thread(self._failed, row, error)
            return
        except Exception as error:  # noqa: BLE001 - unknown errors are retried, then given up
            log.exception("outbound %s: unexpected error", row.id)
            await asyncio.to_thread(
                self._failed, row, SendError("retry", "unexpected", repr(error)[:300])
            )
            return
        await asyncio.to_thread(self._sent, row, outcome)

    def _still_ours(self, row: Claimed) -> bool:
        """The row is still claimed by this send and may still go; its lease is renewed for
        the provider call. A row that may no longer go is cancelled."""
        now = self.clock()
        with transaction(self.engine) as session:
            outbound = session.get(Outbound, row.id, with_for_update=True)
            if (
                outbound is None
                or outbound.status != "sending"
                or outbound.attempts != row.attempts
            ):
                log.info("outbound %s: no longer this sender's to send", row.id)
                return False
            _, refused = _recipient(session, outbound)
            if refused:
                outbound.status, outbound.error, outbound.claimed_until = "cancelled", refused, None
                return False
            outbound.claimed_until = now + LEASE
            return True

    def _sent(self, row: Claimed, outcome: SendOutcome) -> None:
        now = self.clock()
        with transaction(self.engine) as session:
            session.execute(
                update(Outbound)
                .where(Outbound.id == row.id)
                .values(
                    status="delivered" if outcome.delivered else "sent",
                    provider_id=outcome.provider_id,
                    segments=outcome.segments,
                    sent_at=now,
                    delivered_at=now if outcome.delivered else None,
                    claimed_until=None,
                    error=None,
                    error_code=None,
                )
            )

    def _failed(self, row: Claimed, error: SendError) -> None:
        now = self.clock()
        with transaction(self.engine) as session:
            outbound = session.get(Outbound, row.id)
            outbound.error_code = error.code
            outbound.error = error.detail[:500]
            outbound.claimed_until = None
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
            log.warning("outbound %s failed for good: %s %s", row.id, error.code, error.detail)


def _recipient(session, row: Outbound) -> tuple[str, str | None]:
    """The address to send to, and why not when it may not go (opted out, unlinked)."""
    if row.contact_id is None:
        contact = session.get(StaffContact, row.staff_contact_id)
        staff = session.get(Staff, contact.staff_id)
        if not may_notify(contact, staff, row.origin):
            return (
                contact.address,
                f"staff contact unlinked ({contact.stopped_reason or 'inactive'})",
            )
        return contact.address, None
    contact = session.get(Contact, row.contact_id)
    person = session.get(Person, row.person_id) if row.person_id else None
    if not may_receive(contact, person, row.origin):
        return contact.address, f"contact stopped ({contact.stopped_reason or 'opted out'})"
    return contact.address, None


def _unreachable_if_no_other_way(session, person_id: int, code: str, now: datetime) -> None:
    """A permanent delivery failure on their last working contact: tell their facilitator."""
    if preferred_contact(session, person_id) is None:
        person = session.get(Person, person_id)
        if person is not None and person.status == PersonStatus.ACTIVE:
            mark_unreachable(session, person, f"delivery failed for good ({code})", now)

"""Pacing over every domain: may a programme message go to this person now?

The rule itself is pure (flows/pacing.py: daytime window, quiet hours, rest days). This
module adds what needs storage: the per-person daily cap, counted over every message the
programme started whatever domain queued it (outbound rows with `initiated_at`), and
"never interrupt a conversation". Replies and safety messages are never paced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from bot.models import Conversation, Outbound
from flows.followup import flow as followup
from flows.pacing import Delivery, local_midnight, next_slot, tomorrow_slot
from flows.vocabulary import OutboundStatus

# Enough history for any person's local "today", whatever their timezone.
LOOK_BACK = timedelta(hours=38)
# A conversation untouched this long no longer holds back a programme message.
BUSY_FOR = timedelta(hours=24)
# How far ahead a capped message may be moved looking for a day with room.
MAX_DAYS_AHEAD = 14
# A follow-up survey in progress holds every other programme message until it ends.
HOLDING_FLOWS = (followup.NAME,)
# Behind a conversation in progress, look again this much later.
WAIT_BEHIND_CONVERSATION = timedelta(minutes=30)


def busy(conversation: Conversation, now: datetime, holding: Iterable[str] = ()) -> bool:
    """Never interrupt: a conversation in progress holds programme messages back. Flows in
    `holding` (a follow-up survey) hold until they end; any other for BUSY_FOR."""
    if conversation.flow is None:
        return False
    if conversation.flow in holding:
        return True
    return now - conversation.updated_at < BUSY_FOR


@dataclass
class DailyCap:
    """Programme messages per person around now, loaded for a batch of people at once."""

    delivery: Delivery
    sent: dict[int, list[datetime]] = field(default_factory=dict)
    # A batch asks the same questions for everyone in a timezone: answered once each.
    _slots: dict[tuple[datetime, str], datetime] = field(default_factory=dict, repr=False)
    _midnights: dict[tuple[datetime, str], datetime] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls, session: Session, delivery: Delivery, person_ids: Iterable[int], now: datetime
    ) -> DailyCap:
        ids = sorted(set(person_ids))
        sent: dict[int, list[datetime]] = {}
        for start in range(0, len(ids), 900):  # under every driver's parameter limit
            rows = session.connection().execute(
                select(Outbound.person_id, Outbound.initiated_at).where(
                    Outbound.person_id.in_(ids[start : start + 900]),
                    Outbound.initiated_at >= now - LOOK_BACK,
                    # Never sent (a STOP, a stopped contact, erasure): it took no room.
                    Outbound.status != OutboundStatus.CANCELLED,
                )
            )
            for person_id, at in rows:
                sent.setdefault(person_id, []).append(at)
        return cls(delivery, sent)

    def count_on_day(self, person_id: int, timezone: str, moment: datetime) -> int:
        key = (moment, timezone)
        midnight = self._midnights.get(key)
        if midnight is None:
            midnight = self._midnights[key] = local_midnight(moment, timezone)
        end = midnight + timedelta(days=1)
        return sum(1 for at in self.sent.get(person_id, ()) if midnight <= at < end)

    def full(self, person_id: int, timezone: str, moment: datetime) -> bool:
        return self.count_on_day(person_id, timezone, moment) >= self.delivery.max_per_day

    def note(self, person_id: int, at: datetime) -> None:
        """A programme message queued for `at`: it counts from now on."""
        self.sent.setdefault(person_id, []).append(at)

    def slot(self, moment: datetime, timezone: str) -> datetime:
        """flows.pacing.next_slot, remembered for this batch."""
        key = (moment, timezone)
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = next_slot(moment, timezone, self.delivery)
        return found

    def hold_until(self, person_id: int, timezone: str, now: datetime) -> datetime | None:
        """None if a programme message may go now; else the moment to look again: the next
        daytime slot, or tomorrow's first one when today's cap is reached."""
        slot = self.slot(now, timezone)
        if slot > now:
            return slot
        if self.full(person_id, timezone, now):
            return tomorrow_slot(now, timezone, self.delivery)
        return None

    def place(self, person_id: int, timezone: str, now: datetime) -> datetime:
        """The first allowed moment at or after now on a local day with room (a broadcast
        queued in one go); the caller queues it there and should `note` it."""
        slot = next_slot(now, timezone, self.delivery)
        for _ in range(MAX_DAYS_AHEAD):
            if not self.full(person_id, timezone, slot):
                return slot
            slot = tomorrow_slot(slot, timezone, self.delivery)
        return slot


def hold_until(
    cap: DailyCap, conversation: Conversation, person_id: int, timezone: str, now: datetime
) -> datetime | None:
    """May a programme message go to this person now? None if so; else when to look again:
    the next daytime slot, tomorrow's first when today's cap is full, or a while later
    behind a conversation in progress (never interrupt)."""
    later = cap.hold_until(person_id, timezone, now)
    if later is None and busy(conversation, now, HOLDING_FLOWS):
        later = now + WAIT_BEHIND_CONVERSATION
    return later

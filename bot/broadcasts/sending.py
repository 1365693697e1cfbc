"""Sending a broadcast (one transaction: the broadcast, one outbox row per recipient, the
audit entry) and how far it got. No HTTP here: the admin passes the SQL conditions of its
filters and of the staff member's scope, so "who" is decided in one place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from bot.audit import audit, staff_actor
from bot.broadcasts.estimate import BroadcastError, clean_texts, preview
from bot.casework.staff_links import linked_contacts
from bot.messaging.outbox import enqueue_many, enqueue_to_staff, outbound_values
from bot.models import Broadcast, Outbound
from bot.people.local_time import timezone_of
from bot.scheduling.pacing import DailyCap
from flows.content import Content
from flows.vocabulary import UNDER_WAY, OutboundStatus

# Every status an outbound row can have, in reading order.
STATUSES = tuple(status.value for status in OutboundStatus)
ORIGIN = "broadcast"


@dataclass
class Progress:
    counts: dict[str, int]
    total: int
    finished: bool
    next_at: datetime | None = None  # when the next waiting message is due (quiet hours)

    @property
    def under_way(self) -> int:
        return sum(self.counts.get(s, 0) for s in UNDER_WAY)

    @property
    def done(self) -> int:
        return self.total - self.under_way

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


def send(
    session: Session,
    *,
    staff_id: int,
    texts: Mapping[str, str | None],
    audience_filter: Mapping[str, Any],
    conditions: Iterable,
    content: Content,
    now: datetime,
    channels: Iterable[str] | None = None,
    nonce: str | None = None,
    reply_days: int = 0,
    send_at: datetime | None = None,
) -> Broadcast:
    """Queues the broadcast: the row, one outbox row per recipient, the audit entry. The
    audience is computed now, in this transaction; the caller commits all or nothing.
    `nonce`: the preview's one-time token; sending with it again returns the broadcast it
    made (a double click sends once)."""
    if nonce:
        sent = session.scalars(select(Broadcast).where(Broadcast.nonce == nonce)).first()
        if sent is not None:
            return sent
    found = preview(session, list(conditions), texts, content, channels)
    if not found.recipients:
        raise BroadcastError("nobody")
    cleaned = clean_texts(texts, content)
    broadcast = Broadcast(
        created_by=staff_id,
        texts=cleaned,
        # What was searched for may be someone's name or number: kept only as "a search".
        audience={k: ("(search)" if k == "q" else v) for k, v in audience_filter.items()},
        status="sending",
        recipients=found.recipients,
        estimate=found.estimate(),
        created_at=now,
        nonce=nonce or None,
        reply_days=max(0, reply_days),
        send_at=send_at if send_at is not None and send_at > now else None,
    )
    session.add(broadcast)
    session.flush()
    # Each message waits for the person's own daytime, on a day with room under the cap.
    recipients = found.recipients_list
    cap = DailyCap.load(session, content.delivery, [r.person_id for r in recipients], now)
    zones: dict[str | None, str] = {}
    rows = []
    for recipient in recipients:
        zone = zones.get(recipient.timezone)
        if zone is None:
            zone = zones[recipient.timezone] = timezone_of(recipient, content)
        slot = cap.place(recipient.person_id, zone, broadcast.send_at or now)
        cap.note(recipient.person_id, slot)
        rows.append(
            outbound_values(
                person_id=recipient.person_id,
                contact_id=recipient.contact_id,
                channel=recipient.channel,
                body=cleaned[recipient.language],
                language=recipient.language,
                origin=ORIGIN,
                now=now,
                due=slot,
                initiated=True,
                staff_id=staff_id,
                broadcast_id=broadcast.id,
            )
        )
    # One executemany (batched by the driver), not one ORM object per person.
    enqueue_many(session, rows)
    audit(
        session,
        staff_actor(staff_id),
        "broadcast.sent",
        None,
        now,
        broadcast_id=broadcast.id,
        recipients=found.recipients,
    )
    return broadcast


def counts(session: Session, broadcast_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Outbox rows by status for several broadcasts, in one query."""
    ids = list(broadcast_ids)
    found: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return found
    statement = (
        select(Outbound.broadcast_id, Outbound.status, func.count())
        .where(Outbound.broadcast_id.in_(ids))
        .group_by(Outbound.broadcast_id, Outbound.status)
    )
    for broadcast_id, status, number in session.execute(statement):
        found[broadcast_id][status] = number
    return found


def finish_if_done(
    session: Session, broadcast: Broadcast, status_counts: Mapping[str, int], now: datetime
) -> bool:
    """Nothing pending or being sent: the broadcast is finished. Returns whether it is."""
    if broadcast.status == "finished":
        return True
    if any(status_counts.get(s, 0) for s in UNDER_WAY):
        return False
    session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.status != "finished")
        .values(status="finished", finished_at=now)
    )
    broadcast.status, broadcast.finished_at = "finished", now
    return True


def progress(session: Session, broadcast: Broadcast, now: datetime) -> Progress:
    """Counts by status; marks the broadcast finished once nothing is under way (cheap, so
    every read of a broadcast page may do it)."""
    found = progress_many(session, [broadcast], now)[broadcast.id]
    if found.counts.get("pending"):
        found.next_at = session.execute(
            select(func.min(Outbound.next_attempt_at)).where(
                Outbound.broadcast_id == broadcast.id, Outbound.status == "pending"
            )
        ).scalar_one()
    return found


def progress_many(
    session: Session, broadcasts: list[Broadcast], now: datetime
) -> dict[int, Progress]:
    found = counts(session, [b.id for b in broadcasts])
    result = {}
    for broadcast in broadcasts:
        status_counts = found[broadcast.id]
        finished = finish_if_done(session, broadcast, status_counts, now)
        full = {status: status_counts.get(status, 0) for status in STATUSES}
        full.update(status_counts)
        result[broadcast.id] = Progress(full, sum(status_counts.values()), finished)
    return result


def test_send(
    session: Session, staff_id: int, texts: Mapping[str, str | None], language: str,
    content: Content, now: datetime,
) -> int:  # fmt: skip
    """The message to the staff member's own linked Telegram or phone, in their language
    (else the programme's), as recipients will read it; how many contacts it went to."""
    cleaned = clean_texts(texts, content)
    body = cleaned.get(language) or cleaned[content.default_language]
    contacts = linked_contacts(session, staff_id)
    if not contacts:
        raise BroadcastError("no_linked_contact")
    for contact in contacts:
        enqueue_to_staff(session, contact, body, language, "broadcast.test", now)
    audit(session, staff_actor(staff_id), "broadcast.test", None, now, contacts=len(contacts))
    return len(contacts)

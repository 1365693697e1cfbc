"""Broadcasts: one message from staff to many people, a text per language.

Who can receive one, what it will cost before it goes, queueing it in one transaction
(each row due at the first allowed moment in the person's own day), and how far it got.
No HTTP here: the admin passes the SQL conditions of its filters and of the staff member's
scope, so "who" is decided in one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, exists, func, insert, not_, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from bot.channels.render import sms_text
from bot.channels.segments import count_segments, encoding
from bot.models import Broadcast, Consent, Contact, Outbound, Person
from bot.people.contacts import audit, timezone_of
from flows.content import Content
from flows.pacing import Delivery, next_slot

MAX_LENGTH = 1000
# How a person's time in the programme ended that means: write no more.
ENDED = ("remigrated", "left_programme")
# Every status an outbound row can have (bot/outbox.py, bot/delivery.py), in reading order.
STATUSES = ("pending", "sending", "sent", "delivered", "failed", "undelivered", "cancelled")
UNDER_WAY = ("pending", "sending")
ORIGIN = "broadcast"


class BroadcastError(ValueError):
    """A broadcast that cannot go as written: `code` says why (for the page's words)."""

    def __init__(self, code: str, language: str | None = None):
        super().__init__(code if language is None else f"{code} ({language})")
        self.code = code
        self.language = language


@dataclass(frozen=True)
class Recipient:
    person_id: int
    contact_id: int
    channel: str
    language: str  # the language of the text they get (theirs, else the default)
    timezone: str | None


@dataclass
class LanguageEstimate:
    language: str
    text: str  # what staff wrote (the default language's text where this one has none)
    sms_text: str  # as the SMS will go out: GSM-7 folding applied
    encoding: str  # GSM-7 or UCS-2
    segments: int
    fallback: bool  # no text of its own: these people get the default language's
    recipients: int = 0
    sms_recipients: int = 0
    cost: Decimal = Decimal(0)


@dataclass
class Preview:
    recipients: int
    by_language: dict[str, int]
    by_channel: dict[str, int]
    languages: list[LanguageEstimate]
    cost: Decimal
    currency: str
    price_per_segment: Decimal
    recipients_list: list[Recipient] = field(default_factory=list, repr=False)

    def estimate(self) -> dict[str, Any]:
        """What is stored on the broadcast: money and counts as strings, never floats."""
        return {
            "currency": self.currency,
            "price_per_segment": str(self.price_per_segment),
            "cost": str(self.cost),
            "languages": {
                e.language: {
                    "segments": str(e.segments),
                    "cost": str(e.cost),
                    "recipients": str(e.recipients),
                    "sms_recipients": str(e.sms_recipients),
                }
                for e in self.languages
            },
        }


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


# -- texts --------------------------------------------------------------------------------


def default_language(content: Content) -> str:
    return str(content.programme.get("default_language") or content.languages[0])


def clean_texts(texts: Mapping[str, str | None], content: Content) -> dict[str, str]:
    """The programme's languages only, trimmed, line ends unified; the default language's
    text is required and none may be longer than MAX_LENGTH."""
    cleaned: dict[str, str] = {}
    for language in content.languages:
        text = (texts.get(language) or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(text) > MAX_LENGTH:
            raise BroadcastError("too_long", language)
        if text:
            cleaned[language] = text
    if default_language(content) not in cleaned:
        raise BroadcastError("default_required", default_language(content))
    return cleaned


def price(content: Content) -> tuple[Decimal, str]:
    raw = content.programme.get("sms_price_per_segment", "0")
    return Decimal(str(raw)), str(content.programme.get("sms_currency", ""))


# -- who -----------------------------------------------------------------------------------


def receivable() -> list:
    """Who may be written to at all: active, not opted out, not erased, not gone, and
    consent to messages in force (the latest decision for the purpose is a yes)."""
    later = aliased(Consent)
    newer = exists().where(
        later.person_id == Consent.person_id,
        later.purpose == Consent.purpose,
        or_(later.at > Consent.at, and_(later.at == Consent.at, later.id > Consent.id)),
    )
    consented = exists().where(
        Consent.person_id == Person.id,
        Consent.purpose == "messages",
        Consent.granted.is_(True),
        not_(newer),
    )
    return [
        Person.status == "active",
        Person.opted_out_at.is_(None),
        Person.erased_at.is_(None),
        or_(Person.outcome.is_(None), Person.outcome.not_in(ENDED)),
        consented,
    ]


def audience(
    session: Session,
    conditions: Iterable,
    content: Content,
    texts: Mapping[str, str] | None = None,
    channels: Iterable[str] | None = None,
) -> list[Recipient]:
    """Everyone the conditions select who can receive, each once, on their preferred working
    contact (the one they last wrote from; `bot.people.contacts.preferred_contact`, in bulk).
    `channels` limits contacts to those the service can send on."""
    working = aliased(Contact)  # aliased: the filters' own Contact subqueries stay apart
    statement = (
        select(
            Person.id,
            Person.language,
            Person.timezone,
            working.id,
            working.channel,
            working.last_inbound_at,
            working.created_at,
        )
        .join(working, working.person_id == Person.id)
        .where(*conditions, *receivable(), working.stopped.is_(False))
    )
    if channels is not None:
        statement = statement.where(working.channel.in_(list(channels)))
    best: dict[int, tuple] = {}
    for person_id, language, timezone, contact_id, channel, last_in, created in session.execute(
        statement
    ):
        key = (last_in is not None, last_in or created, contact_id)
        if person_id not in best or key > best[person_id][0]:
            best[person_id] = (key, language, timezone, contact_id, channel)
    written = texts if texts is not None else {language: "x" for language in content.languages}
    default = default_language(content)
    return [
        Recipient(
            person_id=person_id,
            contact_id=contact_id,
            channel=channel,
            language=language if language in written else default,
            timezone=timezone,
        )
        for person_id, (_, language, timezone, contact_id, channel) in sorted(best.items())
    ]


# -- what it costs -------------------------------------------------------------------------


def preview(
    session: Session,
    conditions: Iterable,
    texts: Mapping[str, str | None],
    content: Content,
    channels: Iterable[str] | None = None,
) -> Preview:
    """Recipients, per language and channel; per language the SMS as it will go, its segments
    and the estimated cost (SMS recipients × segments × price). Telegram costs nothing."""
    cleaned = clean_texts(texts, content)
    recipients = audience(session, conditions, content, cleaned, channels)
    per_segment, currency = price(content)
    default = default_language(content)
    by_language = Counter(r.language for r in recipients)
    sms_by_language = Counter(r.language for r in recipients if r.channel == "sms")
    estimates = []
    for language in content.languages:
        own = language in cleaned
        text = cleaned[language] if own else cleaned[default]
        sms = sms_text(text, ())
        segments = count_segments(sms)
        sms_count = sms_by_language.get(language, 0)
        estimates.append(
            LanguageEstimate(
                language=language,
                text=text,
                sms_text=sms,
                encoding=encoding(sms),
                segments=segments,
                fallback=not own,
                recipients=by_language.get(language, 0),
                sms_recipients=sms_count,
                cost=per_segment * segments * sms_count,
            )
        )
    return Preview(
        recipients=len(recipients),
        by_language=dict(by_language),
        by_channel=dict(Counter(r.channel for r in recipients)),
        languages=estimates,
        cost=sum((e.cost for e in estimates), Decimal(0)),
        currency=currency,
        price_per_segment=per_segment,
        recipients_list=recipients,
    )


# -- sending -------------------------------------------------------------------------------


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
    )
    session.add(broadcast)
    session.flush()
    delivery = content.plans.delivery if content.plans is not None else Delivery()
    slots: dict[str | None, datetime] = {}
    rows = []
    for recipient in found.recipients_list:
        slot = slots.get(recipient.timezone)
        if slot is None:
            zone = timezone_of(SimpleNamespace(timezone=recipient.timezone), content)
            slot = slots[recipient.timezone] = next_slot(now, zone, delivery)
        rows.append(
            {
                "person_id": recipient.person_id,
                "contact_id": recipient.contact_id,
                "channel": recipient.channel,
                "body": cleaned[recipient.language],
                "choices": [],
                "language": recipient.language,
                "origin": ORIGIN,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": slot,
                "created_at": now,
                "broadcast_id": broadcast.id,
                "staff_id": staff_id,
            }
        )
    # One executemany (batched by the driver), not one ORM object per person.
    session.execute(insert(Outbound.__table__), rows)
    audit(
        session,
        f"staff:{staff_id}",
        "broadcast.sent",
        None,
        now,
        broadcast_id=broadcast.id,
        recipients=found.recipients,
    )
    return broadcast


# -- how far it got ------------------------------------------------------------------------


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

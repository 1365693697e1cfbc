"""Events other systems hear of (outbound webhooks): a delivery row per subscribed endpoint,
in the same transaction as what happened, so an event is never lost nor sent for something
that was rolled back. The payload names the person by public id only."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, select

from bot.models import WebhookDelivery, WebhookEndpoint
from bot.upsert import insert_or_skip

EVENTS = ("alert.created", "alert.closed", "person.enrolled")


def emit(session: Session, event: str, data: dict, now: datetime, key: str) -> int:
    """Queues `event` for every active endpoint that asked for it; `key` makes it once."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    endpoints = [
        e.id for e in session.exec(select(WebhookEndpoint).where(WebhookEndpoint.active))
        if event in (e.events or [])
    ]  # fmt: skip
    if not endpoints:
        return 0
    event_id = f"{event}:{key}"
    payload = {"id": event_id, "event": event, "at": now.isoformat(), "data": data}
    session.flush()
    insert_or_skip(
        session.connection(), WebhookDelivery.__table__, ("endpoint_id", "event_id"),
        [{"endpoint_id": e, "event_id": event_id, "event": event, "payload": payload,
          "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
         for e in endpoints],
    )  # fmt: skip
    return len(endpoints)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


def enrolled(session: Session, person, now: datetime, how: str) -> int:
    """A person now enrolled (by the bot, by staff, by an import or the API)."""
    return emit(session, "person.enrolled", {"person": person.public_id, "how": how}, now,
                person.public_id)  # fmt: skip

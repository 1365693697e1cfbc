"""Events other systems hear of (outbound webhooks): a delivery row per subscribed endpoint,
in the same transaction as what happened, so an event is never lost nor sent for something
that was rolled back. The payload names the person by public id only."""

from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session, select

from bot.audit import audit, staff_actor
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


class EndpointError(ValueError):
    """The message is a key of the admin's catalog."""


def add_endpoint(session: Session, url: str, chosen: list[str], staff_id: int, now: datetime):
    """A new endpoint and its secret (shown once to the admin, kept to sign with)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 500:
        raise EndpointError("api.error.url")
    events = [e for e in EVENTS if e in chosen]
    if not events:
        raise EndpointError("api.error.events")
    row = WebhookEndpoint(url=url, secret=new_secret(), events=events, created_by=staff_id,
                          created_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    audit(session, staff_actor(staff_id), "api.webhook_added", None, now, endpoint=row.id,
          events=events)  # fmt: skip
    return row


def remove_endpoint(session: Session, endpoint_id: int, staff_id: int, now: datetime) -> None:
    row = session.get(WebhookEndpoint, endpoint_id)
    if row is not None and row.active:
        row.active = False
        audit(session, staff_actor(staff_id), "api.webhook_removed", None, now, endpoint=row.id)


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.exec(select(WebhookEndpoint).where(WebhookEndpoint.active)))

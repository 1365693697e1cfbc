"""What the admin sees of webhook deliveries: per endpoint, what went and what failed; a
failed delivery sent again on request; a test event to check the receiver's signature code."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from bot.audit import audit, staff_actor
from bot.models import WebhookDelivery, WebhookEndpoint

TEST_EVENT = "webhook.test"
RECENT = timedelta(days=7)
FAILED_LISTED = 20


@dataclass(frozen=True)
class Summary:
    delivered: int = 0
    pending: int = 0
    failed: int = 0
    last_delivered_at: datetime | None = None


def summaries(session: Session, now: datetime) -> dict[int, Summary]:
    """Per endpoint: delivered and given up in the last week (a failed row's last try is its
    `next_attempt_at`), and everything still waiting."""
    since = now - RECENT
    D = WebhookDelivery
    rows = session.execute(
        select(D.endpoint_id,
               func.count().filter(D.status == "delivered", D.delivered_at >= since),
               func.count().filter(D.status == "pending"),
               func.count().filter(D.status == "failed", D.next_attempt_at >= since),
               func.max(D.delivered_at))
        .where(or_(D.status == "pending", D.delivered_at >= since, D.next_attempt_at >= since))
        .group_by(D.endpoint_id)
    )  # fmt: skip
    return {row[0]: Summary(*row[1:]) for row in rows}


def failed(session: Session) -> list[WebhookDelivery]:
    """The latest deliveries given up, with the receiver's last answer, newest first."""
    return list(
        session.scalars(
            select(WebhookDelivery)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.status == "failed", WebhookEndpoint.active)
            .order_by(WebhookDelivery.id.desc())
            .limit(FAILED_LISTED)
        )
    )


def retry(session: Session, delivery_id: int, staff_id: int, now: datetime) -> bool:
    """A failed delivery goes again from the first attempt (the receiver was fixed)."""
    done = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=now)
    ).rowcount
    if done:
        audit(session, staff_actor(staff_id), "api.webhook_retried", None, now,
              delivery=delivery_id)  # fmt: skip
    return bool(done)


def send_test(session: Session, endpoint_id: int, staff_id: int, now: datetime) -> bool:
    """A signed test event to one endpoint, through the same queue as real events."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not endpoint.active:
        return False
    event_id = f"{TEST_EVENT}:{secrets.token_hex(8)}"
    payload = {"id": event_id, "event": TEST_EVENT, "at": now.isoformat(), "data": {}}
    session.add(WebhookDelivery(endpoint_id=endpoint_id, event_id=event_id, event=TEST_EVENT,
                                payload=payload, next_attempt_at=now, created_at=now))  # fmt: skip
    audit(session, staff_actor(staff_id), "api.webhook_tested", None, now, endpoint=endpoint_id)
    return True

"""Sending webhook deliveries: claimed a batch at a time (SKIP LOCKED, a lease so another
process leaves them alone), posted outside any transaction, each signed

    X-Homecoming-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>

and retried with backoff until delivered (2xx) or given up after MAX_ATTEMPTS."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.engine import Engine

from bot.db import transaction
from bot.models import WebhookDelivery, WebhookEndpoint
from bot.scheduling.claim import claim_due

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6), timedelta(hours=12), timedelta(hours=24))  # fmt: skip
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT = 10.0


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: datetime, tolerance: int = 300) -> bool:
    """What a receiver does (and the tests): the signature matches and is recent."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, header) and abs(now.timestamp() - timestamp) <= tolerance


@dataclass(frozen=True)
class _Due:
    id: int
    url: str
    secret: str
    event: str
    event_id: str
    body: bytes
    attempts: int


def deliver_due(engine: Engine, clock, client: httpx.Client, batch: int = 50) -> int:
    """Sends what is due; returns how many were tried."""
    now = clock()
    with transaction(engine) as session:
        rows = claim_due(
            session, WebhookDelivery, WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now, batch=batch,
            order=(WebhookDelivery.next_attempt_at, WebhookDelivery.id),
        )  # fmt: skip
        due = []
        for row in rows:
            endpoint = session.get(WebhookEndpoint, row.endpoint_id)
            if endpoint is None or not endpoint.active:
                row.status, row.last_error = "failed", "endpoint removed"
                continue
            row.next_attempt_at = now + LEASE  # ours while we send it
            body = json.dumps(row.payload, separators=(",", ":"), sort_keys=True).encode()
            due.append(_Due(row.id, endpoint.url, endpoint.secret, row.event, row.event_id, body,
                            row.attempts))  # fmt: skip
    for item in due:
        _send(engine, clock, client, item)
    return len(due)


def _send(engine: Engine, clock, client: httpx.Client, item: _Due) -> None:
    sent_at = clock()
    headers = {
        "Content-Type": "application/json",
        "X-Homecoming-Event": item.event,
        "X-Homecoming-Delivery": item.event_id,
        "X-Homecoming-Signature": signature(item.secret, int(sent_at.timestamp()), item.body),
    }
    error = None
    try:
        response = client.post(item.url, content=item.body, headers=headers, timeout=TIMEOUT)
        if not 200 <= response.status_code < 300:
            error = f"HTTP {response.status_code}"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:300]
    with transaction(engine) as session:
        row = session.get(WebhookDelivery, item.id)
        now = clock()
        row.attempts = item.attempts + 1
        if error is None:
            row.status, row.delivered_at, row.last_error = "delivered", now, None
        elif row.attempts >= MAX_ATTEMPTS:
            row.status, row.last_error = "failed", error
            log.warning("webhook %s to %s given up: %s", item.event_id, item.url, error)
        else:
            row.last_error = error
            row.next_attempt_at = now + BACKOFF[row.attempts - 1]

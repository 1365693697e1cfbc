"""What other systems use to reach the service and hear from it: API tokens (one per
integration, hashed at rest, scoped, revocable), webhook endpoints and their deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow


class ApiToken(SQLModel, table=True):
    """A case-management system's key to /api/v1. Only its SHA-256 is kept; the token itself
    is shown once, when an admin creates it."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)  # the token's first characters, to tell tokens apart
    scopes: list[str] = _json(list)  # read, write, identities
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    last_used_at: datetime | None = _utc()
    revoked_at: datetime | None = _utc()
    revoked_by: int | None = Field(default=None, foreign_key="staff.id")


class WebhookEndpoint(SQLModel, table=True):
    """Where a case-management system wants to hear of events (alert created or closed, a
    person enrolled); each request is signed with the endpoint's secret (HMAC-SHA256)."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=500)
    secret: str = Field(max_length=100)  # shared with the receiver, who checks signatures
    events: list[str] = _json(list)
    active: bool = True
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: a row before it is sent (like the outbox), retried with
    backoff until it is delivered or given up."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_delivery"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    event_id: str = Field(max_length=64)  # the same event is delivered once per endpoint
    event: str = Field(max_length=40)
    payload: dict = _json(dict)
    status: str = Field(default="pending", max_length=16)  # pending, delivered, failed
    attempts: int = 0
    next_attempt_at: datetime = _utc(nullable=False)
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    delivered_at: datetime | None = _utc()

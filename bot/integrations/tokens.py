"""API tokens: created by admins (the token shown once, only its hash kept), scoped (read,
write, identities), revocable, every change audited; and the rate each may be used at."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import deque
from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.audit import audit, staff_actor
from bot.models import ApiToken

SCOPES = ("read", "write", "identities")
PREFIX = "hc_"
USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


class TokenError(ValueError):
    """The message is a key of the admin's catalog."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    session: Session, name: str, scopes: list[str], staff_id: int, now: datetime
) -> tuple[ApiToken, str]:
    """The row and the token (shown once)."""
    name = (name or "").strip()
    chosen = [s for s in SCOPES if s in scopes]
    if not name:
        raise TokenError("api.error.name")
    if not chosen:
        raise TokenError("api.error.scopes")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name[:80], token_hash=digest(token), prefix=token[:10], scopes=chosen,
                   created_by=staff_id, created_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    audit(session, staff_actor(staff_id), "api.token_created", None, now, token=row.id,
          scopes=chosen)  # fmt: skip
    return row, token


def revoke(session: Session, token_id: int, staff_id: int, now: datetime) -> None:
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at, row.revoked_by = now, staff_id
        audit(session, staff_actor(staff_id), "api.token_revoked", None, now, token=row.id)


def find(session: Session, token: str, now: datetime) -> ApiToken | None:
    """The live token this is, noting when it was used."""
    if not token or not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= USED_EVERY:
        row.last_used_at = now
    return row


def listed(session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(ApiToken.id.desc())))


class RateLimit:
    """At most `per_minute` requests a token in any sliding minute, in this process."""

    def __init__(self, per_minute: int = 120):
        self.per_minute = per_minute
        self._seen: dict[int, deque[datetime]] = {}
        self._lock = threading.Lock()

    def allow(self, token_id: int, now: datetime) -> float | None:
        """None when the request may go; else the seconds to wait."""
        with self._lock:
            seen = self._seen.setdefault(token_id, deque())
            while seen and now - seen[0] >= timedelta(minutes=1):
                seen.popleft()
            if len(seen) >= self.per_minute:
                return max(1.0, 60 - (now - seen[0]).total_seconds())
            seen.append(now)
            return None

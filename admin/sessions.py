"""Staff sessions held on the server: the cookie carries a random token, the table its hash.

Renewed at every sign-in (a token from before cannot be fixed on someone), idle after two
hours, over after twelve. Failed sign-ins are counted by email and by address.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from bot.models import LoginAttempt, Staff, StaffSession

COOKIE = "homecoming_session"
IDLE = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
# Failed sign-ins allowed per window, per email and per client address.
WINDOW = timedelta(minutes=15)
MAX_PER_EMAIL = 5
MAX_PER_ADDRESS = 20


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    session: Session, staff: Staff, now: datetime, old_token: str | None = None
) -> tuple[str, StaffSession]:
    if old_token:
        close_session(session, old_token)
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        token_hash=_hash(token),
        staff_id=staff.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(row)
    staff.last_login_at = now
    session.flush()
    return token, row


def find_session(
    session: Session, token: str | None, now: datetime
) -> tuple[StaffSession, Staff] | None:
    if not token or len(token) > 100:
        return None
    row = session.exec(select(StaffSession).where(StaffSession.token_hash == _hash(token))).first()
    if row is None:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= IDLE:
        session.delete(row)
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now  # not on every request: one write a minute is enough
    return row, staff


def close_session(session: Session, token: str) -> None:
    session.exec(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def too_many_attempts(session: Session, email: str, address: str, now: datetime) -> bool:
    since = now - WINDOW

    def count(key: str) -> int:
        statement = select(func.count()).where(LoginAttempt.key == key, LoginAttempt.at >= since)
        return int(session.exec(statement).one())

    return (
        count(f"email:{email.strip().lower()}") >= MAX_PER_EMAIL
        or count(f"addr:{address}") >= MAX_PER_ADDRESS
    )


def record_failure(session: Session, email: str, address: str, now: datetime) -> None:
    session.add(LoginAttempt(key=f"email:{email.strip().lower()}"[:300], at=now))
    session.add(LoginAttempt(key=f"addr:{address}"[:300], at=now))
    # Old attempts tell nothing; keep the table small.
    session.exec(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1)))

"""Staff accounts: argon2id password hashes and signed session cookies."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from bot.models import Staff

ROLES = ("admin", "facilitator", "viewer")
SESSION_COOKIE = "homecoming_session"
SESSION_MAX_AGE = 8 * 3600

_hasher = PasswordHasher()  # argon2id with the library's current parameters
# Verifying against this keeps unknown emails as slow as wrong passwords.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(session: Session, email: str, password: str) -> Staff | None:
    staff = session.exec(select(Staff).where(Staff.email == email.strip().lower())).first()
    try:
        _hasher.verify(staff.password_hash if staff else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if staff is None or not staff.active:
        return None
    return staff


def create_staff(session: Session, email: str, name: str, password: str, role: str) -> Staff:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise ValueError("password must have at least 10 characters")
    email = email.strip().lower()
    if "@" not in email:
        raise ValueError("email looks wrong")
    if session.exec(select(Staff).where(Staff.email == email)).first():
        raise ValueError(f"a staff member with email {email} exists already")
    staff = Staff(
        email=email, name=name.strip() or email, password_hash=hash_password(password), role=role
    )
    session.add(staff)
    session.flush()
    return staff


def serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="homecoming-staff-session")


def read_session(secret: str, cookie: str | None) -> int | None:
    if not cookie:
        return None
    try:
        data = serializer(secret).loads(cookie, max_age=SESSION_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    return data.get("staff") if isinstance(data, dict) else None

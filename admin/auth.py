"""Staff accounts: argon2id password hashes (sessions live in admin/sessions.py)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from bot.models import Staff

ROLES = ("admin", "facilitator", "viewer")

_hasher = PasswordHasher()  # argon2id with the library's current parameters
# Verifying against this keeps unknown emails as slow as wrong passwords.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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


def update_staff(
    session: Session,
    staff: Staff,
    role: str,
    active: bool,
    districts: list[str],
    name: str | None = None,
) -> list[str]:
    """Returns the names of what changed; deactivating someone signs them out everywhere."""
    from admin.sessions import close_all_sessions

    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    changed = []
    for field, value in (("role", role), ("active", active), ("districts", sorted(set(districts)))):
        if getattr(staff, field) != value:
            setattr(staff, field, value)
            changed.append(field)
    if name and name.strip() and name.strip() != staff.name:
        staff.name = name.strip()[:120]
        changed.append("name")
    if "active" in changed and not active or "role" in changed:
        close_all_sessions(session, staff.id)
    return changed


def set_password(session: Session, staff: Staff, password: str) -> None:
    from admin.sessions import close_all_sessions

    if len(password) < 10:
        raise ValueError("password must have at least 10 characters")
    staff.password_hash = hash_password(password)
    close_all_sessions(session, staff.id)

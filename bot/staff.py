"""Staff accounts: creating and changing them, argon2id password hashes, and ending their
sessions when access changes (signing in lives in admin/sessions.py)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, select

from bot.models import Staff, StaffSession
from flows.vocabulary import StaffRole

ROLES = tuple(role.value for role in StaffRole)

_hasher = PasswordHasher()  # argon2id with the library's current parameters
# Verifying against this keeps unknown emails as slow as wrong passwords.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def close_all_sessions(session: Session, staff_id: int) -> None:
    """After a password change, a deactivation or a role change: everyone signs in again."""
    session.exec(delete(StaffSession).where(StaffSession.staff_id == staff_id))


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


class StaffError(ValueError):
    """An account that cannot be made as asked: `key` names the words for the page, the
    message is for the command line."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise StaffError("account.too_short", "password must have at least 10 characters")
    if len(password) > 200:
        raise StaffError("account.too_long", "password must have at most 200 characters")


def create_staff(session: Session, email: str, name: str, password: str, role: str) -> Staff:
    if role not in ROLES:
        raise StaffError("staff.error.role", f"role must be one of {', '.join(ROLES)}")
    _check_password(password)
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise StaffError("staff.error.email", "email looks wrong")
    if len(name.strip()) > 120:
        raise StaffError("staff.error.name", "a name has at most 120 characters")
    if session.exec(select(Staff).where(Staff.email == email)).first():
        raise StaffError("staff.error.exists", f"a staff member with email {email} exists already")
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
    if role not in ROLES:
        raise StaffError("staff.error.role", f"role must be one of {', '.join(ROLES)}")
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
    _check_password(password)
    staff.password_hash = hash_password(password)
    close_all_sessions(session, staff.id)

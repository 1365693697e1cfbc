"""The audit log: who did what to whose record, and when. Append-only; details name fields,
never values (the log outlives an erasure)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from bot.models import AuditLog

SYSTEM = "system"
PERSON = "person"  # the person themselves, through the bot


def staff_actor(staff_id: int) -> str:
    return f"staff:{staff_id}"


def audit(
    session: Session, actor: str, action: str, person_id: int | None, now: datetime, **details
) -> None:
    # One statement at once, not an object for the unit of work: a confirmation that
    # schedules a month of meetings writes it beside its few bulk statements.
    session.connection().execute(
        _INSERT,
        {"at": now, "actor": actor, "action": action, "person_id": person_id, "details": details},
    )


_INSERT = insert(AuditLog.__table__)

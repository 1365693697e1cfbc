"""The groups' due rows (shared scheduling: bot/scheduling/claim.py claims them): added once
per key, cancelled when what they were for changed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session

from bot.models import GroupTask
from bot.upsert import insert_or_skip

TO_DO = ("pending", "waiting")
# Sent the moment they fall due: not held by the daily cap or a conversation. (That the
# group goes on or has ended is news that can wait for the next allowed time.)
URGENT = ("change", "cancel", "announcement")


def add_task(
    session: Session,
    key: str,
    kind: str,
    group_id: int,
    due_at: datetime,
    now: datetime,
    *,
    person_id: int | None = None,
    meeting_id: int | None = None,
    note: str | None = None,
) -> bool:
    """A due row, unless one with this key exists (a retry adds nothing twice); whether it
    was added."""
    row = {"key": key, "kind": kind, "group_id": group_id, "due_at": due_at,
           "person_id": person_id, "meeting_id": meeting_id, "note": note}  # fmt: skip
    return add_tasks(session, [row], now) == 1


def add_tasks(session: Session, rows: list[dict], now: datetime) -> int:
    """Many due rows in one statement (a month of a group's reminders); a key that exists
    already is left as it is, so a retry adds nothing twice. Returns what the driver counts
    as added (exact for one row)."""
    if not rows:
        return 0
    session.flush()
    values = [
        {"meeting_id": None, "person_id": None, "note": None, **row, "status": "pending",
         "created_at": now}
        for row in rows
    ]  # fmt: skip
    return insert_or_skip(session.connection(), GroupTask.__table__, ("key",), values)


def cancel_tasks(
    session: Session,
    why: str,
    *,
    group_id: int | None = None,
    meeting_id: int | None = None,
    person_id: int | None = None,
    kinds: Iterable[str] | None = None,
) -> int:
    """Cancels what is still to do for a group, a meeting or a member."""
    conditions = [GroupTask.status.in_(TO_DO)]
    if group_id is not None:
        conditions.append(GroupTask.group_id == group_id)
    if meeting_id is not None:
        conditions.append(GroupTask.meeting_id == meeting_id)
    if person_id is not None:
        conditions.append(GroupTask.person_id == person_id)
    if kinds is not None:
        conditions.append(GroupTask.kind.in_(list(kinds)))
    session.flush()
    result = session.execute(
        update(GroupTask).where(*conditions).values(status="cancelled", note=why[:500])
    )
    return result.rowcount or 0

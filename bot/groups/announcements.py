"""The facilitator writing to the whole group through the service: each member gets the
text from the facilitator (never another member's number or name), and what they answer
reaches the facilitator's inbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.audit import audit
from bot.groups.errors import GroupError
from bot.groups.meetings import joined
from bot.groups.tasks import add_task
from bot.models import PeerGroup

MAX_LENGTH = 480


def announce(session: Session, group: PeerGroup, text: str, now: datetime, *, actor: str) -> int:
    """Queues the message to every member who joined; returns how many."""
    text = " ".join((text or "").split())
    if not text:
        raise GroupError("groups.error.announcement_empty")
    if len(text) > MAX_LENGTH:
        raise GroupError("groups.error.announcement_long")
    if group.status == "ended":
        raise GroupError("groups.error.ended")
    members = joined(session, group.id)
    stamp = int(now.timestamp() * 1000)
    # The whole group's row: every member who joined gets it when the tick fans it out.
    add_task(session, f"announcement:{group.id}:{stamp}:all", "announcement", group.id, now, now,
             note=text)  # fmt: skip
    audit(session, actor, "group.announced", None, now, group=group.id, members=len(members))
    return len(members)

"""Helpdesk work on the inbox: saved replies (admins keep them, a text per language; staff
send the person's language, edited or not), internal notes on a thread, and the threads
already handled, searchable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from bot.audit import audit, staff_actor
from bot.models import CannedReply, Inbound, Person, ThreadNote
from bot.people.filters import FoldedLike, escape_like

NOTE_MAX = 2000
TITLE_MAX = 80
TEXT_MAX = 1000


class HelpdeskError(ValueError):
    """The message is a key of the admin's catalog."""


def save_reply(
    session: Session, reply_id: int | None, title: str, texts: dict[str, str], languages,
    staff_id: int, now: datetime,
) -> CannedReply:  # fmt: skip
    title = (title or "").strip()
    cleaned = {k: v.strip() for k, v in texts.items() if k in languages and (v or "").strip()}
    if not title:
        raise HelpdeskError("replies.error.title")
    if not cleaned:
        raise HelpdeskError("replies.error.text")
    if any(len(v) > TEXT_MAX for v in cleaned.values()):
        raise HelpdeskError("inbox.error.too_long")
    row = session.get(CannedReply, reply_id) if reply_id else None
    if reply_id and row is None:
        raise HelpdeskError("replies.error.missing")
    if row is None:
        row = CannedReply(created_by=staff_id, created_at=now)
        session.add(row)
    row.title, row.texts, row.active, row.updated_at = title[:TITLE_MAX], cleaned, True, now
    session.flush()
    audit(session, staff_actor(staff_id), "replies.saved", None, now, reply=row.id)
    return row


def retire_reply(session: Session, reply_id: int, staff_id: int, now: datetime) -> None:
    row = session.get(CannedReply, reply_id)
    if row is not None:
        row.active, row.updated_at = False, now
        audit(session, staff_actor(staff_id), "replies.retired", None, now, reply=row.id)


def active_replies(session: Session) -> list[CannedReply]:
    return list(
        session.scalars(select(CannedReply).where(CannedReply.active).order_by(CannedReply.title))
    )


def reply_text(row: CannedReply, language: str | None, default: str) -> str:
    """The saved reply in the person's language, else the programme's."""
    return row.texts.get(language or default) or row.texts.get(default) or next(
        iter(row.texts.values()), ""
    )  # fmt: skip


def add_note(
    session: Session, person_id: int, staff_id: int, text: str, now: datetime
) -> ThreadNote:
    text = (text or "").strip()
    if not text:
        raise HelpdeskError("inbox.error.empty")
    if len(text) > NOTE_MAX:
        raise HelpdeskError("inbox.error.too_long")
    note = ThreadNote(person_id=person_id, staff_id=staff_id, text=text, created_at=now)
    session.add(note)
    session.flush()
    audit(session, staff_actor(staff_id), "inbox.noted", person_id, now, note=note.id)
    return note


def notes(session: Session, person_id: int) -> list[ThreadNote]:
    return list(
        session.scalars(
            select(ThreadNote).where(ThreadNote.person_id == person_id).order_by(ThreadNote.id)
        )
    )


def handled_threads(session: Session, people, query: str, limit: int, offset: int):
    """Threads whose messages were all handled: one row a person, the latest handled first;
    `query` finds a name or words they wrote."""
    open_people = select(Inbound.person_id).where(
        Inbound.handoff.is_not(None), Inbound.handled_at.is_(None)
    )
    where = [
        Inbound.handoff.is_not(None), Inbound.handled_at.is_not(None),
        Inbound.person_id.not_in(open_people), people, Person.erased_at.is_(None),
    ]  # fmt: skip
    said = (query or "").strip()[:80]
    if said:
        pattern = f"%{escape_like(said)}%"
        where.append(
            or_(FoldedLike(Person.display_name, pattern), FoldedLike(Inbound.text, pattern))
        )
    threads = (
        select(
            Inbound.person_id,
            func.count().label("messages"),
            func.max(Inbound.handled_at).label("handled"),
            func.max(Inbound.handled_by).label("handled_by"),
            func.max(Inbound.handoff).label("reason"),
        )
        .join(Person, Person.id == Inbound.person_id)
        .where(*where)
        .group_by(Inbound.person_id)
    ).subquery()
    rows = select(threads, Person.display_name).join(Person, Person.id == threads.c.person_id)
    total = session.execute(select(func.count()).select_from(threads)).scalar_one()
    found = session.execute(
        rows.order_by(threads.c.handled.desc()).limit(limit).offset(offset)
    ).all()
    return found, total

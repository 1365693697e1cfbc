"""A savings group as tests build it: staff register it with its members and officers."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.db import transaction
from bot.models import SavingsEntry, SavingsGroup, SavingsMeeting, SavingsMember, SavingsTask
from bot.savings import book, registry
from flows.savings.recording import MeetingReport

STAFF = "staff:1"


def register(stack, members: list[int], officers: dict[str, int], start: date, **changes) -> int:
    content = stack.services.content
    values = registry.SavingsGroupValues(
        name=changes.pop("name", "Hope savers"),
        kind=changes.pop("kind", "savings_and_loan"),
        district="central",
        language="en",
        facilitator_id=changes.pop("facilitator_id", None),
        constitution=content.savings.constitution(start, **changes),
    )
    with transaction(stack.engine) as session:
        group = registry.register(
            session, values, [(p, False) for p in members], officers, content, stack.clock(),
            actor=STAFF, by=None,
        )  # fmt: skip
        return group.id


def member_ids(stack, gid: int) -> dict[int, int]:
    """person id -> savings member id"""
    with transaction(stack.engine) as session:
        rows = session.exec(select(SavingsMember).where(SavingsMember.group_id == gid)).all()
        return {m.person_id: m.id for m in rows}


def meetings(stack, gid: int) -> list[SavingsMeeting]:
    with transaction(stack.engine) as session:
        rows = session.exec(
            select(SavingsMeeting)
            .where(SavingsMeeting.group_id == gid)
            .order_by(SavingsMeeting.starts_at)
        ).all()
        session.expunge_all()
        return list(rows)


def record(stack, gid: int, meeting_id: int, report: MeetingReport) -> None:
    with transaction(stack.engine) as session:
        book.record_meeting(
            session, session.get(SavingsGroup, gid), session.get(SavingsMeeting, meeting_id),
            report, stack.services.content, stack.clock(), actor=STAFF,
        )  # fmt: skip


def box(stack, gid: int):
    with transaction(stack.engine) as session:
        return book.box_of(session, session.get(SavingsGroup, gid))


def entries(stack, gid: int) -> list[SavingsEntry]:
    with transaction(stack.engine) as session:
        rows = session.exec(select(SavingsEntry).where(SavingsEntry.group_id == gid)).all()
        session.expunge_all()
        return list(rows)


def tasks(stack, gid: int, kind: str | None = None) -> list[SavingsTask]:
    with transaction(stack.engine) as session:
        query = select(SavingsTask).where(SavingsTask.group_id == gid)
        if kind:
            query = query.where(SavingsTask.kind == kind)
        rows = session.exec(query.order_by(SavingsTask.due_at)).all()
        session.expunge_all()
        return list(rows)


def set_member(stack, member_id: int, **fields) -> None:
    with transaction(stack.engine) as session:
        member = session.get(SavingsMember, member_id)
        for name, value in fields.items():
            setattr(member, name, value)

"""The savings groups' due rows: each member's meeting reminders (the day before, at the
meeting's time of day, and on its morning), repayment reminders (3 days before an instalment
and on the day), the share-out countdown, and the officers' report after each meeting.

A row's key carries what it is for (a meeting at its time, an instalment), so planning again
after a change adds the new rows and cancels those that no longer fit; a row already sent is
never sent again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session

from bot.models import SavingsGroup, SavingsMeeting, SavingsMember, SavingsTask
from bot.upsert import insert_or_skip
from flows.content import Content
from flows.pacing import at_local, next_slot
from flows.savings.constitution import Constitution
from flows.savings.loans import LoanTerms, schedule

TO_DO = ("pending", "waiting")
TASKS = SavingsTask.__table__
# Planned from the cycle (meetings and the countdown); loans plan their own.
CYCLE_KINDS = ("before", "morning", "share_out", "report", "health")
LOAN_KINDS = ("repay_before", "repay_day")
# The officers are asked for the meeting's record this long after it starts.
REPORT_AFTER = timedelta(hours=3)
# The group's health is looked at again this long after each meeting (instalments fall due
# between meetings, recorded or not): a repayment rate gone low reaches the facilitator.
HEALTH_AFTER = timedelta(days=1)


def _timezone(content: Content) -> str:
    return content.programme.get("default_timezone", "UTC")


def _at(day: date, clock: time, content: Content) -> datetime:
    """A local day and time, moved into the daytime window outside quiet hours."""
    zone = _timezone(content)
    return next_slot(at_local(day, clock, ZoneInfo(zone)), zone, content.delivery)


def _row(key, kind, group, due, *, member=None, meeting=None, loan=None, instalment=None):
    return {"key": key, "kind": kind, "group_id": group, "due_at": due, "member_id": member,
            "meeting_id": meeting, "loan_id": loan, "instalment": instalment}  # fmt: skip


def plan_cycle(
    session: Session, group: SavingsGroup, constitution: Constitution, content: Content,
    now: datetime,
) -> int:  # fmt: skip
    """The cycle's rows for every active member; returns how many are to do."""
    rules = content.savings
    members = list(
        session.scalars(
            select(SavingsMember.id).where(
                SavingsMember.group_id == group.id, SavingsMember.status == "active"
            )
        )
    )
    meetings = session.scalars(
        select(SavingsMeeting).where(
            SavingsMeeting.group_id == group.id,
            SavingsMeeting.cycle == group.cycle,
            SavingsMeeting.status == "scheduled",
            SavingsMeeting.starts_at > now,
        )
    ).all()
    rows = []
    for meeting in meetings:
        stamp = int(meeting.starts_at.timestamp())
        local = meeting.starts_at.astimezone(ZoneInfo(_timezone(content)))
        before = _at(
            local.date() - timedelta(days=rules.meeting_days_before), local.time(), content
        )
        morning = _at(local.date(), rules.morning, content)
        for member in members:
            for kind, due in (("before", before), ("morning", morning)):
                if now < due < meeting.starts_at:
                    rows.append(_row(f"sv:{kind}:{meeting.id}:{stamp}:{member}", kind, group.id,
                                     due, member=member, meeting=meeting.id))  # fmt: skip
        rows.append(
            _row(f"sv:report:{meeting.id}:{stamp}", "report", group.id,
                 meeting.starts_at + REPORT_AFTER, meeting=meeting.id)
        )  # fmt: skip
        rows.append(
            _row(f"sv:health:{meeting.id}:{stamp}", "health", group.id,
                 meeting.starts_at + HEALTH_AFTER, meeting=meeting.id)
        )  # fmt: skip
    if constitution.share_out_on is not None:
        for days in rules.share_out_days:
            due = _at(constitution.share_out_on - timedelta(days=days), rules.morning, content)
            if due > now:
                for member in members:
                    key = f"sv:share_out:{group.id}:{group.cycle}:{constitution.share_out_on}:{days}:{member}"
                    rows.append(_row(key, "share_out", group.id, due, member=member))
    _replace(session, group.id, CYCLE_KINDS, rows, now)
    return len(rows)


def plan_loan(
    session: Session, group_id: int, member_id: int, loan_id: int, terms: LoanTerms,
    content: Content, now: datetime,
) -> int:  # fmt: skip
    """Two reminders for each instalment of a loan just recorded."""
    rules = content.savings
    rows = []
    for instalment in schedule(terms):
        for kind, day in (
            ("repay_before", instalment.due_on - timedelta(days=rules.repayment_days_before)),
            ("repay_day", instalment.due_on),
        ):
            due = _at(day, rules.morning, content)
            if due > now:
                rows.append(_row(f"sv:{kind}:{loan_id}:{instalment.number}", kind, group_id, due,
                                 member=member_id, loan=loan_id, instalment=instalment.number))  # fmt: skip
    add(session, rows, now)
    return len(rows)


def add(session: Session, rows: list[dict], now: datetime) -> None:
    session.flush()
    values = [{**row, "status": "pending", "created_at": now} for row in rows]
    insert_or_skip(session.connection(), TASKS, ("key",), values)


def _replace(
    session: Session, group_id: int, kinds: Iterable[str], rows: list[dict], now: datetime
) -> None:
    """Adds `rows`; cancels what is still to do of these kinds for the group that is not
    among them (a meeting moved, a member gone)."""
    add(session, rows, now)
    keep = [row["key"] for row in rows]
    statement = update(SavingsTask).where(
        SavingsTask.group_id == group_id,
        SavingsTask.kind.in_(list(kinds)),
        SavingsTask.status.in_(TO_DO),
    )
    if keep:
        statement = statement.where(SavingsTask.key.not_in(keep))
    session.execute(statement.values(status="cancelled", note="no longer planned"))


def cancel(session: Session, why: str, **where) -> int:
    """Cancels what is still to do, by group_id, member_id, loan_id or meeting_id."""
    conditions = [SavingsTask.status.in_(TO_DO)]
    conditions += [getattr(SavingsTask, name) == value for name, value in where.items()]
    session.flush()
    return (
        session.execute(
            update(SavingsTask).where(*conditions).values(status="cancelled", note=why[:300])
        ).rowcount
        or 0
    )

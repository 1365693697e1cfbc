"""The ledger in the database: entries in, the box out (flows/savings/ledger.py adds them
up). A meeting's record becomes entries, attendance and reminders in one transaction; a
correction is a new entry naming the one it corrects. Nothing here updates or deletes an
entry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from bot.audit import audit
from bot.models import SavingsAttendance, SavingsEntry, SavingsGroup, SavingsMeeting
from bot.savings import reminders
from bot.savings.errors import SavingsError
from bot.savings.registry import constitution_of, members_of
from flows.content import Content
from flows.savings.constitution import Constitution
from flows.savings.ledger import KINDS, Box, Entry, add_up
from flows.savings.loans import LoanTerms
from flows.savings.recording import MeetingReport, Position, entries, loan_term, problems


def as_entry(row: SavingsEntry) -> Entry:
    return Entry(
        id=row.id,
        kind=row.kind,
        amount=row.amount,
        on=row.on,
        member=row.member_id,
        shares=row.shares,
        loan=row.loan_id,
        interest_percent=Decimal(row.interest_percent) if row.interest_percent else None,
        method=row.method,
        term_months=row.term_months,
        corrects=row.corrects_id,
        meeting=row.meeting_id,
    )


def rows_of(session: Session, group_id: int, cycle: int) -> list[SavingsEntry]:
    return list(
        session.scalars(
            select(SavingsEntry)
            .where(SavingsEntry.group_id == group_id, SavingsEntry.cycle == cycle)
            .order_by(SavingsEntry.id)
        )
    )


def box_of(session: Session, group: SavingsGroup, until: date | None = None) -> Box:
    return add_up([as_entry(r) for r in rows_of(session, group.id, group.cycle)], until=until)


def record_meeting(
    session: Session,
    group: SavingsGroup,
    meeting: SavingsMeeting,
    report: MeetingReport,
    content: Content,
    now: datetime,
    *,
    actor: str,
) -> list[SavingsEntry]:
    """The confirmed record of a meeting: once (a second record is a correction)."""
    if meeting.group_id != group.id:
        raise SavingsError("savings.error.meeting")
    if meeting.recorded_at is not None:
        raise SavingsError("savings.error.recorded")
    active = {m.id for m in members_of(session, group.id, active_only=True)}
    rows = write_report(session, group, report, meeting.on, content, now, actor=actor,
                        meeting_id=meeting.id, members=active)  # fmt: skip
    for member in sorted(active):
        session.add(
            SavingsAttendance(
                meeting_id=meeting.id, member_id=member, present=member in report.present
            )
        )
    meeting.recorded_at, meeting.recorded_by = now, actor
    session.flush()
    reminders.cancel(session, "recorded", meeting_id=meeting.id, kind="report")
    audit(session, actor, "savings.record", None, now, group=group.id, meeting=meeting.id,
          entries=len(rows))  # fmt: skip
    return rows


def write_report(
    session: Session, group: SavingsGroup, report: MeetingReport, on: date, content: Content,
    now: datetime, *, actor: str, meeting_id: int | None = None, members: set[int] | None = None,
) -> list[SavingsEntry]:  # fmt: skip
    """A report's entries, checked against the constitution and the box (a meeting's whole
    record, or a repayment or fine brought between meetings); new loans get reminders."""
    constitution = constitution_of(group, content)
    box = box_of(session, group)
    if members is None:
        members = {m.id for m in members_of(session, group.id, active_only=True)}
    wrong = problems(report, constitution, Position.of(box, members))
    if wrong:
        raise SavingsError(wrong[0].key, member=wrong[0].member, amount=wrong[0].amount)
    rows = []
    for spec in entries(report, constitution, box):
        row = SavingsEntry(
            group_id=group.id, cycle=group.cycle, meeting_id=meeting_id, member_id=spec.member,
            kind=spec.kind, amount=spec.amount, on=on, shares=spec.shares, loan_id=spec.loan,
            recorded_by=actor, recorded_at=now,
        )  # fmt: skip
        if spec.kind == "loan":
            _loan_terms(row, constitution, on)
        rows.append(row)
    session.add_all(rows)
    session.flush()
    for row in rows:
        if row.kind == "loan":
            reminders.plan_loan(
                session, group.id, row.member_id, row.id, terms_of(row), content, now
            )
    return rows


def _loan_terms(row: SavingsEntry, c: Constitution, on: date) -> None:
    row.interest_percent = str(c.interest_percent)
    row.method = c.interest_method
    row.term_months = loan_term(c, on)


def terms_of(row: SavingsEntry) -> LoanTerms:
    return LoanTerms(
        row.amount, row.on, Decimal(row.interest_percent or "0"), row.method or "flat",
        row.term_months or 1,
    )  # fmt: skip


def add_entry(
    session: Session, group: SavingsGroup, kind: str, amount: int, on: date, now: datetime, *,
    actor: str, member_id: int | None = None, shares: int = 0, loan_id: int | None = None,
    note: str | None = None, content: Content | None = None,
) -> SavingsEntry:  # fmt: skip
    """One entry outside a meeting's record (a social fund payout, a member leaving with
    their savings, the opening of a cycle)."""
    if kind not in KINDS or amount < 0:
        raise SavingsError("savings.error.entry")
    row = SavingsEntry(
        group_id=group.id, cycle=group.cycle, member_id=member_id, kind=kind, amount=amount,
        on=on, shares=shares, loan_id=loan_id, recorded_by=actor, recorded_at=now,
        note=(note or None) and note[:300],
    )  # fmt: skip
    if kind == "loan":
        if content is None:
            raise SavingsError("savings.error.entry")
        _loan_terms(row, constitution_of(group, content), on)
    session.add(row)
    session.flush()
    audit(session, actor, "savings.entry", None, now, group=group.id, kind=kind)
    return row


def correct(
    session: Session, group: SavingsGroup, entry_id: int, amount: int, now: datetime, *,
    actor: str, content: Content, shares: int | None = None, note: str | None = None,
) -> SavingsEntry:  # fmt: skip
    """A new entry with the right amount (0 takes it back) naming the one it corrects,
    which stays as it was. Correcting a loan plans its reminders again."""
    wrong = session.get(SavingsEntry, entry_id)
    if wrong is None or wrong.group_id != group.id or wrong.cycle != group.cycle:
        raise SavingsError("savings.error.entry")
    if session.scalar(select(SavingsEntry.id).where(SavingsEntry.corrects_id == wrong.id)):
        raise SavingsError("savings.error.corrected")  # correct the correction instead
    if amount < 0:
        raise SavingsError("savings.error.amount")
    constitution = constitution_of(group, content)
    if wrong.kind == "shares":
        shares = wrong.shares if shares is None else shares
        amount = shares * constitution.share_value
    row = SavingsEntry(
        group_id=group.id, cycle=group.cycle, meeting_id=wrong.meeting_id,
        member_id=wrong.member_id, kind=wrong.kind, amount=amount, on=wrong.on,
        shares=shares or 0 if wrong.kind in ("shares", "withdrawal") else 0,
        loan_id=wrong.loan_id, interest_percent=wrong.interest_percent, method=wrong.method,
        term_months=wrong.term_months, corrects_id=wrong.id, recorded_by=actor,
        recorded_at=now, note=(note or None) and note[:300],
    )  # fmt: skip
    session.add(row)
    session.flush()
    if wrong.kind == "loan":
        reminders.cancel(session, "corrected", loan_id=wrong.id)
        if amount:
            reminders.plan_loan(
                session, group.id, row.member_id, row.id, terms_of(row), content, now
            )
    audit(session, actor, "savings.correct", None, now, group=group.id, entry=wrong.id)
    return row

"""A group's health for its facilitator (flows/savings/health.py), read from the ledger and
the last meetings' attendance; when the repayment rate falls below the programme's threshold
the facilitator gets an alert, to offer support, never to press members."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlmodel import Session

from bot.audit import audit
from bot.models import Alert, SavingsAttendance, SavingsGroup, SavingsMeeting, SavingsMember
from bot.savings.book import box_of
from bot.savings.registry import today_in
from flows.content import Content
from flows.savings.health import Health, assess

REASON = "savings_repayment"
ALERT_DUE = timedelta(days=7)


def attendance(session: Session, group: SavingsGroup, last: int) -> list[tuple[int, int]]:
    """(present, members then) for the last `last` recorded meetings."""
    meetings = session.scalars(
        select(SavingsMeeting.id)
        .where(SavingsMeeting.group_id == group.id, SavingsMeeting.recorded_at.is_not(None))
        .order_by(SavingsMeeting.starts_at.desc())
        .limit(last)
    ).all()
    if not meetings:
        return []
    counts = {
        meeting: (int(present or 0), int(total))
        for meeting, present, total in session.execute(
            select(
                SavingsAttendance.meeting_id,
                func.sum(case((SavingsAttendance.present.is_(True), 1), else_=0)),
                func.count(),
            )
            .where(SavingsAttendance.meeting_id.in_(meetings))
            .group_by(SavingsAttendance.meeting_id)
        )
    }
    return [counts.get(m, (0, 0)) for m in meetings]


def health_of(session: Session, group: SavingsGroup, content: Content, now: datetime) -> Health:
    rules = content.savings
    today = today_in(content, now)
    members = session.scalar(
        select(func.count()).where(
            SavingsMember.group_id == group.id, SavingsMember.status == "active"
        )
    )
    return assess(
        box_of(session, group, until=today), members,
        attendance(session, group, rules.health_meetings), today,
        overdue_days=rules.overdue_days, alert_below=rules.repayment_alert_below,
    )  # fmt: skip


def check(session: Session, group: SavingsGroup, content: Content, now: datetime) -> Alert | None:
    """An alert for the facilitator when the repayment rate is low (one open at a time)."""
    health = health_of(session, group, content, now)
    if not health.low_repayment:
        return None
    tag = f"savings_group:{group.id}"
    open_one = session.scalar(
        select(Alert).where(
            Alert.reason == REASON, Alert.status == "open", Alert.detail.startswith(tag)
        )
    )
    if open_one is not None:
        return open_one
    alert = Alert(
        person_id=None, reason=REASON, severity="low", owner_id=group.facilitator_id,
        detail=f"{tag} {group.name}: repayment rate {health.repayment_rate}",
        due_at=now + ALERT_DUE, created_at=now,
    )  # fmt: skip
    session.add(alert)
    session.flush()
    audit(session, "system", "alert.raised", None, now, alert_id=alert.id, reason=REASON)
    return alert

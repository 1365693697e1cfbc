"""Alerts: raised by flows and the scheduler, owned by the person's facilitator, closed by staff."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.audit import audit, staff_actor
from bot.models import Alert, Person, Staff

DEFAULT_DUE_HOURS = {"high": 4, "medium": 24, "low": 72}
# The same reason again within this time adds to the open alert instead of a new one.
DEDUPE = timedelta(hours=1)


def raise_alert(
    session: Session,
    person: Person | None,
    reason: str,
    severity: str,
    detail: str | None,
    now: datetime,
    due_hours: dict[str, float] | None = None,
    while_open: bool = False,
) -> Alert:
    """`while_open`: one open alert of this reason per person is enough (a standing condition)."""
    person_id = person.id if person is not None else None
    conditions = [Alert.person_id == person_id, Alert.reason == reason, Alert.status == "open"]
    if not while_open:
        conditions.append(Alert.created_at >= now - DEDUPE)
    recent = session.exec(select(Alert).where(*conditions)).first()
    if recent is not None:
        return recent
    hours = (due_hours or DEFAULT_DUE_HOURS).get(severity, DEFAULT_DUE_HOURS["medium"])
    alert = Alert(
        person_id=person_id,
        reason=reason,
        severity=severity,
        detail=(detail or None) and detail[:500],
        owner_id=person.facilitator_id if person is not None else None,
        due_at=now + timedelta(hours=float(hours)),
        created_at=now,
    )
    session.add(alert)
    session.flush()
    audit(
        session,
        "system",
        "alert.raised",
        person_id,
        now,
        alert_id=alert.id,
        reason=reason,
        severity=severity,
    )
    return alert


def close_alert(session: Session, alert: Alert, staff_id: int, note: str, now: datetime) -> None:
    """Only with a note: what was done is part of the record."""
    if not note or not note.strip():
        raise ValueError("closing an alert needs a note saying what was done")
    alert.status = "closed"
    alert.closed_at = now
    alert.closed_by = staff_id
    alert.close_note = note.strip()
    audit(session, staff_actor(staff_id), "alert.closed", alert.person_id, now, alert_id=alert.id)


def assign_alert(
    session: Session, alert: Alert, owner_id: int | None, staff_id: int, now: datetime
) -> None:
    if owner_id is not None:
        owner = session.get(Staff, owner_id)
        if owner is None or not owner.active or owner.role == "viewer":
            raise ValueError("an alert's owner must be an active admin or facilitator")
    alert.owner_id = owner_id
    audit(
        session,
        staff_actor(staff_id),
        "alert.assigned",
        alert.person_id,
        now,
        alert_id=alert.id,
        owner=owner_id,
    )

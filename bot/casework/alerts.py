"""Alerts: raised by flows and the scheduler, owned by the person's facilitator, closed by staff."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.audit import audit, staff_actor
from bot.db import parse_id
from bot.integrations import events
from bot.models import Alert, AlertMessage, Person, Staff
from bot.people.assignment import facilitator_for_district
from flows.alerts import EMERGENCY
from flows.vocabulary import SEVERITIES

DEFAULT_DUE_HOURS = {"high": 4, "medium": 24, "low": 72}
# The same reason again within this time adds to the open alert instead of a new one.
DEDUPE = timedelta(hours=1)


OWNER_ROLES = ("admin", "facilitator")


def can_own_alerts(staff: Staff | None) -> bool:
    """An active admin or facilitator; a viewer never owns an alert (nor is told of one)."""
    return staff is not None and staff.active and staff.role in OWNER_ROLES


def alert_owner(session: Session, person: Person | None, programme: dict) -> int | None:
    """Every alert has an owner the moment it exists: the person's facilitator, else one
    covering their district, else the programme's safeguarding lead (else the longest-serving
    active admin, so that even a programme set up without a lead has someone)."""
    if person is not None and person.facilitator_id is not None:
        return person.facilitator_id
    covering = facilitator_for_district(session, person.district) if person else None
    return covering if covering is not None else safeguarding_lead(session, programme)


def safeguarding_lead(session: Session, programme: dict) -> int | None:
    lead = parse_id(programme.get("safeguarding_lead_id"))
    if lead is not None:
        staff = session.get(Staff, lead)
        if can_own_alerts(staff):
            return staff.id
    return session.exec(
        select(Staff.id).where(Staff.role == "admin", Staff.active.is_(True)).order_by(Staff.id)
    ).first()


def raise_alert(
    session: Session,
    person: Person | None,
    reason: str,
    severity: str,
    detail: str | None,
    now: datetime,
    programme: dict | None = None,
    while_open: bool = False,
    joins: Iterable[str] = (),
    inbound_id: int | None = None,
) -> Alert:
    """`while_open`: one open alert of this reason per person is enough (a standing condition).
    `joins`: reasons whose open alert this one adds to, however long ago it was raised (a
    cry for help after an earlier one: the same alert, the new message kept beside the first,
    the severity raised if higher). Every alert keeps each message that raised it."""
    programme = programme or {}
    due_hours = programme.get("alert_due_hours") or DEFAULT_DUE_HOURS
    hours = due_hours.get(severity, DEFAULT_DUE_HOURS.get(severity, DEFAULT_DUE_HOURS["medium"]))
    person_id = person.id if person is not None else None
    open_now = [Alert.person_id == person_id, Alert.status == "open"]
    joins = tuple(joins)
    if person is None:
        recent = None  # an alert with no person (anonymous) stands alone
    elif joins:
        recent = session.exec(
            select(Alert).where(*open_now, Alert.reason.in_(joins)).order_by(Alert.id)
        ).first()
    else:
        conditions = [*open_now, Alert.reason == reason]
        if not while_open:
            conditions.append(Alert.created_at >= now - DEDUPE)
        recent = session.exec(select(Alert).where(*conditions)).first()
    if recent is not None:
        if while_open and not joins:
            return recent
        _add_message(session, recent, reason, severity, detail, now, inbound_id)
        if _rank(severity) > _rank(recent.severity):
            recent.severity = severity
            recent.due_at = min(recent.due_at, now + timedelta(hours=float(hours)))
        audit(
            session,
            "system",
            "alert.repeated",
            person_id,
            now,
            alert_id=recent.id,
            reason=reason,
            severity=severity,
        )
        return recent
    alert = Alert(
        person_id=person_id,
        reason=reason,
        severity=severity,
        detail=(detail or None) and detail[:500],
        owner_id=alert_owner(session, person, programme),
        due_at=now + timedelta(hours=float(hours)),
        created_at=now,
    )
    session.add(alert)
    session.flush()
    _add_message(session, alert, reason, severity, detail, now, inbound_id)
    events.emit(session, "alert.created", _event(session, alert), now, str(alert.id))
    audit(
        session,
        "system",
        "alert.raised",
        person_id,
        now,
        alert_id=alert.id,
        reason=reason,
        severity=severity,
        owner=alert.owner_id,
    )
    return alert


def _event(session: Session, alert: Alert) -> dict:
    """What an integration hears of an alert: never its words, the person by public id."""
    person = session.get(Person, alert.person_id) if alert.person_id else None
    return {"alert": alert.id, "person": person.public_id if person else None,
            "reason": alert.reason, "severity": alert.severity, "status": alert.status}  # fmt: skip


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 1


def _add_message(
    session: Session,
    alert: Alert,
    reason: str,
    severity: str,
    detail: str | None,
    now: datetime,
    inbound_id: int | None,
) -> None:
    session.add(
        AlertMessage(
            alert_id=alert.id,
            inbound_id=inbound_id,
            reason=reason,
            severity=severity,
            detail=(detail or None) and detail[:500],
            at=now,
        )
    )


UNDELIVERED = "emergency_undelivered"


def note_undelivered(session: Session, outbound, code: str | None, now: datetime) -> None:
    """The emergency reply did not reach them (the provider refused it, Twilio 21610 for one):
    said on their open alert, so that staff call instead of waiting for an answer."""
    if outbound.origin != EMERGENCY or outbound.person_id is None:
        return
    alert = session.exec(
        select(Alert)
        .where(Alert.person_id == outbound.person_id, Alert.status == "open")
        .order_by(Alert.id.desc())
    ).first()
    if alert is None:
        return
    detail = f"{outbound.channel} {code or 'failed'}"
    _add_message(session, alert, UNDELIVERED, alert.severity, detail, now, None)
    audit(
        session, "system", "alert.undelivered", alert.person_id, now, alert_id=alert.id, code=code
    )


def close_alert(session: Session, alert: Alert, staff_id: int, note: str, now: datetime) -> None:
    """Only with a note: what was done is part of the record."""
    if not note or not note.strip():
        raise ValueError("closing an alert needs a note saying what was done")
    alert.status = "closed"
    alert.closed_at = now
    alert.closed_by = staff_id
    alert.close_note = note.strip()
    audit(session, staff_actor(staff_id), "alert.closed", alert.person_id, now, alert_id=alert.id)
    events.emit(session, "alert.closed", _event(session, alert), now, str(alert.id))


def assign_alert(
    session: Session, alert: Alert, owner_id: int | None, staff_id: int, now: datetime
) -> None:
    if owner_id is not None:
        owner = session.get(Staff, owner_id)
        if not can_own_alerts(owner):
            raise ValueError("an alert's owner must be an active admin or facilitator")
    if owner_id != alert.owner_id and owner_id not in (None, staff_id):
        # Handed to someone else: they are told as a new owner would be (bot/casework/notices).
        alert.owner_noticed_at = None
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

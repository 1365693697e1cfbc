"""Who may see whom: admins everyone, facilitators the people assigned to them (and the
alerts they own), viewers nobody in person (aggregates only). Asking for someone outside
your scope is a 404, so that existence does not leak either."""

from __future__ import annotations

from sqlalchemy import false, or_, select, true
from sqlmodel import Session

from admin.deps import NotFound
from bot.models import Alert, Person, Staff


def people_condition(staff: Staff):
    if staff.role == "admin":
        return true()
    if staff.role == "facilitator":
        return Person.facilitator_id == staff.id
    return false()


def visible_person(session: Session, staff: Staff, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise NotFound()
    if staff.role == "admin" or (staff.role == "facilitator" and person.facilitator_id == staff.id):
        return person
    raise NotFound()


def alerts_condition(staff: Staff):
    if staff.role == "admin":
        return true()
    if staff.role == "facilitator":
        theirs = select(Person.id).where(Person.facilitator_id == staff.id)
        return or_(Alert.owner_id == staff.id, Alert.person_id.in_(theirs))
    return false()


def visible_alert(session: Session, staff: Staff, alert_id: int, lock: bool = False) -> Alert:
    """`lock` for a change: two staff closing the same alert at once, the second waits and
    then finds it closed, instead of overwriting the first one's note."""
    alert = session.get(Alert, alert_id, with_for_update=lock)
    if alert is None:
        raise NotFound()
    if staff.role == "admin":
        return alert
    if staff.role == "facilitator":
        if alert.owner_id == staff.id:
            return alert
        person = session.get(Person, alert.person_id) if alert.person_id else None
        if person is not None and person.facilitator_id == staff.id:
            return alert
    raise NotFound()


def sees_savings_amounts(staff: Staff, group) -> bool:
    """A savings group's amounts: for admins and the group's own facilitator only."""
    return staff.role == "admin" or group.facilitator_id == staff.id

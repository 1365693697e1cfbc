"""Who may see whom: admins everyone, facilitators the people assigned to them, viewers
nobody in person (aggregates only). Asking for someone outside your scope is a 404."""

from __future__ import annotations

from sqlalchemy import true
from sqlmodel import Session

from admin.deps import NotFound
from bot.models import Person, Staff


def people_condition(staff: Staff):
    if staff.role == "admin":
        return true()
    if staff.role == "facilitator":
        return Person.facilitator_id == staff.id
    return Person.id.is_(None)  # nobody


def visible_person(session: Session, staff: Staff, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise NotFound()
    if staff.role == "admin" or (staff.role == "facilitator" and person.facilitator_id == staff.id):
        return person
    raise NotFound()

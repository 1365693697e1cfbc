"""Assignment: which facilitator a person's messages and alerts go to."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from bot.models import Person, Staff


def facilitator_for_district(session: Session, district: str | None) -> int | None:
    """The facilitator covering a district with the fewest people; None if nobody covers it."""
    if not district:
        return None
    covering = [
        staff
        for staff in session.exec(
            select(Staff).where(Staff.role == "facilitator", Staff.active.is_(True))
        ).all()
        if district in (staff.districts or [])
    ]
    if not covering:
        return None
    loads = dict(
        session.exec(
            select(Person.facilitator_id, func.count())
            .where(Person.facilitator_id.in_([s.id for s in covering]))
            .group_by(Person.facilitator_id)
        ).all()
    )
    return min(covering, key=lambda s: (loads.get(s.id, 0), s.id)).id

"""Staff as pages name and offer them: names for ids, facilitators to assign people to,
and who may own an alert or an inbox thread."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlmodel import Session

from bot.casework.alerts import OWNER_ROLES
from bot.models import Staff


def staff_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Staff.id, Staff.name)).all())


def facilitators(session: Session) -> list[tuple[int, str]]:
    return _choices(session, Staff.role == "facilitator")


def owners(session: Session, facilitator_id: int | None = None) -> list[tuple[int, str]]:
    """Who can be given an alert or a thread: admins and facilitators; for a thread only the
    person's own facilitator among them (`facilitator_id`), so that it can be opened."""
    if facilitator_id is None:
        return _choices(session, Staff.role.in_(OWNER_ROLES))
    return _choices(session, or_(Staff.role == "admin", Staff.id == facilitator_id))


def _choices(session: Session, condition) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Staff.id, Staff.name).where(Staff.active.is_(True), condition).order_by(Staff.name)
    )
    return [(row.id, row.name) for row in rows]

"""The people list: filtered, scoped to what the staff member may see, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from admin.paging import PER_PAGE, Page
from admin.scope import people_condition
from admin.staff_choices import staff_names
from bot.models import Contact, Person, Staff
from bot.people.filters import PeopleFilter


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str | None
    role: str | None
    district: str | None
    status: str
    return_date: date | None
    language: str | None
    channels: tuple[str, ...]
    facilitator: str | None
    unreachable: bool
    paused: bool
    assisted: bool
    outcome: str | None
    enrolled_at: datetime | None


COLUMNS = (
    Person.id, Person.display_name, Person.role, Person.district, Person.status,
    Person.return_date, Person.language, Person.facilitator_id, Person.unreachable_at,
    Person.followup_paused, Person.enrolled_by_staff, Person.outcome, Person.enrolled_at,
)  # fmt: skip


def list_people(session: Session, staff: Staff, filters: PeopleFilter, number: int) -> Page:
    where = [people_condition(staff), *filters.conditions()]
    total = session.execute(select(func.count()).select_from(Person).where(*where)).scalar_one()
    page = Page([], min(number, max(1, -(-total // PER_PAGE))), total)
    records = session.execute(
        select(*COLUMNS)
        .where(*where)
        .order_by(Person.id.desc())
        .limit(PER_PAGE)
        .offset(page.offset)
    ).all()
    ids = [r.id for r in records]
    channels: dict[int, set[str]] = {}
    if ids:
        for person_id, channel in session.execute(
            select(Contact.person_id, Contact.channel).where(
                Contact.person_id.in_(ids), Contact.stopped.is_(False)
            )
        ):
            channels.setdefault(person_id, set()).add(channel)
    names = staff_names(session)
    rows = [
        PersonRow(
            id=r.id,
            name=r.display_name,
            role=r.role,
            district=r.district,
            status=r.status,
            return_date=r.return_date,
            language=r.language,
            channels=tuple(sorted(channels.get(r.id, ()))),
            facilitator=names.get(r.facilitator_id),
            unreachable=r.unreachable_at is not None,
            paused=bool(r.followup_paused),
            assisted=bool(r.enrolled_by_staff),
            outcome=r.outcome,
            enrolled_at=r.enrolled_at,
        )
        for r in records
    ]
    return Page(rows, page.number, total)

"""The mentor registry: volunteers registered (by staff, or from the chat), their screening,
training and approval recorded, and where each stands (ready, training lapsed, load)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from bot.audit import audit
from bot.mentoring import load
from bot.models import Mentor, MentorRequest, Person
from flows.content import Content
from flows.mentoring.training import refresher_due, training_current

STATUSES = ("applied", "approved", "paused", "withdrawn")
MAX_CAPACITY = 10
TEXT_FIELDS = {"abroad_in": 60, "note": 500, "availability": 16}


class MentorError(ValueError):
    """A change staff asked for that cannot be made; `key` words it in the admin."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class MentorView:
    id: int
    person_id: int
    name: str | None
    district: str | None
    status: str
    capacity: int
    load: int  # matches under way
    training: str  # current, lapsed, none
    refresher_due: date | None
    mentor: Mentor


def register(
    session: Session, person: Person, content: Content, now: datetime, *, actor: str
) -> Mentor:
    """The person becomes a mentor who applied (once; a second call finds the same row)."""
    if person.erased_at is not None or person.status == "erased":
        raise MentorError("mentoring.error.erased")
    found = session.scalar(select(Mentor).where(Mentor.person_id == person.id))
    if found is not None:
        if found.status == "withdrawn":
            found.status, found.updated_at = "applied", now
        return found
    mentor = Mentor(
        person_id=person.id,
        capacity=content.mentoring.capacity,
        returned_on=person.return_date,
        created_at=now,
        updated_at=now,
    )
    session.add(mentor)
    session.flush()
    audit(session, actor, "mentor.registered", person.id, now, mentor=mentor.id)
    return mentor


def update(
    session: Session,
    mentor: Mentor,
    content: Content,
    values: dict,
    today: date,
    now: datetime,
    *,
    actor: str,
) -> list[str]:
    """Changes what staff recorded; returns the names of the fields that changed. Approval
    needs screening and an initial training of the required length still current."""
    rules = content.mentoring
    new = {}
    if "status" in values:
        if values["status"] not in STATUSES:
            raise MentorError("mentoring.error.status")
        new["status"] = values["status"]
    if "capacity" in values:
        capacity = values["capacity"]
        if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
            raise MentorError("mentoring.error.capacity")
        new["capacity"] = capacity
    for name in ("screened_on", "trained_on", "refreshed_on", "returned_on"):
        if name in values:
            day = values[name]
            if day is not None and day > today:
                raise MentorError("mentoring.error.future")
            new[name] = day
    if "training_days" in values:
        days = values["training_days"]
        if days is not None and not 0 <= days <= 60:
            raise MentorError("mentoring.error.training_days")
        new["training_days"] = days
    if "years_abroad" in values:
        years = values["years_abroad"]
        if years is not None and not 0 <= years <= 60:
            raise MentorError("mentoring.error.years")
        new["years_abroad"] = years
    for name, limit in TEXT_FIELDS.items():
        if name in values:
            text = (values[name] or "").strip() or None
            if text is not None and len(text) > limit:
                raise MentorError("mentoring.error.too_long")
            new[name] = text
    for name in ("languages", "skills"):
        if name in values:
            new[name] = sorted({str(v) for v in values[name] if v})

    def after(name: str):
        return new.get(name, getattr(mentor, name))

    if new.get("status") == "approved" and mentor.status != "approved":
        if after("screened_on") is None:
            raise MentorError("mentoring.error.not_screened")
        if not training_current(
            after("trained_on"), after("training_days"), after("refreshed_on"), today, rules
        ):
            raise MentorError("mentoring.error.not_trained")
        new["approved_at"] = now
    changed = sorted(name for name, value in new.items() if getattr(mentor, name) != value)
    for name in changed:
        setattr(mentor, name, new[name])
    if changed:
        mentor.updated_at = now
        # Field names only: the values are the person's and stay out of the log.
        audit(session, actor, "mentor.updated", mentor.person_id, now, fields=changed)
    return changed


def mentors(session: Session, content: Content, today: date) -> list[MentorView]:
    taken = load.places_taken(session)
    rules = content.mentoring
    rows = session.execute(
        select(Mentor, Person)
        .join(Person, Person.id == Mentor.person_id)
        .where(Mentor.status != "withdrawn", Person.erased_at.is_(None))
        .order_by(Person.district, Person.display_name, Mentor.id)
    ).all()
    views = []
    for mentor, person in rows:
        due = refresher_due(mentor.trained_on, mentor.refreshed_on, rules)
        if mentor.trained_on is None:
            training = "none"
        elif training_current(
            mentor.trained_on, mentor.training_days, mentor.refreshed_on, today, rules
        ):
            training = "current"
        else:
            training = "lapsed"
        views.append(
            MentorView(
                mentor.id,
                person.id,
                person.display_name,
                person.district,
                mentor.status,
                mentor.capacity,
                taken.get(mentor.id, 0),
                training,
                due,
                mentor,
            )
        )
    return views


def ask_for_mentor(
    session: Session, person: Person, now: datetime, *, actor: str, via: str = "staff", **prefs
) -> MentorRequest:
    """A request for a mentor (from the chat, or staff on the person's behalf); a second one
    while the first waits changes its preferences."""
    if person.status != "active":
        raise MentorError("mentoring.error.not_active")
    found = session.scalar(
        select(MentorRequest).where(
            MentorRequest.person_id == person.id, MentorRequest.status == "waiting"
        )
    )
    if found is None:
        found = MentorRequest(person_id=person.id, via=via, requested_at=now)
        session.add(found)
        audit(session, actor, "mentoring.requested", person.id, now)
    for name, value in prefs.items():
        setattr(found, name, value)
    session.flush()
    return found

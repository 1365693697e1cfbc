"""What staff do to a person's record: correct the profile, pause and resume follow-ups,
assign a facilitator, record an outcome, enrol someone on their behalf. Every change is
audited by field name (values stay out of the log, which outlives an erasure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, update
from sqlmodel import Session, select

from bot.followup.prompts import PAUSED_NOTE, enrol, recompute
from bot.models import Contact, Conversation, Person, ScheduledPrompt, Staff
from bot.people.contacts import audit, record_consents
from flows.content import Content

# Fields staff may correct, and the option set each must come from (None: free text).
EDITABLE: dict[str, str | None] = {
    "display_name": None,
    "role": "role",
    "district": "district",
    "district_other": None,
    "gender": "gender",
    "age_band": "age_band",
    "sector": "sector",
    "sector_other": None,
    "interests": "interests",
    "preferred_time": "preferred_time",
}
# A change to any of these can change the plan or its timing.
PLAN_FIELDS = frozenset({"return_date", "role", "age_band", "timezone", "preferred_time"})
# Known only from staff (the bot never asks): they choose longer or denser plans.
VULNERABILITIES = ("trafficking", "unaccompanied_minor", "serious_illness", "disability")


class CaseworkError(ValueError):
    """A change that cannot be made; the message is a key of the admin's catalog."""


# A return date before this is a typo (0202 for 2022): the plan could not even be stored.
EARLIEST_RETURN = date(1990, 1, 1)


def _check_return_date(value: date, now: datetime) -> None:
    if value > now.date():
        raise CaseworkError("person.error.future_date")
    if value < EARLIEST_RETURN:
        raise CaseworkError("person.error.old_date")


def _actor(staff_id: int) -> str:
    return f"staff:{staff_id}"


def _clean(content: Content, name: str, raw: str | None):
    value = (raw or "").strip()
    if not value:
        return None
    option_set = EDITABLE.get(name)
    if option_set is not None and value not in content.option_sets.get(option_set, ()):
        raise CaseworkError("person.error.option")
    if name in ("display_name", "district_other", "sector_other") and len(value) > 80:
        raise CaseworkError("person.error.too_long")
    return value


def correct_profile(
    session: Session,
    person: Person,
    content: Content,
    staff_id: int,
    now: datetime,
    values: dict[str, str | None],
    return_date: date | None = None,
    language: str | None = None,
    timezone: str | None = None,
    vulnerabilities: list[str] | None = None,
) -> list[str]:
    """Applies the fields given; returns the names that changed. A change to the return
    date (or anything else a plan depends on) recomputes the pending part of the plan."""
    changed: list[str] = []
    for name, raw in values.items():
        if name not in EDITABLE:
            continue
        value = _clean(content, name, raw)
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if return_date is not None and return_date != person.return_date:
        _check_return_date(return_date, now)
        person.return_date, person.return_date_precision = return_date, "day"
        changed.append("return_date")
    if language and language != person.language:
        if language not in content.languages:
            raise CaseworkError("person.error.option")
        person.language = language
        changed.append("language")
    if timezone and timezone != person.timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise CaseworkError("person.error.timezone") from error
        person.timezone = timezone
        changed.append("timezone")
    if vulnerabilities is not None:
        chosen = sorted(v for v in set(vulnerabilities) if v in VULNERABILITIES)
        if chosen != sorted(person.vulnerabilities or []):
            person.vulnerabilities = chosen
            changed.append("vulnerabilities")
    if not changed:
        return []
    person.updated_at = now
    audit(session, _actor(staff_id), "profile.corrected", person.id, now, fields=sorted(changed))
    replan = PLAN_FIELDS.intersection(changed) or "vulnerabilities" in changed
    if replan and person.status == "active" and person.outcome is None:
        recompute(session, person, content, now, _actor(staff_id))
    return changed


def set_paused(
    session: Session, person: Person, paused: bool, staff_id: int, now: datetime
) -> None:
    """Paused: nothing is sent (the scheduler holds due prompts). Resumed: what was held
    falls due at once, still inside the person's daytime window."""
    if person.followup_paused == paused:
        return
    person.followup_paused = paused
    person.updated_at = now
    if not paused:
        session.exec(
            update(ScheduledPrompt)
            .where(
                ScheduledPrompt.person_id == person.id,
                ScheduledPrompt.status.in_(("pending", "waiting")),
                ScheduledPrompt.note == PAUSED_NOTE,
                ScheduledPrompt.due_at > now,
            )
            .values(due_at=now, note=None)
        )
    audit(
        session,
        _actor(staff_id),
        "followup.paused" if paused else "followup.resumed",
        person.id,
        now,
    )


def assign_facilitator(
    session: Session, person: Person, facilitator_id: int | None, staff_id: int, now: datetime
) -> None:
    if facilitator_id is not None:
        staff = session.get(Staff, facilitator_id)
        if staff is None or not staff.active or staff.role != "facilitator":
            raise CaseworkError("person.error.facilitator")
    if person.facilitator_id == facilitator_id:
        return
    person.facilitator_id = facilitator_id
    audit(session, _actor(staff_id), "person.assigned", person.id, now, facilitator=facilitator_id)


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


@dataclass(frozen=True)
class AssistedEnrolment:
    """What a facilitator records when enrolling someone in person."""

    display_name: str
    language: str
    role: str
    district: str | None
    return_date: date | None
    gender: str | None = None
    age_band: str | None = None
    sector: str | None = None
    interests: str | None = None
    preferred_time: str | None = None
    phone: str | None = None  # E.164, already checked; None: no phone of their own
    consent_messages: bool = False
    consent_surveys: bool = False
    guardian_consent: bool = False
    vulnerabilities: tuple[str, ...] = ()


def enrol_assisted(
    session: Session, form: AssistedEnrolment, content: Content, staff: Staff, now: datetime
) -> Person:
    """Facilitator-assisted enrolment: the answers are the person's, recorded on their
    behalf and marked so (consents on the "staff" channel, enrolled_by_staff)."""
    if not form.consent_messages:
        # Nothing is kept without consent, on this path as on the bot's.
        raise CaseworkError("person.error.consent")
    if not form.display_name.strip():
        raise CaseworkError("person.error.name")
    for name in ("role", "district", "gender", "age_band", "sector", "interests", "preferred_time"):
        _clean(content, name, getattr(form, name))
    if form.language not in content.languages:
        raise CaseworkError("person.error.option")
    if form.return_date is not None:
        _check_return_date(form.return_date, now)
    if form.phone:
        taken = session.exec(
            select(Contact).where(Contact.channel == "sms", Contact.address == form.phone)
        ).first()
        if taken is not None:
            raise CaseworkError("person.error.phone_taken")
    person = Person(
        status="active",
        language=form.language,
        display_name=form.display_name.strip()[:80],
        role=form.role,
        district=form.district,
        return_date=form.return_date,
        return_date_precision="day" if form.return_date else None,
        gender=form.gender,
        age_band=form.age_band,
        sector=form.sector,
        interests=form.interests,
        preferred_time=form.preferred_time,
        vulnerabilities=sorted(v for v in set(form.vulnerabilities) if v in VULNERABILITIES),
        enrolled_by_staff=True,
        facilitator_id=staff.id
        if staff.role == "facilitator"
        else facilitator_for_district(session, form.district),
        created_at=now,
        updated_at=now,
    )
    session.add(person)
    session.flush()
    if form.phone:
        session.add(Contact(person_id=person.id, channel="sms", address=form.phone, created_at=now))
    session.add(Conversation(person_id=person.id, updated_at=now))
    version = str(content.programme.get("consent_version", ""))
    decisions = [("messages", True), ("surveys", form.consent_surveys)]
    if form.guardian_consent:
        decisions.append(("guardian", True))
    record_consents(session, person.id, decisions, version, "staff", now)
    session.flush()
    audit(session, _actor(staff.id), "enrolled.assisted", person.id, now, phone=bool(form.phone))
    enrol(session, person, content, now)
    return person


def record_answers_on_behalf(
    session: Session,
    person: Person,
    response,
    dangers,
    content: Content,
    staff_id: int,
    now: datetime,
) -> int:
    """Stores answers staff took down (flows/assisted.py decided them); alerts as the bot
    would raise them. Returns the response id."""
    from bot.casework.alerts import raise_alert
    from bot.followup.responses import record_response
    from bot.people.contacts import consents_of, local_today

    # Answers taken down in person need the same consent as answers given to the bot.
    if person.status != "active" or not consents_of(session, person.id).get("surveys"):
        raise CaseworkError("person.error.survey_consent")

    if response.prompt_id is not None:
        _answer_prompt(session, person, response.prompt_id, response.instrument, now)
    stored = record_response(
        session, person, None, response, local_today(person, content, now), recorded_by=staff_id
    )
    due_hours = content.programme.get("alert_due_hours")
    for danger in dangers:
        raise_alert(session, person, danger.reason, danger.severity, danger.detail, now, due_hours)
    audit(
        session,
        _actor(staff_id),
        "answers.recorded_on_behalf",
        person.id,
        now,
        instrument=response.instrument,
        wave=response.wave,
    )
    return stored.id


ANSWERABLE = ("pending", "waiting", "open")


def steps_to_answer(session: Session, person: Person, instrument: str) -> list[ScheduledPrompt]:
    """The steps of their plan that answers taken down now could stand for."""
    return list(
        session.exec(
            select(ScheduledPrompt)
            .where(
                ScheduledPrompt.person_id == person.id,
                ScheduledPrompt.instrument == instrument,
                ScheduledPrompt.status.in_(ANSWERABLE),
            )
            .order_by(ScheduledPrompt.due_at)
        ).all()
    )


def _answer_prompt(session: Session, person: Person, prompt_id: int, instrument: str, now) -> None:
    prompt = session.get(ScheduledPrompt, prompt_id)
    if (
        prompt is None
        or prompt.person_id != person.id
        or prompt.instrument != instrument
        or prompt.status not in ANSWERABLE
    ):
        raise CaseworkError("person.error.step")
    prompt.status, prompt.answered_at, prompt.note = "answered", now, "answered with staff"
    person.missed_in_row = 0
    # If the bot was asking these very questions, it stops: they are answered.
    conversation = session.exec(
        select(Conversation).where(Conversation.person_id == person.id).with_for_update()
    ).first()
    if conversation is not None and (conversation.state.get("prompt") or {}).get("id") == prompt_id:
        conversation.flow, conversation.step, conversation.state = None, None, {}
        conversation.updated_at = now

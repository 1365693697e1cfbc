"""Facilitator-assisted work: enrolling someone in person (no phone needed), and answers
staff take down on a person's behalf. Marked as such everywhere (consents on the "staff"
channel, `enrolled_by_staff`, `recorded_by`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from bot.audit import audit, staff_actor
from bot.casework.alerts import raise_alert
from bot.casework.corrections import CaseworkError, check_return_date, clean_field
from bot.followup.plans import enrol
from bot.followup.responses import record_response
from bot.integrations.events import enrolled
from bot.models import Contact, Conversation, Person, ScheduledPrompt, Staff
from bot.people.assignment import facilitator_for_district
from bot.people.consents import consents_of, record_consents
from bot.people.local_time import local_today
from bot.people.profile import CHOSEN_FIELDS, VULNERABILITIES
from flows.content import Content


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
    for name in CHOSEN_FIELDS:
        clean_field(content, name, getattr(form, name))
    if form.language not in content.languages:
        raise CaseworkError("person.error.option")
    if form.return_date is not None:
        check_return_date(form.return_date, now)
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
    audit(
        session, staff_actor(staff.id), "enrolled.assisted", person.id, now, phone=bool(form.phone)
    )
    enrolled(session, person, now, "staff")
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
    """Stores answers staff took down (flows/followup/assisted.py decided them); alerts as the bot
    would raise them. Returns the response id."""
    # Answers taken down in person need the same consent as answers given to the bot.
    if person.status != "active" or not consents_of(session, person.id).get("surveys"):
        raise CaseworkError("person.error.survey_consent")

    if response.prompt_id is not None:
        _answer_prompt(session, person, response.prompt_id, response.instrument, now)
    stored = record_response(
        session, person, None, response, local_today(person, content, now), recorded_by=staff_id
    )
    for danger in dangers:
        raise_alert(
            session, person, danger.reason, danger.severity, danger.detail, now, content.programme
        )
    audit(
        session,
        staff_actor(staff_id),
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

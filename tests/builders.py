"""Shared builders for tests: people and staff as the bot would have stored them, a person
enrolled through the real conversation, a simulated year, answers stored the bot's way.
Test modules import from here (and from tests/fakes, tests/stack.py), never from each other.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from sqlmodel import select

from bot.casework.staff_links import new_code
from bot.db import transaction
from bot.followup import anonymity
from bot.followup.responses import record_response
from bot.models import (
    Alert,
    Consent,
    Contact,
    Conversation,
    Mentor,
    MentorRequest,
    Person,
    ScheduledPrompt,
    Staff,
)
from bot.staff import hash_password
from flows.followup.effects import RecordResponse
from flows.survey.scoring import score

PASSWORD = "correct horse battery"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per test run


def add_staff(stack, email: str, role: str, name: str | None = None, **fields) -> int:
    with transaction(stack.engine) as session:
        staff = Staff(
            email=email,
            name=name or email.split("@")[0].title(),
            password_hash=_password_hash(),
            role=role,
            created_at=stack.clock(),
            **fields,
        )
        session.add(staff)
        session.flush()
        return staff.id


def add_person(
    stack,
    name: str,
    *,
    facilitator_id: int | None = None,
    channel: str = "sms",
    address: str | None = None,
    **fields,
) -> int:
    """A returnee who finished onboarding, as the bot would have stored them."""
    now = stack.clock()
    values = dict(
        status="active",
        language="en",
        role="returnee",
        district="central",
        gender="woman",
        age_band="25_34",
        return_date=date(2026, 10, 1),
        return_date_precision="day",
        enrolled_at=now,
    )
    values.update(fields)
    with transaction(stack.engine) as session:
        person = Person(
            display_name=name,
            facilitator_id=facilitator_id,
            created_at=now,
            updated_at=now,
            **values,
        )
        session.add(person)
        session.flush()
        session.add(
            Contact(
                person_id=person.id,
                channel=channel,
                address=address or f"+22177{person.id:07d}",
                created_at=now,
            )
        )
        session.add(Conversation(person_id=person.id, updated_at=now))
        for purpose in ("messages", "surveys"):
            session.add(
                Consent(
                    person_id=person.id,
                    purpose=purpose,
                    version="2026-11-v1",
                    granted=True,
                    channel=channel,
                    at=now,
                )
            )
        return person.id


PROFILE = ["yes", "yes", "Awa", "1", "2", None, "skip", "2", "1", "1", "1"]  # None: return date


async def enrol_on_telegram(
    stack, chat: int, return_date: str, language: str = "1", role: str = "1"
) -> Person:
    await stack.tg_says(chat, "hi")
    await stack.tg_says(chat, language)
    for said in PROFILE:
        if said == "1" and PROFILE.index(said) == 3:
            said = role
        await stack.tg_says(chat, return_date if said is None else said)
        if role != "1" and said == role:
            break
    return stack.person("telegram", str(chat))


async def enrol_on_sms(stack, number: str, return_date: str, language: str = "2") -> Person:
    await stack.sms_says(number, "Bonjour")
    await stack.sms_says(number, language)
    for said in PROFILE:
        await stack.sms_says(number, return_date if said is None else said)
    return stack.person("sms", number)


def prompts(stack, person_id: int) -> list[ScheduledPrompt]:
    with transaction(stack.engine) as session:
        rows = session.exec(
            select(ScheduledPrompt)
            .where(ScheduledPrompt.person_id == person_id)
            .order_by(ScheduledPrompt.due_at, ScheduledPrompt.id)
        ).all()
        session.expunge_all()
        return list(rows)


def next_event(stack) -> datetime | None:
    with transaction(stack.engine) as session:
        rows = session.exec(
            select(ScheduledPrompt).where(
                ScheduledPrompt.status.in_(("pending", "waiting", "open"))
            )
        ).all()
        times = []
        for row in rows:
            if row.status in ("pending", "waiting"):
                times.append(row.due_at)
            else:
                if row.reminded_at is None and row.reminder_due_at:
                    times.append(row.reminder_due_at)
                times.append(row.closes_at)
        return min(times) if times else None


async def answer_everything(stack) -> None:
    """Everyone in a follow-up conversation answers "1" until it is over."""
    with transaction(stack.engine) as session:
        busy = session.exec(select(Contact).join(Person, Person.id == Contact.person_id)).all()
        session.expunge_all()
    for contact in busy:
        for _ in range(25):
            person = stack.person(contact.channel, contact.address)
            if stack.conversation(person.id).flow != "followup":
                break
            if contact.channel == "telegram":
                await stack.tg_says(int(contact.address), "1")
            else:
                await stack.sms_says(contact.address, "1")


async def live_until(stack, until: datetime, answer: bool = True) -> None:
    while (at := next_event(stack)) is not None and at <= until:
        stack.clock.now = max(stack.clock.now, at)
        await stack.tick()
        if answer:
            await answer_everything(stack)
    stack.clock.now = max(stack.clock.now, until)


def fired(stack, person_id: int) -> list[tuple[str, str]]:
    return [
        (row.step_key, row.fired_at.strftime("%Y-%m-%d %H:%M"))
        for row in sorted(
            prompts(stack, person_id), key=lambda r: r.fired_at or datetime.max.replace(tzinfo=UTC)
        )
        if row.fired_at is not None
    ]


def alerts(stack) -> list[Alert]:
    with transaction(stack.engine) as session:
        rows = session.exec(select(Alert).order_by(Alert.id)).all()
        session.expunge_all()
        return list(rows)


async def reach_survey(stack, chat: int) -> int:
    """Enrols someone and brings them to the first question of the month-3 survey."""
    person = await enrol_on_telegram(stack, chat, "20/11/2026")
    with transaction(stack.engine) as session:
        for row in session.exec(
            select(ScheduledPrompt).where(ScheduledPrompt.person_id == person.id)
        ).all():
            if row.step_key in ("w1_settling", "m1_checkin"):
                row.status = "skipped"
    await live_until(stack, datetime(2027, 2, 20, 9, tzinfo=UTC), answer=False)
    assert stack.telegram_api.sent_to(chat)[-1].text == "Do you have work or a way to earn money?"
    return person.id


GOOD = {  # every scored answer at its best: each dimension 1.0
    "work": "regular",
    "needs_met": "always",
    "food": "never",
    "debt": "yes",
    "borrow": "yes",
    "housing": "yes",
    "health": "yes",
    "documents": "yes",
    "school": "all",
    "safe": "yes",
    "support": "yes",
    "participation": "always",
    "treated_badly": "never",
    "low_mood": "never",
    "urgent_help": "no",
    "must_leave": "no",
}


POOR_ECONOMY = {**GOOD, "work": "none", "needs_met": "never", "food": "often", "debt": "no"}


POOR_ECONOMY["borrow"] = "no"  # economic 0.0, social and psychosocial 1.0


def answer(
    stack,
    person_id: int,
    instrument: str,
    wave: str | None,
    answers: dict,
    anonymous: bool = False,
    on: date = date(2027, 1, 5),
) -> None:
    """Stores a finished instrument exactly as the bot does (same scoring, same code path)."""
    survey = stack.services.content.surveys[instrument]
    scores = score(survey, answers)
    effect = RecordResponse(
        prompt_id=None,
        instrument=instrument,
        version=survey.version,
        wave=wave,
        answers=answers,
        items=scores.items,
        dimensions=scores.dimensions,
        composite=scores.composite,
        anonymous=anonymous,
    )
    with transaction(stack.engine) as session:
        person = session.get(Person, person_id)
        contact = session.exec(select(Contact).where(Contact.person_id == person_id)).first()
        record_response(session, person, contact, effect, on)
        if anonymous:  # out of the pool at once, as housekeeping does once a round has enough
            anonymity.release(session, on, min_batch=1)


def people(stack, count: int, **fields) -> list[int]:
    return [add_person(stack, f"P{i}", **fields) for i in range(count)]


# Onboarding as a person types it, in their language, mixing digits, words and small slips
# (golden transcripts through the service and over the pure flow engine).
ONBOARDING_SAID = {
    "en": [
        "hi",
        "English",
        "yes",
        "Yes please",
        "Awa",
        "1",
        "north",
        "3 months ago",
        "skip",
        "25 to 34",
        "7",
        "I repair phones",
        "1",
        "evening",
    ],
    "fr": [
        "Bonjour",
        "2",
        "oui",
        "ok",
        "Aminata",
        "1",
        "Nord",
        "mars 2026",
        "Une femme",
        "3",
        "autre",
        "Je répare des téléphones",
        "passer",
        "le soir",
    ],
    "ar": [
        "مرحبا",
        "٣",
        "نعم",
        "نعم",
        "يوسف",
        "١",
        "الشمال",
        "منذ 3 أشهر",
        "رجل",
        "٢",
        "أخرى",
        "أصلح الهواتف",
        "تخطي",
        "المساء",
    ],
}


def add_feedback_prompt(stack, person_id: int, wave: str = "m6") -> None:
    """A feedback prompt due now, as a plan would have written it."""
    now = stack.clock()
    with transaction(stack.engine) as session:
        session.add(
            ScheduledPrompt(
                person_id=person_id, plan="standard", plan_revision=1, step_key=f"{wave}_feedback",
                kind="feedback", instrument="feedback", wave=wave, status="pending",
                due_at=now, created_at=now,
            )
        )  # fmt: skip


def add_mentor(
    stack,
    name: str,
    *,
    capacity: int = 2,
    status: str = "approved",
    trained_on: date | None = date(2026, 6, 1),
    training_days: int = 2,
    languages: tuple[str, ...] = (),
    skills: tuple[str, ...] = (),
    **fields,
) -> int:
    """A volunteer mentor, screened, trained and approved unless told otherwise; returns
    the mentor record's id. `fields` go on their person row (district, gender...)."""
    person_id = add_person(stack, name, role="mentor", **fields)
    with transaction(stack.engine) as session:
        mentor = Mentor(
            person_id=person_id,
            status=status,
            capacity=capacity,
            languages=list(languages),
            skills=list(skills),
            trained_on=trained_on,
            training_days=training_days,
            created_at=stack.clock(),
            updated_at=stack.clock(),
        )
        session.add(mentor)
        session.flush()
        return mentor.id


def ask_for_mentor(stack, person_id: int, **preferences) -> int:
    """The person asks for a mentor (as the chat would record it)."""
    with transaction(stack.engine) as session:
        request = MentorRequest(person_id=person_id, requested_at=stack.clock(), **preferences)
        session.add(request)
        session.flush()
        return request.id


def code_for(stack, staff_id: int) -> str:
    """A staff member's one-time code for linking their Telegram or phone."""
    with transaction(stack.engine) as session:
        return new_code(session, staff_id, stack.clock())


async def link_telegram(stack, staff_id: int, chat: int) -> list[str]:
    code = code_for(stack, staff_id)
    return await stack.tg_says(chat, f"/start link-{code}")


async def link_phone(stack, staff_id: int, number: str) -> list[str]:
    code = code_for(stack, staff_id)
    return await stack.sms_says(number, f"LINK {code[:4]} {code[4:]}")

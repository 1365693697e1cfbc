"""Demo data for `serve --demo`, from content/demo.yaml. Safe to run on every start."""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import update
from sqlmodel import select

from bot.audit import SYSTEM, audit
from bot.casework.alerts import raise_alert
from bot.content import DEFAULT_CONTENT_DIR
from bot.db import transaction
from bot.followup.plans import enrol
from bot.followup.responses import record_response
from bot.groups import forming, meetings, polls
from bot.mentoring import registry
from bot.models import (
    Contact,
    Conversation,
    GroupMeeting,
    GroupMember,
    Inbound,
    MeetingAttendance,
    PeerGroup,
    Person,
    SavingsGroup,
    SavingsMeeting,
    ScheduledPrompt,
    Staff,
)
from bot.people.assignment import facilitator_for_district
from bot.people.consents import record_consents
from bot.people.local_time import programme_today
from bot.people.profile import CHOSEN_FIELDS
from bot.savings import book as savings_book
from bot.savings import health as savings_health
from bot.savings import registry as savings_registry
from bot.services import Services
from bot.staff import create_staff
from flows.followup.effects import RecordResponse
from flows.savings.constitution import meeting_dates
from flows.savings.recording import MeetingReport
from flows.survey.scoring import score

log = logging.getLogger(__name__)


def seed_demo(services: Services) -> None:
    root = services.settings.content_dir or DEFAULT_CONTENT_DIR
    with open(f"{root}/demo.yaml", encoding="utf-8") as handle:
        demo = yaml.safe_load(handle)
    now = services.clock()
    version = str(services.content.programme["consent_version"])
    with transaction(services.engine) as session:
        for entry in demo.get("staff", []):
            if session.exec(select(Staff).where(Staff.email == entry["email"])).first() is None:
                staff = create_staff(
                    session, entry["email"], entry["name"], entry["password"], entry["role"]
                )
                staff.districts = list(entry.get("districts", []))
                log.info("demo staff login: %s / %s", entry["email"], entry["password"])
        session.flush()
        for entry in demo.get("people", []):
            address = f"demo-{entry['name'].lower()}"
            exists = session.exec(
                select(Contact).where(Contact.channel == "web", Contact.address == address)
            ).first()
            if exists is not None:
                continue
            person = Person(
                status="active",
                language=entry["language"],
                display_name=entry["name"],
                return_date=date.fromisoformat(entry["return_date"])
                if entry.get("return_date")
                else None,
                return_date_precision="day" if entry.get("return_date") else None,
                **{name: entry.get(name) for name in CHOSEN_FIELDS},
                created_at=now,
                updated_at=now,
            )
            session.add(person)
            session.flush()
            session.add(
                Contact(person_id=person.id, channel="web", address=address, created_at=now)
            )
            session.add(Conversation(person_id=person.id, updated_at=now))
            consents = [("messages", True), ("surveys", True)]
            record_consents(session, person.id, consents, version, "web", now)
            person.facilitator_id = facilitator_for_district(session, person.district)
            person.enrolled_at = now
            session.flush()
            enrol(session, person, services.content, now)
            if entry.get("says"):
                session.add(
                    Inbound(
                        channel="web",
                        provider_id=f"demo-{address}",
                        address=address,
                        kind="text",
                        text=entry["says"],
                        person_id=person.id,
                        handoff="unhandled",
                        received_at=now,
                        processed_at=now,
                    )
                )
            if entry.get("alert"):
                alert = entry["alert"]
                raise_alert(
                    session, person, alert["reason"], alert["severity"], alert["detail"], now
                )
            _mentoring(session, services, person, entry, now)
            audit(session, SYSTEM, "demo.seeded", person.id, now)
        session.flush()
        for entry in demo.get("groups", []):
            _group(session, services, entry, now)
        for entry in demo.get("savings", []):
            _savings(session, services, entry, now)
        if demo.get("crowd"):
            _crowd(session, services, demo["crowd"], now)


def _mentoring(session, services: Services, person: Person, entry: dict, now) -> None:
    """Trained mentors and people waiting for one, so that a newcomer sees matching work."""
    content = services.content
    if entry.get("mentor") is not None:
        values = dict(entry["mentor"])
        mentor = registry.register(session, person, content, now, actor=SYSTEM)
        days_ago = values.pop("trained_days_ago", None)
        today = programme_today(content, now)
        if days_ago is not None:
            trained = today - timedelta(days=int(days_ago))
            values.update(screened_on=trained, trained_on=trained, status="approved")
        registry.update(session, mentor, content, values, today, now, actor=SYSTEM)
    if entry.get("wants_mentor") is not None:
        registry.ask_for_mentor(session, person, now, actor=SYSTEM, **entry["wants_mentor"])


def _cast(session) -> tuple[dict[str, Person], Staff | None]:
    """The demo's people by name, and the facilitator who runs its groups."""
    people = {
        p.display_name: p
        for p in session.exec(select(Person).where(Person.display_name.is_not(None)))
    }
    return people, session.exec(select(Staff).where(Staff.role == "facilitator")).first()


def _group(session, services: Services, entry: dict, now) -> None:
    """A forming group with its poll under way, or an active one with meetings held."""
    if session.exec(select(PeerGroup).where(PeerGroup.name == entry["name"])).first():
        return
    content = services.content
    people, facilitator = _cast(session)
    values = forming.GroupValues(
        name=entry["name"],
        district=entry.get("district"),
        language=entry.get("language", content.default_language),
        facilitator_id=facilitator.id if facilitator else None,
        facilitator_person_id=people[entry["facilitator_person"]].id
        if entry.get("facilitator_person")
        else None,
        venues=tuple(entry.get("venues", ())),
    )
    group = forming.create(session, values, content, now, actor=SYSTEM, by=None)
    for name in entry.get("members", []):
        member = GroupMember(
            group_id=group.id, person_id=people[name].id, status="joined", invited_at=now,
            answered_at=now,         )  # fmt: skip
        session.add(member)
    session.flush()
    zone = meetings.group_zone(content)
    today = now.astimezone(zone).date()

    def at(days: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(17), zone).astimezone(UTC)

    if entry.get("poll"):
        poll = entry["poll"]
        number = polls.open_poll(
            session, group, [(at(d), None) for d in poll["days"]], content, now, actor=SYSTEM
        )
        for name, answers in (poll.get("answers") or {}).items():
            polls.record_answers(
                session, group.id, number, people[name].id,
                {int(k): v for k, v in answers.items()}, now,
            )  # fmt: skip
    if entry.get("leader"):
        forming.record_approval(
            session, group, entry["leader"], today - timedelta(days=30), now, actor=SYSTEM, by=None
        )
    held = int(entry.get("held", 0))
    for number in range(1, held + 1):
        # Meetings in the past are history: recorded as they happened.
        meeting = GroupMeeting(
            group_id=group.id, number=number, starts_at=at(-7 * (held - number + 1)),
            status="held", attendance_at=now, attendance_by="staff", created_at=now,
            updated_at=now,
        )  # fmt: skip
        session.add(meeting)
        session.flush()
        came = set((entry.get("attended") or {}).get(number, ()))
        for name in entry.get("members", []):
            session.add(
                MeetingAttendance(
                    meeting_id=meeting.id,
                    person_id=people[name].id,
                    attended=name in came,
                    helpful=True if name in came else None,
                )  # fmt: skip
            )
        if number == 1:
            group.first_meeting_at = meeting.starts_at
            group.ends_by = content.groups.ends_by(meeting.starts_at.astimezone(zone).date())
    for week in range(int(entry.get("coming", 0))):
        meetings.add_meeting(
            session, group, at(7 * week + 2), None, content, now, actor=SYSTEM, series=True,
            tell=False,
        )  # fmt: skip


def _savings(session, services: Services, entry: dict, now) -> None:
    """A savings group part-way through its cycle, its past meetings recorded as the
    treasurer would have reported them, one loan late."""
    if session.exec(select(SavingsGroup).where(SavingsGroup.name == entry["name"])).first():
        return
    content = services.content
    people, facilitator = _cast(session)
    today = programme_today(content, now)
    start = today - timedelta(weeks=int(entry.get("started_weeks_ago", 0)))
    values = savings_registry.SavingsGroupValues(
        name=entry["name"], kind=entry.get("kind", "savings_and_loan"),
        district=entry.get("district"), language=entry.get("language", content.default_language),
        facilitator_id=facilitator.id if facilitator else None,
        constitution=content.savings.constitution(start, cadence="fortnightly"),
    )  # fmt: skip
    names = entry.get("members", [])
    group = savings_registry.register(
        session, values, [(people[n].id, False) for n in names],
        {office: people[n].id for office, n in (entry.get("officers") or {}).items()},
        content, now, actor=SYSTEM, by=None,
    )  # fmt: skip
    members = {
        n: m.id for n, m in zip(names, savings_registry.members_of(session, group.id), strict=True)
    }
    constitution = savings_registry.constitution_of(group, content)
    zone = ZoneInfo(savings_registry.group_timezone(content))
    loan = entry.get("loan") or {}
    held = [d for d in meeting_dates(constitution) if d < today]
    # Numbers only name meetings (they are shown by date): the past ones after those planned.
    base = max((m.number for m in savings_registry.meetings_of(session, group.id, 1)), default=0)
    for number, day in enumerate(held, 1):
        meeting = SavingsMeeting(
            group_id=group.id, cycle=group.cycle, number=base + number, on=day,
            starts_at=datetime.combine(day, constitution.meeting_time, zone).astimezone(UTC),
        )  # fmt: skip
        session.add(meeting)
        session.flush()
        away = set((entry.get("absent") or {}).get(number, ()))
        came = [members[n] for n in names if n not in away]
        report = {
            "present": came,
            "shares": {
                members[n]: k for n, k in (entry.get("shares") or {}).items() if n not in away
            },
            "social": came,
        }
        if loan and number == loan["at_meeting"]:
            report["loans"] = {members[loan["to"]]: loan["amount"]}
        savings_book.record_meeting(
            session, group, meeting, MeetingReport.from_dict(report), content, now, actor=SYSTEM
        )
    if loan:
        box = savings_book.box_of(session, group)
        borrower = members[loan["to"]]
        for state in box.member_loans(borrower):
            for instalment in state.instalments[: int(loan.get("repaid", 0))]:
                savings_book.write_report(
                    session, group, MeetingReport(repayments={borrower: instalment.amount}),
                    instalment.due_on, content, now, actor=SYSTEM,
                )  # fmt: skip
    savings_health.check(session, group, content, now)
    audit(session, SYSTEM, "demo.seeded_savings", None, now, group=group.id)


CROWD_WAVES = ((90, "m3"), (180, "m6"), (360, "m12"))  # days since return, the wave answered


def _crowd(session, services: Services, entry: dict, now) -> None:
    """Enrolled people with their follow-up answers, made from a fixed seed."""
    if session.exec(select(Person).where(Person.public_id == "democrowd0000")).first():
        return
    content = services.content
    rng = random.Random(int(entry.get("seed", 7)))
    names, surnames = entry.get("names") or ["Demo"], entry.get("surnames") or ["Person"]
    districts = [d for d in content.option_sets["district"] if d != "other"]
    survey = content.surveys.get("reintegration")
    today = programme_today(content, now)
    version = str(content.programme.get("consent_version", ""))
    for n in range(int(entry.get("people", 0))):
        returned = today - timedelta(days=rng.randint(30, 400))
        person = Person(
            public_id=f"democrowd{n:04d}", status="active",
            language=rng.choices(content.languages, weights=[1] * len(content.languages))[0],
            display_name=f"{rng.choice(names)} {rng.choice(surnames)}", role="returnee",
            district=districts[n % len(districts)], gender=("woman", "man")[n % 2],
            age_band=rng.choice(content.option_sets["age_band"][1:]), return_date=returned,
            return_date_precision="day", created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(person)
        session.flush()
        contact = Contact(person_id=person.id, channel="web", address=f"demo-crowd-{n}",
                          created_at=now)  # fmt: skip
        session.add_all([contact, Conversation(person_id=person.id, updated_at=now)])
        record_consents(session, person.id, [("messages", True), ("surveys", True)], version,
                        "web", now)  # fmt: skip
        person.facilitator_id = facilitator_for_district(session, person.district)
        person.enrolled_at = now
        session.flush()
        enrol(session, person, content, now)
        if survey is None:
            continue
        for step, (days, wave) in enumerate(CROWD_WAVES):
            if (today - returned).days < days or rng.random() < 0.15:
                continue  # not there yet, or this one was missed
            answers = _answers(survey, content, rng, better=step)
            scores = score(survey, answers)
            effect = RecordResponse(
                prompt_id=None, instrument=survey.id, version=survey.version, wave=wave,
                answers=answers, items=scores.items, dimensions=scores.dimensions,
                composite=scores.composite, anonymous=False,
            )  # fmt: skip
            record_response(session, person, contact, effect, returned + timedelta(days=days))
        # Their past is history: what fell due before today is not sent now.
        session.execute(
            update(ScheduledPrompt)
            .where(ScheduledPrompt.person_id == person.id, ScheduledPrompt.due_at < now,
                   ScheduledPrompt.status.in_(("pending", "waiting")))
            .values(status="skipped")
        )  # fmt: skip
    audit(session, SYSTEM, "demo.seeded_crowd", None, now, people=int(entry.get("people", 0)))


def _answers(survey, content, rng: random.Random, better: int) -> dict:
    """Answers that follow the survey's own options and skip logic; later waves lean a little
    towards the better options (the first ones listed are the good ones in most sets)."""
    answers: dict = {}
    for question in survey.questions:
        if not question.applies(answers):
            continue
        if question.type == "choice" and question.options:
            values = list(content.option_sets[question.options])
            weights = [max(1, len(values) - i) ** (1 + better / 2) for i in range(len(values))]
            answers[question.id] = rng.choices(values, weights=weights)[0]
        elif question.type == "yesno":
            answers[question.id] = "no" if rng.random() < 0.9 else "yes"
        elif question.type in ("scale", "number"):
            low, high = question.minimum or 0, question.maximum or 10
            answers[question.id] = rng.randint(low, high)
    return answers

"""The endpoints of /api/v1: people (list with the people filters, get, create, update),
follow-up results in long format (as the CSV export: pseudonyms only), alerts (list, get).
Every write is audited as the token's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select

from bot.api.deps import Caller, Reader, Writer, services
from bot.api.errors import ApiError
from bot.api.schemas import (
    ERRORS,
    AlertPublic,
    Page,
    PersonCreate,
    PersonCreated,
    PersonPublic,
    PersonUpdate,
    ResultRow,
)
from bot.audit import audit
from bot.casework.corrections import CaseworkError, correct_profile
from bot.db import transaction
from bot.models import Alert, Contact, Person, Staff, SurveyResponse
from bot.people import import_jobs
from bot.people.filters import PeopleFilter
from bot.people.import_write import write_rows
from bot.people.importing import FIELDS, Table, check_rows
from bot.people.local_time import programme_today
from bot.results import export as results_export

router = APIRouter(responses=ERRORS)
PerPage = Annotated[int, Query(ge=1, le=200)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


def _person(p: Person, staff: dict, caller: Caller, phone: str | None) -> PersonPublic:
    return PersonPublic(
        id=p.public_id, status=p.status, language=p.language, role=p.role, district=p.district,
        return_date=p.return_date, gender=p.gender, age_band=p.age_band, sector=p.sector,
        enrolled_at=p.enrolled_at, plan=p.plan, outcome=p.outcome,
        facilitator=staff.get(p.facilitator_id), created_at=p.created_at, updated_at=p.updated_at,
        display_name=p.display_name if caller.identities else None,
        phone=phone if caller.identities else None,
    )  # fmt: skip


def _phones(session, ids) -> dict[int, str]:
    return dict(session.execute(
        select(Contact.person_id, Contact.address).where(Contact.person_id.in_(ids),
                                                         Contact.channel == "sms")
    ).all())  # fmt: skip


def _get(session, public_id: str) -> Person:
    person = session.scalar(
        select(Person).where(Person.public_id == public_id, Person.erased_at.is_(None))
    )
    if person is None or person.status == "declined":
        raise ApiError(404, "not_found", "No such person.")
    return person


@router.get("/people", response_model=Page[PersonPublic], tags=["people"])
async def list_people(
    request: Request, caller: Reader, page: PageNumber = 1, per_page: PerPage = 50,
    district: str = "", status: str = "", role: str = "", language: str = "", cohort: str = "",
    gender: str = "", age_band: str = "", q: str = "",
) -> Page[PersonPublic]:  # fmt: skip
    """People, the people list's filters applied (a search by name or number needs the
    identities scope)."""
    if q and not caller.identities:
        raise ApiError(
            403, "forbidden", "Searching by name or number needs the 'identities' scope."
        )
    svc = services(request)
    filters = PeopleFilter.from_mapping({"district": district, "status": status, "role": role,
                                         "language": language, "cohort": cohort, "gender": gender,
                                         "age_band": age_band, "q": q})  # fmt: skip
    where = [*filters.conditions(), Person.erased_at.is_(None), Person.status != "declined"]

    def load():
        with transaction(svc.engine) as session:
            total = session.scalar(select(func.count()).select_from(Person).where(*where))
            rows = session.scalars(
                select(Person).where(*where).order_by(Person.id)
                .limit(per_page).offset((page - 1) * per_page)
            ).all()  # fmt: skip
            staff = dict(session.execute(select(Staff.id, Staff.name)).all())
            phones = _phones(session, [p.id for p in rows]) if caller.identities else {}
            return [_person(p, staff, caller, phones.get(p.id)) for p in rows], total

    data, total = await run_in_threadpool(load)
    return Page[PersonPublic](data=data, page=page, per_page=per_page, total=total)


@router.get("/people/{person_id}", response_model=PersonPublic, tags=["people"])
async def get_person(request: Request, caller: Reader, person_id: str) -> PersonPublic:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            person = _get(session, person_id)
            staff = dict(session.execute(select(Staff.id, Staff.name)).all())
            phone = _phones(session, [person.id]).get(person.id) if caller.identities else None
            if caller.identities:
                audit(session, caller.actor, "person.viewed", person.id, svc.clock(), via="api")
            return _person(person, staff, caller, phone)

    return await run_in_threadpool(load)


@router.post("/people", response_model=PersonCreated, status_code=201, tags=["people"])
async def create_person(request: Request, caller: Writer, body: PersonCreate) -> PersonCreated:
    """A new case: with consent taken elsewhere (its date, version and who took it) the
    person is enrolled; without it they are invited by the bot's consent flow, and only
    their phone number and language are kept until they agree. The same phone number
    twice is a conflict."""
    svc = services(request)
    consent = body.consent
    cells = {
        "display_name": body.display_name or "", "phone": body.phone or "",
        "language": body.language or "", "role": body.role or "", "district": body.district or "",
        "return_date": body.return_date.isoformat() if body.return_date else "",
        "gender": body.gender or "", "age_band": body.age_band or "", "sector": body.sector or "",
        "consent_date": consent.date.isoformat() if consent else "",
        "consent_version": consent.version if consent else "",
        "consent_by": consent.taken_by if consent else "",
        "consent_surveys": ("yes" if consent.surveys else "no") if consent else "",
    }  # fmt: skip
    table = Table(FIELDS, [tuple(cells[f] for f in FIELDS)])

    def create():
        with transaction(svc.engine) as session:
            now = svc.clock()
            [row] = check_rows(
                table, dict(enumerate(FIELDS)), svc.content,
                import_jobs.phone_reader(svc.settings.sms_allowed_countries),
                programme_today(svc.content, now), svc.content.imports.get("languages"),
            )  # fmt: skip
            if row.problems:
                # The import's checks, by key (the people import's problems, as its
                # report and the admin name them).
                raise ApiError(422, "invalid", "The person cannot be created as given.",
                               problems=list(row.problems))  # fmt: skip
            staff = session.get(Staff, caller.staff_id) if caller.staff_id else None
            written = write_rows(session, [row], svc.content, staff, now, actor=caller.actor)
            if written.existing:
                raise ApiError(409, "conflict", "Someone with this phone number is already here.")
            person = session.get(Person, row.values["person_id"])
            return PersonCreated(id=person.public_id, status=person.status)

    return await run_in_threadpool(create)


@router.patch("/people/{person_id}", response_model=PersonPublic, tags=["people"])
async def update_person(
    request: Request, caller: Writer, person_id: str, body: PersonUpdate
) -> PersonPublic:
    """Corrections to a person's record, as staff make them (a changed return date replans
    their follow-up)."""
    svc = services(request)
    given = body.model_dump(exclude_unset=True)

    def update():
        with transaction(svc.engine) as session:
            person = _get(session, person_id)
            if person.status != "active":
                raise ApiError(409, "conflict", "Only an enrolled person's record can be changed.")
            values = {k: v for k, v in given.items()
                      if k not in ("return_date", "language", "timezone")}  # fmt: skip
            try:
                correct_profile(
                    session, person, svc.content, caller.staff_id or 0, svc.clock(), values,
                    return_date=given.get("return_date"), language=given.get("language"),
                    timezone=given.get("timezone"), actor=caller.actor,
                )  # fmt: skip
            except CaseworkError as error:
                raise ApiError(422, "invalid", str(error)) from None
            staff = dict(session.execute(select(Staff.id, Staff.name)).all())
            phone = _phones(session, [person.id]).get(person.id) if caller.identities else None
            return _person(person, staff, caller, phone)

    return await run_in_threadpool(update)


@router.get("/results", response_model=Page[ResultRow], tags=["results"])
async def results(
    request: Request, caller: Reader, page: PageNumber = 1, per_page: PerPage = 100,
    instrument: str = "", wave: str = "",
) -> Page[ResultRow]:  # fmt: skip
    """Follow-up answers in long format, one answer a row, with the CSV export's privacy:
    a pseudonym for identified answers, none for anonymous ones (which come after all
    others). A page holds the answers of `per_page` responses; `instrument` and `wave`
    (m3, m6, …) choose which."""
    svc = services(request)
    key = svc.settings.signing_key()

    def load():
        with transaction(svc.engine) as session:
            plan = results_export.plan_export(session, Person.id.is_not(None), True)
            chosen_ids = None
            if instrument or wave:
                where = [SurveyResponse.instrument == instrument] if instrument else []
                where += [SurveyResponse.wave == wave] if wave else []
                chosen_ids = set(session.scalars(select(SurveyResponse.id).where(*where)))
        responses = [i for i in plan.identified + plan.anonymous
                     if chosen_ids is None or i in chosen_ids]  # fmt: skip
        chosen = responses[(page - 1) * per_page : page * per_page]
        named = set(plan.identified)
        chunk = results_export.ExportPlan([i for i in chosen if i in named],
                                          [i for i in chosen if i not in named], 0)  # fmt: skip
        rows = [ResultRow(**dict(zip(results_export.EXPORT_COLUMNS, r, strict=True)))
                for r in results_export.export_rows(svc.engine, chunk, key)]  # fmt: skip
        return rows, len(responses)

    data, total = await run_in_threadpool(load)
    return Page[ResultRow](data=data, page=page, per_page=per_page, total=total)


def _alert(a: Alert, people: dict, staff: dict, caller: Caller) -> AlertPublic:
    return AlertPublic(
        id=a.id, person=people.get(a.person_id), reason=a.reason, severity=a.severity,
        status=a.status, owner=staff.get(a.owner_id), created_at=a.created_at, due_at=a.due_at,
        closed_at=a.closed_at, detail=a.detail if caller.identities else None,
    )  # fmt: skip


@router.get("/alerts", response_model=Page[AlertPublic], tags=["alerts"])
async def list_alerts(
    request: Request, caller: Reader, page: PageNumber = 1, per_page: PerPage = 50,
    status: str = "",
) -> Page[AlertPublic]:  # fmt: skip
    svc = services(request)
    where = [Alert.status == status] if status else []

    def load():
        with transaction(svc.engine) as session:
            total = session.scalar(select(func.count()).select_from(Alert).where(*where))
            rows = session.scalars(
                select(Alert).where(*where).order_by(Alert.id.desc())
                .limit(per_page).offset((page - 1) * per_page)
            ).all()  # fmt: skip
            people = dict(session.execute(
                select(Person.id, Person.public_id).where(Person.id.in_({a.person_id for a in rows}))
            ).all())  # fmt: skip
            staff = dict(session.execute(select(Staff.id, Staff.name)).all())
            return [_alert(a, people, staff, caller) for a in rows], total

    data, total = await run_in_threadpool(load)
    return Page[AlertPublic](data=data, page=page, per_page=per_page, total=total)


@router.get("/alerts/{alert_id}", response_model=AlertPublic, tags=["alerts"])
async def get_alert(request: Request, caller: Reader, alert_id: int) -> AlertPublic:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            alert = session.get(Alert, alert_id) if 0 < alert_id < 2**31 else None
            if alert is None:
                raise ApiError(404, "not_found", "No such alert.")
            people = dict(session.execute(
                select(Person.id, Person.public_id).where(Person.id == alert.person_id)
            ).all())  # fmt: skip
            staff = dict(session.execute(select(Staff.id, Staff.name)).all())
            return _alert(alert, people, staff, caller)

    return await run_in_threadpool(load)

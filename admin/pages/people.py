"""The people list with its filters, and enrolling someone in person."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from admin.deps import Casework, services
from admin.paging import page_number
from admin.people_list import list_people
from admin.render import render
from admin.staff_choices import facilitators
from bot.casework.assisted import AssistedEnrolment, enrol_assisted
from bot.casework.corrections import CaseworkError
from bot.channels.twilio_sms import normalize_number
from bot.db import transaction
from bot.models import Staff
from bot.people.filters import FLAGS, PeopleFilter
from bot.people.profile import VULNERABILITIES

router = APIRouter(prefix="/admin")
STATUSES = ("onboarding", "active", "declined")


@router.get("/people")
async def people(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    filters = PeopleFilter.from_mapping(request.query_params)
    if not ctx.is_admin:
        filters = PeopleFilter.from_mapping({**filters.as_dict(), "facilitator": ""})
    number = page_number(request.query_params.get("page"))

    def load():
        with transaction(svc.engine) as session:
            return list_people(session, ctx.staff, filters, number), facilitators(session)

    page, staff = await run_in_threadpool(load)
    return render(
        request,
        ctx,
        "people.html",
        page=page,
        filters=filters,
        statuses=STATUSES,
        flags=FLAGS,
        facilitators=staff,
    )


def _form_value(form, name: str) -> str | None:
    value = str(form.get(name) or "").strip()
    return value or None


@router.get("/people/new")
async def new_person(request: Request, ctx: Casework) -> Response:
    return render(
        request, ctx, "person_new.html", form={}, error=None, vulnerabilities=VULNERABILITIES
    )


@router.post("/people/new")
async def create_person(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if key != "csrf"}

    def fail(key: str) -> Response:
        return render(
            request,
            ctx,
            "person_new.html",
            400,
            form=values,
            error=ctx.t(key),
            vulnerabilities=VULNERABILITIES,
        )

    phone = None
    if _form_value(form, "phone"):
        allowed = svc.settings.sms_allowed_countries
        region = allowed[0].upper() if len(allowed) == 1 else None
        phone = normalize_number(_form_value(form, "phone"), allowed, region)
        if phone is None:
            return fail("person.error.phone")
    returned = None
    if _form_value(form, "return_date"):
        try:
            returned = date.fromisoformat(_form_value(form, "return_date"))
        except ValueError:
            return fail("person.error.date")
    enrolment = AssistedEnrolment(
        display_name=_form_value(form, "display_name") or "",
        language=_form_value(form, "language") or svc.content.default_language,
        role=_form_value(form, "role") or "returnee",
        district=_form_value(form, "district"),
        return_date=returned,
        gender=_form_value(form, "gender"),
        age_band=_form_value(form, "age_band"),
        sector=_form_value(form, "sector"),
        interests=_form_value(form, "interests"),
        preferred_time=_form_value(form, "preferred_time"),
        phone=phone,
        consent_messages=form.get("consent_messages") == "yes",
        consent_surveys=form.get("consent_surveys") == "yes",
        guardian_consent=form.get("guardian_consent") == "yes",
        vulnerabilities=tuple(str(v) for v in form.getlist("vulnerabilities")),
    )
    now = svc.clock()

    def create():
        with transaction(svc.engine) as session:
            staff = session.get(Staff, ctx.staff.id)
            return enrol_assisted(session, enrolment, svc.content, staff, now).id

    try:
        person_id = await run_in_threadpool(create)
    except CaseworkError as error:
        return fail(str(error))
    return RedirectResponse(f"/admin/people/{person_id}?enrolled=1", status_code=303)

"""A person's page, and what staff change on it: the profile, the return date (the plan is
recomputed), pausing, the outcome, the facilitator, answers taken down on their behalf,
and erasure. Someone outside a facilitator's scope is a 404, for reading and for writing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from admin import charts, person_page
from admin.deps import AdminOnly, Casework, NotFound, StaffContext, services
from admin.params import Id, parse_id
from admin.render import render
from admin.scope import sees_savings_amounts, visible_person
from admin.staff_choices import facilitators
from bot.audit import audit, staff_actor
from bot.casework.assisted import record_answers_on_behalf, steps_to_answer
from bot.casework.corrections import CaseworkError, assign_facilitator, correct_profile, set_paused
from bot.casework.erasure import erase_person
from bot.db import transaction
from bot.followup.outcomes import OUTCOMES, record_outcome
from bot.groups import views as group_views
from bot.mentoring import review
from bot.models import ScheduledPrompt
from bot.people.local_time import programme_today
from bot.people.profile import EDITABLE, VULNERABILITIES
from bot.savings import views as savings_views
from flows.followup.assisted import ASKED_ON_BEHALF, record_on_behalf

router = APIRouter(prefix="/admin")
# Instruments staff may fill in with someone (the bot asks the rest itself).
ON_BEHALF = ("reintegration", "checkin", "checkin_settling")
INTAKE = "intake"  # the wave of answers taken down at enrolment
DONE = frozenset(
    {
        "profile",
        "paused",
        "resumed",
        "outcome",
        "facilitator",
        "answers",
        "enrolled",
        "nothing",
        "mentor",
        "mentor_request",
    }
)


def _mentoring_error(request: Request) -> str | None:
    key = request.query_params.get("error") or ""
    return key if key.startswith("mentoring.error.") else None


def _redirect(person_id: int, done: str) -> Response:
    return RedirectResponse(f"/admin/people/{person_id}?done={done}", status_code=303)


async def _show(
    request: Request, ctx: StaffContext, person_id: int, status: int = 200, **extra
) -> Response:
    svc = services(request)
    now = svc.clock()
    try:
        limit = int(request.query_params.get("messages", person_page.TIMELINE))
    except ValueError:
        limit = person_page.TIMELINE

    def load():
        with transaction(svc.engine) as session:
            person = visible_person(session, ctx.staff, person_id)
            # Reading a person's record is itself recorded.
            audit(session, staff_actor(ctx.staff.id), "person.viewed", person.id, now)
            mentoring = review.of_person(session, person.id)
            groups = group_views.person_groups(session, person.id)
            savings = savings_views.of_person(
                session, person.id, svc.content, programme_today(svc.content, now),
                lambda group: sees_savings_amounts(ctx.staff, group),
            )  # fmt: skip
            if any(s.figures is not None for s in savings):
                # Looking at someone's money is recorded as well.
                audit(session, staff_actor(ctx.staff.id), "savings.viewed", person.id, now)
            page = person_page.load(session, person, max(1, limit))
            found = page, facilitators(session), mentoring, (groups, savings)
            session.expunge_all()
            return found

    page, staff, mentoring, (groups, savings) = await run_in_threadpool(load)
    done = request.query_params.get("done")
    extra.setdefault("trajectory_chart", _trajectory(page, ctx))
    extra.setdefault("describe", _describer(svc.content, ctx))
    return render(
        request,
        ctx,
        "person.html",
        status,
        page=page,
        person=page.person,
        facilitators=staff,
        outcomes=OUTCOMES,
        editable=EDITABLE,
        vulnerabilities=VULNERABILITIES,
        instruments=[name for name in ON_BEHALF if name in svc.content.surveys],
        done=done if done in DONE else None,
        limit=limit,
        mentoring=mentoring,
        groups=groups,
        savings=savings,
        mentoring_error=_mentoring_error(request),
        **extra,
    )


def _describer(content, ctx: StaffContext):
    """An answer as staff read it: the question as the bot asked it, the value as offered."""
    language = ctx.language if ctx.language in content.languages else content.default_language

    def describe(instrument: str, question_id: str, value) -> tuple[str, str]:
        survey = content.surveys.get(instrument)
        base = question_id.removesuffix("_other")
        question = next((q for q in survey.questions if q.id == base), None) if survey else None
        if question is None:
            return question_id, "" if value is None else str(value)
        text = content.catalog.text(language, question.prompt)
        option_set = (
            question.options
            if question.type == "choice"
            else "yesno"
            if question.type == "yesno"
            else None
        )
        values = value if isinstance(value, list) else [value]
        shown = [
            content.label(language, option_set, str(v))
            if option_set and str(v) in content.option_sets.get(option_set, ())
            else str(v)
            for v in values
            if v is not None
        ]
        return text, ", ".join(shown)

    return describe


def _trajectory(page: person_page.PersonPage, ctx: StaffContext):
    """Their scores over the year: the composite and each dimension, one point a wave."""
    if not page.trajectory:
        return ""
    points = [item["wave"] for item in page.trajectory]
    dimensions = sorted({name for item in page.trajectory for name in item["scores"]})

    def line(label: str, values: list[float | None]) -> charts.Line:
        texts = tuple("—" if v is None else f"{v:.2f}" for v in values)
        return charts.Line(label, tuple(values), texts)

    lines = [line(ctx.t("person.composite_line"), [item["composite"] for item in page.trajectory])]
    for name in dimensions:
        values = [item["scores"].get(name) for item in page.trajectory]
        lines.append(line(ctx.t(f"dimension.{name}"), values))
    chart = charts.line_chart(
        "trajectory",
        ctx.t("person.trajectory"),
        points,
        lines,
        ctx.t,
        ctx.rtl,
        ctx.t("person.wave"),
    )
    return charts.legend([ln.label for ln in lines], line=True) + chart


@router.get("/people/{person_id}")
async def person(request: Request, ctx: Casework, person_id: Id) -> Response:
    return await _show(request, ctx, person_id)


async def _change(
    request: Request, ctx: StaffContext, person_id: int, change: Callable, done: str
) -> Response:
    """Runs `change(session, person, now)` on a person the staff member may see."""
    svc = services(request)
    now = svc.clock()

    def run():
        with transaction(svc.engine) as session:
            person = visible_person(session, ctx.staff, person_id)
            return change(session, person, now)

    try:
        outcome = await run_in_threadpool(run)
    except CaseworkError as error:
        return await _show(request, ctx, person_id, 400, error=ctx.t(str(error)))
    return _redirect(person_id, outcome if outcome in DONE else done)


@router.post("/people/{person_id}/profile")
async def profile(request: Request, ctx: Casework, person_id: Id) -> Response:
    svc = services(request)
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in EDITABLE if name in form}
    raw_date = str(form.get("return_date") or "").strip()
    try:
        returned = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        return await _show(request, ctx, person_id, 400, error=ctx.t("person.error.date"))
    vulnerabilities = (
        [str(v) for v in form.getlist("vulnerabilities")]
        if "vulnerabilities_shown" in form
        else None
    )

    def change(session, person, now):
        changed = correct_profile(
            session,
            person,
            svc.content,
            ctx.staff.id,
            now,
            values,
            return_date=returned,
            language=str(form.get("language") or "") or None,
            timezone=str(form.get("timezone") or "").strip() or None,
            vulnerabilities=vulnerabilities,
        )
        return "profile" if changed else "nothing"

    return await _change(request, ctx, person_id, change, "profile")


@router.post("/people/{person_id}/followup")
async def followup(request: Request, ctx: Casework, person_id: Id) -> Response:
    form = await request.form()
    paused = form.get("paused") == "yes"

    def change(session, person, now):
        set_paused(session, person, paused, ctx.staff.id, now)
        return "paused" if paused else "resumed"

    return await _change(request, ctx, person_id, change, "paused")


@router.post("/people/{person_id}/outcome")
async def outcome(request: Request, ctx: Casework, person_id: Id) -> Response:
    form = await request.form()
    chosen = str(form.get("outcome") or "")
    if chosen not in OUTCOMES:
        return await _show(request, ctx, person_id, 400, error=ctx.t("person.error.option"))

    def change(session, person, now):
        record_outcome(session, person, chosen, staff_actor(ctx.staff.id), now)
        return "outcome"

    return await _change(request, ctx, person_id, change, "outcome")


@router.post("/people/{person_id}/facilitator")
async def facilitator(request: Request, ctx: AdminOnly, person_id: Id) -> Response:
    form = await request.form()
    raw = str(form.get("facilitator") or "")
    chosen = parse_id(raw)

    def change(session, person, now):
        assign_facilitator(session, person, chosen, ctx.staff.id, now)
        return "facilitator"

    return await _change(request, ctx, person_id, change, "facilitator")


@router.post("/people/{person_id}/answers")
async def answers(request: Request, ctx: Casework, person_id: Id) -> Response:
    svc = services(request)
    form = await request.form()
    instrument = str(form.get("instrument") or "")
    if instrument not in ON_BEHALF or instrument not in svc.content.surveys:
        return await _show(request, ctx, person_id, 400, error=ctx.t("person.error.option"))
    survey = svc.content.surveys[instrument]
    raw = {q.id: str(form.get(f"q_{q.id}") or "") for q in survey.questions}
    # "intake" (at enrolment) or the id of the plan step they stand for: never free text.
    step = str(form.get("step") or "intake")
    prompt_id = parse_id(step)
    if step != "intake" and prompt_id is None:
        return await _show(request, ctx, person_id, 400, error=ctx.t("person.error.step"))

    def change(session, person, now):
        wave = INTAKE
        if prompt_id is not None:
            found = session.get(ScheduledPrompt, prompt_id)
            wave = found.wave if found is not None and found.person_id == person.id else None
        decided = record_on_behalf(survey, raw, svc.content, wave, prompt_id)
        if decided.response is None:
            raise CaseworkError("person.error.answers")
        record_answers_on_behalf(
            session, person, decided.response, decided.dangers, svc.content, ctx.staff.id, now
        )
        return "answers"

    return await _change(request, ctx, person_id, change, "answers")


@router.get("/people/{person_id}/answers/{instrument}")
async def answers_form(request: Request, ctx: Casework, person_id: Id, instrument: str) -> Response:
    svc = services(request)
    if instrument not in ON_BEHALF or instrument not in svc.content.surveys:
        raise NotFound()

    def check():
        with transaction(svc.engine) as session:
            person = visible_person(session, ctx.staff, person_id)
            steps = steps_to_answer(session, person, instrument)
            session.expunge_all()
            return person, steps

    person, steps = await run_in_threadpool(check)
    survey = svc.content.surveys[instrument]
    questions = [q for q in survey.questions if q.type in ASKED_ON_BEHALF]
    return render(
        request,
        ctx,
        "person_answers.html",
        person=person,
        steps=steps,
        survey=survey,
        questions=questions,
        catalog=svc.content.catalog,
        catalog_language=ctx.language
        if ctx.language in svc.content.languages
        else svc.content.default_language,
    )


@router.post("/people/{person_id}/erase")
async def erase(request: Request, ctx: Casework, person_id: Id) -> Response:
    """Admins, and the person's own facilitator; they type the reference shown to confirm."""
    svc = services(request)
    form = await request.form()
    confirmation = str(form.get("confirm") or "").strip()

    def run():
        with transaction(svc.engine) as session:
            person = visible_person(session, ctx.staff, person_id)
            if confirmation != str(person.id):
                return False
            erase_person(
                session, person, svc.content, staff_actor(ctx.staff.id), svc.clock(), svc.erasers
            )
            return True

    if not await run_in_threadpool(run):
        return await _show(request, ctx, person_id, 400, error=ctx.t("person.error.confirm"))
    return RedirectResponse("/admin/people?erased=1", status_code=303)

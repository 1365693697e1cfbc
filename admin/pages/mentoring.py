"""The mentor network in the admin: the registry of mentors (screening, training, approval,
load), the matching page (run, review every proposal with why, approve or reject one by
one or all at once, see who is still waiting and why), and a person's mentoring forms."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from admin.deps import Casework, NotFound, StaffContext, services
from admin.params import Id
from admin.render import render
from admin.scope import people_condition, visible_person
from bot.audit import staff_actor
from bot.db import transaction
from bot.mentoring import registry, review
from bot.mentoring.matching import NotSuitable, alternatives, change_mentor, run_matching
from bot.mentoring.pairing import NotProposed, approve, reject
from bot.models import Mentor, MentorMatch
from bot.people.local_time import programme_today

router = APIRouter(prefix="/admin")
DONE = ("updated", "ran", "approved", "rejected", "registered", "requested", "nothing", "changed")


def _district(request: Request, value) -> str | None:
    district = str(value or "")
    return district if district in services(request).content.option_sets["district"] else None


# -- mentors --------------------------------------------------------------------------------


async def _mentors_page(
    request: Request, ctx: StaffContext, status: int = 200, error: str | None = None
) -> Response:
    svc = services(request)
    today = programme_today(svc.content, svc.clock())

    def load():
        with transaction(svc.engine) as session:
            rows = registry.mentors(session, svc.content, today)
            session.expunge_all()
            return rows

    rows = await run_in_threadpool(load)
    done = request.query_params.get("done")
    return render(
        request,
        ctx,
        "mentors.html",
        status,
        mentors=rows,
        statuses=registry.STATUSES,
        rules=svc.content.mentoring,
        error=error,
        done=done if done in DONE else None,
    )


@router.get("/mentors")
async def mentors(request: Request, ctx: Casework) -> Response:
    return await _mentors_page(request, ctx)


def _day(value) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise registry.MentorError("mentoring.error.date") from None


def _number(value) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise registry.MentorError("mentoring.error.number") from None


@router.post("/mentors/{mentor_id}")
async def mentor_update(request: Request, ctx: Casework, mentor_id: Id) -> Response:
    svc = services(request)
    form = await request.form()
    now = svc.clock()
    content = svc.content

    def change():
        values = {
            "status": str(form.get("status") or ""),
            "capacity": _number(form.get("capacity")),
            "screened_on": _day(form.get("screened_on")),
            "trained_on": _day(form.get("trained_on")),
            "training_days": _number(form.get("training_days")),
            "refreshed_on": _day(form.get("refreshed_on")),
            "abroad_in": str(form.get("abroad_in") or ""),
            "years_abroad": _number(form.get("years_abroad")),
            "skills": [
                str(v) for v in form.getlist("skills") if v in content.option_sets["interests"]
            ],
            "languages": [
                code.strip().lower()[:8]
                for code in str(form.get("languages") or "").split(",")
                if code.strip()
            ],
        }
        with transaction(svc.engine) as session:
            mentor = session.get(Mentor, mentor_id, with_for_update=True)
            if mentor is None:
                raise NotFound()
            registry.update(
                session,
                mentor,
                content,
                values,
                programme_today(content, now),
                now,
                actor=staff_actor(ctx.staff.id),
            )

    try:
        await run_in_threadpool(change)
    except registry.MentorError as error:
        return await _mentors_page(request, ctx, 400, ctx.t(error.key))
    return RedirectResponse("/admin/mentors?done=updated", status_code=303)


@router.post("/people/{person_id}/mentor")
async def person_mentor(request: Request, ctx: Casework, person_id: Id) -> Response:
    """Register the person as a mentor who applied (screening and training come next)."""
    svc = services(request)
    now = svc.clock()

    def change():
        with transaction(svc.engine) as session:
            person = visible_person(session, ctx.staff, person_id)
            registry.register(session, person, svc.content, now, actor=staff_actor(ctx.staff.id))

    try:
        await run_in_threadpool(change)
    except registry.MentorError as error:
        return RedirectResponse(f"/admin/people/{person_id}?error={error.key}", status_code=303)
    return RedirectResponse(f"/admin/people/{person_id}?done=mentor", status_code=303)


@router.post("/people/{person_id}/mentor-request")
async def person_mentor_request(request: Request, ctx: Casework, person_id: Id) -> Response:
    """Ask for a mentor on the person's behalf, with what they prefer."""
    svc = services(request)
    form = await request.form()
    now = svc.clock()
    gender = str(form.get("prefers_gender") or "")
    language = str(form.get("prefers_language") or "")
    prefs = {
        "prefers_gender": gender if gender in svc.content.option_sets["gender"] else None,
        "prefers_language": language if language in svc.content.languages else None,
        "prefers_sector": form.get("prefers_sector") == "yes",
        "abroad_in": (str(form.get("abroad_in") or "").strip()[:60] or None),
    }

    def change():
        with transaction(svc.engine) as session:
            person = visible_person(session, ctx.staff, person_id)
            registry.ask_for_mentor(session, person, now, actor=staff_actor(ctx.staff.id), **prefs)

    try:
        await run_in_threadpool(change)
    except registry.MentorError as error:
        return RedirectResponse(f"/admin/people/{person_id}?error={error.key}", status_code=303)
    return RedirectResponse(f"/admin/people/{person_id}?done=mentor_request", status_code=303)


# -- matching -------------------------------------------------------------------------------


@router.get("/matching")
async def matching(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    district = _district(request, request.query_params.get("district"))
    now = svc.clock()
    condition = people_condition(ctx.staff)

    def load():
        with transaction(svc.engine) as session:
            proposals = review.proposals(session, condition, district)
            under_way = review.under_way(session, condition, district)
            others = alternatives(session, svc.content, now, [row.match for row in proposals])
            found = (
                proposals,
                review.waiting(session, svc.content, now, condition, district),
                under_way,
                others,
                review.mentor_names(session, [m for o in others.values() for m, _ in o]),
                review.pulses(session, [row.match.id for row in under_way]),
            )
            session.expunge_all()
            return found

    proposals, waiting, under_way, others, names, pulses = await run_in_threadpool(load)
    done = request.query_params.get("done")
    return render(
        request,
        ctx,
        "matching.html",
        proposals=proposals,
        waiting=waiting,
        under_way=under_way,
        alternatives=others,
        mentor_names=names,
        pulses=pulses,
        district=district or "",
        rules=svc.content.mentoring,
        done=done if done in DONE else None,
    )


def _back(district: str | None, done: str) -> Response:
    query = f"?done={done}" + (f"&district={district}" if district else "")
    return RedirectResponse(f"/admin/matching{query}", status_code=303)


@router.post("/matching/run")
async def matching_run(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    district = _district(request, (await request.form()).get("district"))
    now = svc.clock()

    def run():
        with transaction(svc.engine) as session:
            run_matching(
                session,
                svc.content,
                now,
                actor=staff_actor(ctx.staff.id),
                staff_id=ctx.staff.id,
                district=district,
            )

    await run_in_threadpool(run)
    return _back(district, "ran")


def _decide(request: Request, ctx: StaffContext, match_ids: list[int], decision, one: bool) -> int:
    """Approves or rejects the proposals among `match_ids` that the staff member may see;
    `one`: a single match asked for by its address, which must exist for them (else 404).
    A proposal someone acted on first is left as it is."""
    svc = services(request)
    now = svc.clock()
    done = 0
    with transaction(svc.engine) as session:
        for match_id in match_ids:
            match = session.get(MentorMatch, match_id, with_for_update=True)
            try:
                if match is None:
                    raise NotFound()
                visible_person(session, ctx.staff, match.mentee_id)
            except NotFound:
                if one:
                    raise
                continue
            try:
                decision(
                    session, match, now, actor=staff_actor(ctx.staff.id), staff_id=ctx.staff.id
                )
                done += 1
            except NotProposed:
                continue
    return done


@router.post("/matches/{match_id}/approve")
async def match_approve(request: Request, ctx: Casework, match_id: Id) -> Response:
    district = _district(request, (await request.form()).get("district"))
    done = await run_in_threadpool(_decide, request, ctx, [match_id], approve, True)
    return _back(district, "approved" if done else "nothing")


@router.post("/matches/{match_id}/mentor")
async def match_mentor(request: Request, ctx: Casework, match_id: Id) -> Response:
    """Edit a proposal: another mentor who suits the mentee and has a place."""
    svc = services(request)
    form = await request.form()
    district = _district(request, form.get("district"))
    mentor_id = str(form.get("mentor") or "")
    now = svc.clock()

    def change():
        with transaction(svc.engine) as session:
            match = session.get(MentorMatch, match_id, with_for_update=True)
            if match is None:
                raise NotFound()
            visible_person(session, ctx.staff, match.mentee_id)
            if not mentor_id.isdigit():
                raise NotSuitable(mentor_id)
            change_mentor(
                session, svc.content, match, int(mentor_id), now, actor=staff_actor(ctx.staff.id)
            )

    try:
        await run_in_threadpool(change)
    except (NotSuitable, NotProposed):
        return _back(district, "nothing")
    return _back(district, "changed")


@router.post("/matches/{match_id}/reject")
async def match_reject(request: Request, ctx: Casework, match_id: Id) -> Response:
    district = _district(request, (await request.form()).get("district"))
    done = await run_in_threadpool(_decide, request, ctx, [match_id], reject, True)
    return _back(district, "rejected" if done else "nothing")


@router.post("/matching/approve")
async def matching_approve_all(request: Request, ctx: Casework) -> Response:
    """Approves every proposal the page showed (their ids come with the form)."""
    form = await request.form()
    district = _district(request, form.get("district"))
    ids = [int(v) for v in form.getlist("match") if str(v).isdigit()][:1000]
    done = await run_in_threadpool(_decide, request, ctx, ids, approve, False)
    return _back(district, "approved" if done else "nothing")

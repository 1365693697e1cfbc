"""The inbox: what people sent that a person must read, one thread per person; assign it,
answer it (the reply goes out on their channel through the outbox), mark it handled."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from admin import person_page
from admin.deps import Casework, StaffContext, services, wake_outbox
from admin.paging import PER_PAGE, Page, link_query, page_number
from admin.params import Id, parse_id
from admin.render import render
from admin.scope import alerts_condition, people_condition, visible_person
from admin.staff_choices import owners, staff_names
from bot.audit import audit, staff_actor
from bot.casework import helpdesk
from bot.casework.handoff import OPEN, HandoffError, assign, mark_handled, reply
from bot.db import transaction
from bot.models import Alert, CannedReply, Inbound, Person, Staff

router = APIRouter(prefix="/admin")
THREAD_CONTEXT = 30  # messages shown around what they asked


@router.get("/inbox")
async def inbox(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    show = request.query_params.get("show") or ""
    number = page_number(request.query_params.get("page"))

    if show == "handled":
        return await _handled(request, ctx, number)

    def load():
        with transaction(svc.engine) as session:
            # Open handoffs first (a small partial index), then whose they are: starting
            # from the people would read every person's messages.
            where = [OPEN]
            if show == "mine":
                where.append(Inbound.assigned_to == ctx.staff.id)
            elif show == "unassigned":
                where.append(Inbound.assigned_to.is_(None))
            threads = (
                select(
                    Inbound.person_id,
                    func.count().label("waiting"),
                    func.min(Inbound.received_at).label("since"),
                    func.max(Inbound.received_at).label("latest"),
                    func.max(Inbound.assigned_to).label("assigned_to"),
                    func.max(Inbound.handoff).label("reason"),
                    func.min(Inbound.review_due_at).label("review_due"),
                )
                .where(*where)
                .group_by(Inbound.person_id)
            ).subquery()
            visible = (
                select(threads, Person.display_name, Person.language)
                .join(Person, Person.id == threads.c.person_id)
                .where(people_condition(ctx.staff), Person.erased_at.is_(None))
            )
            total = session.execute(
                select(func.count()).select_from(visible.subquery())
            ).scalar_one()
            rows = session.execute(
                # Possible distress first, soonest due first; then the longest waiting.
                visible.order_by(threads.c.review_due.asc().nulls_last(), threads.c.since)
                .limit(PER_PAGE)
                .offset((number - 1) * PER_PAGE)
            ).all()
            names = staff_names(session)
            return Page(list(rows), number, total), names

    page, names = await run_in_threadpool(load)
    return render(
        request,
        ctx,
        "inbox.html",
        page=page,
        names=names,
        show=show,
        query=link_query({"show": show}),
    )


async def _handled(request: Request, ctx: StaffContext, number: int) -> Response:
    """Threads already handled, the latest first; searchable by name or words."""
    svc = services(request)
    query = (request.query_params.get("q") or "").strip()[:80]

    def load():
        with transaction(svc.engine) as session:
            rows, total = helpdesk.handled_threads(
                session, people_condition(ctx.staff), query, PER_PAGE, (number - 1) * PER_PAGE
            )
            return Page(list(rows), number, total), staff_names(session)

    page, names = await run_in_threadpool(load)
    return render(request, ctx, "inbox_handled.html", page=page, names=names, show="handled",
                  q=query, query=link_query({"show": "handled", "q": query}))  # fmt: skip


async def _thread(
    request: Request, ctx: StaffContext, person_id: int, status: int = 200, error: str | None = None
) -> Response:
    svc = services(request)
    now = svc.clock()

    def load():
        with transaction(svc.engine) as session:
            person = visible_person(session, ctx.staff, person_id)
            names = staff_names(session)
            waiting = session.execute(
                select(func.count()).where(Inbound.person_id == person_id, OPEN)
            ).scalar_one()
            entries, _ = person_page.timeline(session, person_id, THREAD_CONTEXT, names)
            assignable = owners(session, person.facilitator_id)
            audit(session, staff_actor(ctx.staff.id), "person.viewed", person_id, now, page="inbox")
            extra = {
                "notes": helpdesk.notes(session, person_id),
                "replies": helpdesk.active_replies(session),
                "alerts": list(
                    session.scalars(
                        select(Alert)
                        .where(
                            Alert.person_id == person_id,
                            Alert.status == "open",
                            alerts_condition(ctx.staff),
                        )
                        .order_by(Alert.id)
                    )
                ),  # fmt: skip
            }
            session.expunge_all()
            return person, entries, waiting, assignable, extra, names

    person, entries, waiting, assignable, extra, names = await run_in_threadpool(load)
    language = person.language or svc.content.default_language
    saved = [(r.id, r.title, helpdesk.reply_text(r, language, svc.content.default_language))
             for r in extra["replies"]]  # fmt: skip
    return render(
        request,
        ctx,
        "inbox_thread.html",
        status,
        person=person,
        entries=entries,
        waiting=waiting,
        assignable=assignable,
        error=error,
        notes=extra["notes"],
        saved_replies=saved,
        alerts=extra["alerts"],
        names=names,
        done=request.query_params.get("done")
        if request.query_params.get("done") in ("replied", "handled", "assigned", "noted")
        else None,
    )


@router.get("/inbox/{person_id}")
async def thread(request: Request, ctx: Casework, person_id: Id) -> Response:
    return await _thread(request, ctx, person_id)


async def _act(request: Request, ctx: StaffContext, person_id: int, action, done: str) -> Response:
    svc = services(request)

    def run():
        with transaction(svc.engine) as session:
            person = visible_person(session, ctx.staff, person_id)
            staff = session.get(Staff, ctx.staff.id)
            action(session, person, staff, svc.clock())

    try:
        await run_in_threadpool(run)
    except HandoffError as error:
        return await _thread(request, ctx, person_id, 400, ctx.t(str(error)))
    if done == "replied":
        wake_outbox(request)
    return RedirectResponse(f"/admin/inbox/{person_id}?done={done}", status_code=303)


@router.post("/inbox/{person_id}/reply")
async def answer(request: Request, ctx: Casework, person_id: Id) -> Response:
    """Typed, or a saved reply in the person's language (when nothing was typed)."""
    svc = services(request)
    form = await request.form()
    text = str(form.get("text") or "")
    saved = parse_id(str(form.get("saved") or ""))
    if not text.strip() and saved is not None:

        def find():
            with transaction(svc.engine) as session:
                row = session.get(CannedReply, saved)
                person = visible_person(session, ctx.staff, person_id)
                if row is None or not row.active:
                    return ""
                default = svc.content.default_language
                return helpdesk.reply_text(row, person.language or default, default)

        text = await run_in_threadpool(find)
    return await _act(
        request, ctx, person_id, lambda s, p, staff, now: reply(s, p, staff, text, now), "replied"
    )


@router.post("/inbox/{person_id}/note")
async def note(request: Request, ctx: Casework, person_id: Id) -> Response:
    """A note for staff on the thread; never sent to the person."""
    svc = services(request)
    text = str((await request.form()).get("text") or "")

    def run():
        with transaction(svc.engine) as session:
            visible_person(session, ctx.staff, person_id)
            helpdesk.add_note(session, person_id, ctx.staff.id, text, svc.clock())

    try:
        await run_in_threadpool(run)
    except helpdesk.HelpdeskError as error:
        return await _thread(request, ctx, person_id, 400, ctx.t(str(error)))
    return RedirectResponse(f"/admin/inbox/{person_id}?done=noted", status_code=303)


@router.post("/inbox/{person_id}/handled")
async def handled(request: Request, ctx: Casework, person_id: Id) -> Response:
    return await _act(
        request,
        ctx,
        person_id,
        lambda s, p, staff, now: mark_handled(s, p.id, staff.id, now),
        "handled",
    )


@router.post("/inbox/{person_id}/assign")
async def assign_thread(request: Request, ctx: Casework, person_id: Id) -> Response:
    raw = str((await request.form()).get("assignee") or "")
    assignee = parse_id(raw)
    if not ctx.is_admin and assignee not in (None, ctx.staff.id):
        assignee = ctx.staff.id
    return await _act(
        request,
        ctx,
        person_id,
        lambda s, p, staff, now: assign(s, p, assignee, staff.id, now),
        "assigned",
    )

"""Alerts: the list (overdue first to the eye), assigning an owner, closing with a note."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import case, func, select

from admin import person_page
from admin.deps import Casework, services
from admin.paging import PER_PAGE, Page, link_query, page_number
from admin.params import Id, parse_id
from admin.render import render
from admin.scope import alerts_condition, visible_alert
from admin.staff_choices import owners, staff_names
from bot.audit import audit, staff_actor
from bot.casework.alerts import assign_alert, close_alert
from bot.casework.staff_links import linked_contacts
from bot.db import transaction
from bot.models import Alert, AlertMessage, Inbound, Person

router = APIRouter(prefix="/admin")
ALERT_CONTEXT = 20  # the conversation around the cry, on the alert page
SEVERITY_ORDER = case({"high": 0, "medium": 1, "low": 2}, value=Alert.severity, else_=3)


@router.get("/alerts")
async def alerts(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    now = svc.clock()
    status = "closed" if request.query_params.get("status") == "closed" else "open"
    severity = request.query_params.get("severity") or ""
    mine = request.query_params.get("mine") == "1"
    number = page_number(request.query_params.get("page"))

    def load():
        with transaction(svc.engine) as session:
            where = [alerts_condition(ctx.staff), Alert.status == status]
            if severity in ("high", "medium", "low"):
                where.append(Alert.severity == severity)
            if mine:
                where.append(Alert.owner_id == ctx.staff.id)
            total = session.execute(
                select(func.count()).select_from(Alert).where(*where)
            ).scalar_one()
            order = (
                (Alert.due_at, SEVERITY_ORDER, Alert.id)
                if status == "open"
                else (Alert.closed_at.desc(), Alert.id.desc())
            )
            rows = session.execute(
                select(Alert, Person.display_name)
                .join(Person, Person.id == Alert.person_id, isouter=True)
                .where(*where)
                .order_by(*order)
                .limit(PER_PAGE)
                .offset((number - 1) * PER_PAGE)
            ).all()
            names = staff_names(session)
            return Page(list(rows), number, total), names

    page, names = await run_in_threadpool(load)

    query = link_query({"status": status, "severity": severity, "mine": "1" if mine else ""})

    return render(
        request,
        ctx,
        "alerts.html",
        page=page,
        names=names,
        now=now,
        status=status,
        severity=severity,
        mine=mine,
        query=query,
    )


@router.get("/alerts/{alert_id}")
async def alert(request: Request, ctx: Casework, alert_id: Id) -> Response:
    return await _alert_page(request, ctx, alert_id)


async def _alert_page(request: Request, ctx, alert_id: int, error: str | None = None) -> Response:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            found = visible_alert(session, ctx.staff, alert_id)
            person = session.get(Person, found.person_id) if found.person_id else None
            if person is not None:
                # The alert shows who and what they said: reading it is reading their record.
                audit(session, staff_actor(ctx.staff.id), "person.viewed", person.id, svc.clock(),
                      page="alert", alert_id=alert_id)  # fmt: skip
            names = staff_names(session)
            # Every message it holds, whole (the words they wrote, not the matched ones).
            said = session.execute(
                select(AlertMessage, Inbound.text, Inbound.channel)
                .outerjoin(Inbound, Inbound.id == AlertMessage.inbound_id)
                .where(AlertMessage.alert_id == found.id)
                .order_by(AlertMessage.at, AlertMessage.id)
            ).all()
            entries = (
                person_page.timeline(session, person.id, ALERT_CONTEXT, names)[0] if person else []
            )
            linked = bool(found.owner_id and linked_contacts(session, found.owner_id))
            return found, person, names, owners(session), said, entries, linked

    found, person, names, assignable, said, entries, linked = await run_in_threadpool(load)
    return render(
        request,
        ctx,
        "alert.html",
        400 if error else 200,
        alert=found,
        said=said,
        entries=entries,
        person=person,
        names=names,
        assignable=assignable,
        owner_linked=linked,
        now=svc.clock(),
        error=error,
        done=request.query_params.get("done") in ("assigned", "closed")
        and request.query_params.get("done"),
    )


@router.post("/alerts/{alert_id}/close")
async def close(request: Request, ctx: Casework, alert_id: Id) -> Response:
    svc = services(request)
    form = await request.form()
    note = str(form.get("note") or "").strip()[:2000]
    if not note:
        return await _alert_page(request, ctx, alert_id, error=ctx.t("alerts.error.note"))

    def run():
        with transaction(svc.engine) as session:
            found = visible_alert(session, ctx.staff, alert_id, lock=True)
            if found.status != "open":
                return False
            close_alert(session, found, ctx.staff.id, note, svc.clock())
            return True

    if not await run_in_threadpool(run):
        return await _alert_page(request, ctx, alert_id, error=ctx.t("alerts.error.closed"))
    return RedirectResponse(f"/admin/alerts/{alert_id}?done=closed", status_code=303)


@router.post("/alerts/{alert_id}/assign")
async def assign(request: Request, ctx: Casework, alert_id: Id) -> Response:
    svc = services(request)
    form = await request.form()
    raw = str(form.get("owner") or "")
    owner = parse_id(raw)
    if not ctx.is_admin and owner not in (None, ctx.staff.id):
        # Facilitators take an alert themselves; handing it to others is for admins.
        owner = ctx.staff.id

    def run():
        with transaction(svc.engine) as session:
            found = visible_alert(session, ctx.staff, alert_id, lock=True)
            if found.status != "open":
                raise ValueError("closed already")
            assign_alert(session, found, owner, ctx.staff.id, svc.clock())

    try:
        await run_in_threadpool(run)
    except ValueError:
        return await _alert_page(request, ctx, alert_id, error=ctx.t("alerts.error.owner"))
    return RedirectResponse(f"/admin/alerts/{alert_id}?done=assigned", status_code=303)

"""Programme settings, for admins: what people read in messages (the programme's name, the
neutral SMS name, help and emergency contacts) and how the programme runs (alert deadlines,
timezone, the SMS price used for broadcast estimates). Changes apply at once."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from admin.deps import AdminOnly, StaffContext, services
from admin.render import render
from admin.staff_choices import owners
from bot.db import transaction
from bot.programme_settings import EDITABLE, SEVERITIES, SettingError, overrides, save

router = APIRouter(prefix="/admin")


async def _page(
    request: Request, ctx: StaffContext, status: int = 200, error: str | None = None, form=None
) -> Response:
    svc = services(request)
    programme = svc.content.programme
    values = {key: programme.get(key, "") for key in EDITABLE}
    hours = dict(programme.get("alert_due_hours") or {})
    values["alert_due_hours"] = {s: hours.get(s, "") for s in SEVERITIES}
    if form:
        values.update({k: v for k, v in form.items() if k in EDITABLE})
        values["alert_due_hours"] = {s: form.get(f"alert_due_hours_{s}", "") for s in SEVERITIES}

    def changed_here():
        with transaction(svc.engine) as session:
            return set(overrides(session)), owners(session)

    overridden, leads = await run_in_threadpool(changed_here)
    return render(
        request,
        ctx,
        "settings.html",
        status,
        values=values,
        severities=SEVERITIES,
        overridden=overridden,
        leads=leads,
        error=error,
        done=request.query_params.get("done") == "saved",
    )


@router.get("/settings")
async def settings_page(request: Request, ctx: AdminOnly) -> Response:
    return await _page(request, ctx)


@router.post("/settings")
async def settings_save(request: Request, ctx: AdminOnly) -> Response:
    svc = services(request)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf"}
    values = {key: form[key] for key in EDITABLE if key in form}
    if any(f"alert_due_hours_{s}" in form for s in SEVERITIES):
        values["alert_due_hours"] = {s: form.get(f"alert_due_hours_{s}", "") for s in SEVERITIES}
    now = svc.clock()

    def store():
        with transaction(svc.engine) as session:
            save(session, svc.content, values, ctx.staff.id, now)
            return overrides(session)

    try:
        found = await run_in_threadpool(store)
    except SettingError as error:
        message = ctx.t(f"settings.error.{error.code}", field=ctx.t(f"settings.{error.key}"))
        return await _page(request, ctx, 400, message, form)
    svc.use_programme_settings(found)
    return RedirectResponse("/admin/settings?done=saved", status_code=303)

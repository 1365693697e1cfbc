"""Staff accounts, for admins: create, change role, deactivate, districts covered, reset a
password. A change of role or deactivation signs the person out everywhere."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from admin.deps import AdminOnly, NotFound, StaffContext, services
from admin.params import Id
from admin.render import render
from bot.audit import audit, staff_actor
from bot.db import transaction
from bot.models import Person, Staff
from bot.staff import ROLES, StaffError, create_staff, set_password, update_staff

router = APIRouter(prefix="/admin")


async def _page(
    request: Request, ctx: StaffContext, status: int = 200, error: str | None = None, form=None
) -> Response:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            staff = session.scalars(select(Staff).order_by(Staff.active.desc(), Staff.name)).all()
            loads = dict(
                session.execute(
                    select(Person.facilitator_id, func.count())
                    .where(Person.facilitator_id.is_not(None), Person.erased_at.is_(None))
                    .group_by(Person.facilitator_id)
                ).all()
            )
            session.expunge_all()
            return staff, loads

    staff, loads = await run_in_threadpool(load)
    done = request.query_params.get("done")
    return render(
        request,
        ctx,
        "staff.html",
        status,
        staff=staff,
        loads=loads,
        roles=ROLES,
        error=error,
        form=form or {},
        done=done if done in ("created", "updated", "password") else None,
    )


@router.get("/staff")
async def staff_list(request: Request, ctx: AdminOnly) -> Response:
    return await _page(request, ctx)


@router.post("/staff")
async def staff_create(request: Request, ctx: AdminOnly) -> Response:
    svc = services(request)
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("email", "name", "role", "password")}
    now = svc.clock()

    def create():
        with transaction(svc.engine) as session:
            staff = create_staff(
                session, values["email"], values["name"], values["password"], values["role"]
            )
            audit(
                session,
                staff_actor(ctx.staff.id),
                "staff.created",
                None,
                now,
                staff_id=staff.id,
                role=staff.role,
            )

    try:
        await run_in_threadpool(create)
    except StaffError as error:
        return await _page(request, ctx, 400, ctx.t(error.key), {**values, "password": ""})
    return RedirectResponse("/admin/staff?done=created", status_code=303)


@router.post("/staff/{staff_id}")
async def staff_update(request: Request, ctx: AdminOnly, staff_id: Id) -> Response:
    svc = services(request)
    form = await request.form()
    role = str(form.get("role") or "")
    active = form.get("active") == "yes"
    districts = [
        str(d)
        for d in form.getlist("districts")
        if str(d) in svc.content.option_sets.get("district", ())
    ]
    now = svc.clock()
    if staff_id == ctx.staff.id and (role != "admin" or not active):
        return await _page(request, ctx, 400, ctx.t("staff.error.self"))

    def change():
        with transaction(svc.engine) as session:
            staff = session.get(Staff, staff_id)
            if staff is None:
                raise NotFound()
            changed = update_staff(
                session, staff, role, active, districts, str(form.get("name") or "")
            )
            if changed:
                audit(
                    session,
                    staff_actor(ctx.staff.id),
                    "staff.updated",
                    None,
                    now,
                    staff_id=staff_id,
                    fields=changed,
                )

    try:
        await run_in_threadpool(change)
    except StaffError as error:
        return await _page(request, ctx, 400, ctx.t(error.key))
    return RedirectResponse("/admin/staff?done=updated", status_code=303)


@router.post("/staff/{staff_id}/password")
async def staff_password(request: Request, ctx: AdminOnly, staff_id: Id) -> Response:
    svc = services(request)
    password = str((await request.form()).get("password") or "")
    now = svc.clock()

    def change():
        with transaction(svc.engine) as session:
            staff = session.get(Staff, staff_id)
            if staff is None:
                raise NotFound()
            set_password(session, staff, password)
            audit(
                session,
                staff_actor(ctx.staff.id),
                "staff.password_reset",
                None,
                now,
                staff_id=staff_id,
            )

    try:
        await run_in_threadpool(change)
    except StaffError as error:
        return await _page(request, ctx, 400, ctx.t(error.key))
    return RedirectResponse("/admin/staff?done=password", status_code=303)

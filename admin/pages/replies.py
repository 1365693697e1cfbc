"""Saved replies for the inbox, kept by admins: a title staff pick it by, and a text in each
language (the person's language is sent; the programme's when theirs is missing)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from admin.deps import AdminOnly, services
from admin.params import Id, parse_id
from admin.render import render
from bot.casework import helpdesk
from bot.db import transaction

router = APIRouter(prefix="/admin")


@router.get("/replies")
async def replies(request: Request, ctx: AdminOnly) -> Response:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            rows = helpdesk.active_replies(session)
            session.expunge_all()
            return rows

    error = request.query_params.get("error") or ""
    return render(request, ctx, "replies.html", replies=await run_in_threadpool(load),
                  error=error if error.startswith(("replies.error.", "inbox.error.")) else None,
                  done=request.query_params.get("done") in ("saved", "retired"))  # fmt: skip


@router.post("/replies")
async def reply_save(request: Request, ctx: AdminOnly) -> Response:
    svc = services(request)
    form = await request.form()
    languages = svc.content.languages

    def save():
        with transaction(svc.engine) as session:
            helpdesk.save_reply(
                session, parse_id(str(form.get("id") or "")), str(form.get("title") or ""),
                {code: str(form.get(f"text_{code}") or "") for code in languages}, languages,
                ctx.staff.id, svc.clock(),
            )  # fmt: skip

    try:
        await run_in_threadpool(save)
    except helpdesk.HelpdeskError as error:
        return RedirectResponse(f"/admin/replies?error={error}", status_code=303)
    return RedirectResponse("/admin/replies?done=saved", status_code=303)


@router.post("/replies/{reply_id}/retire")
async def reply_retire(request: Request, ctx: AdminOnly, reply_id: Id) -> Response:
    svc = services(request)

    def retire():
        with transaction(svc.engine) as session:
            helpdesk.retire_reply(session, reply_id, ctx.staff.id, svc.clock())

    await run_in_threadpool(retire)
    return RedirectResponse("/admin/replies?done=retired", status_code=303)

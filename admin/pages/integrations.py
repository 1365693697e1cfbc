"""API tokens in the admin (admins only): create one per integration with its scopes (the
token is shown once, only its hash kept), see when each was last used, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from admin.deps import AdminOnly, NotFound, services
from admin.params import Id
from admin.render import render
from admin.staff_choices import staff_names
from bot.db import transaction
from bot.integrations import deliveries, events, tokens

router = APIRouter(prefix="/admin")
DONE = ("revoked", "removed", "tested", "retried")


async def _page(request: Request, ctx, status: int = 200, **extra) -> Response:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            rows = tokens.listed(session)
            names = staff_names(session)
            hooks = events.endpoints(session)
            summaries = deliveries.summaries(session, svc.clock())
            failed = deliveries.failed(session)
            session.expunge_all()
            return rows, names, hooks, summaries, failed

    rows, names, hooks, summaries, failed = await run_in_threadpool(load)
    return render(request, ctx, "api_tokens.html", status, tokens=rows, names=names,
                  scopes=tokens.SCOPES, endpoints=hooks, events=events.EVENTS,
                  summaries=summaries, failed=failed,
                  urls={e.id: e.url for e in hooks}, **extra)  # fmt: skip


@router.get("/api-tokens")
async def api_tokens(request: Request, ctx: AdminOnly) -> Response:
    done = request.query_params.get("done")
    return await _page(request, ctx, done=done if done in DONE else None)


@router.post("/api-tokens")
async def api_token_create(request: Request, ctx: AdminOnly) -> Response:
    svc = services(request)
    form = await request.form()

    def create() -> str:
        with transaction(svc.engine) as session:
            _, token = tokens.create(session, str(form.get("name") or ""),
                                     [str(s) for s in form.getlist("scope")], ctx.staff.id,
                                     svc.clock())  # fmt: skip
            return token

    try:
        token = await run_in_threadpool(create)
    except tokens.TokenError as error:
        return await _page(request, ctx, 400, error=str(error))
    # Shown this once, never stored: the page says so.
    return await _page(request, ctx, created=token)


@router.post("/api-tokens/{token_id}/revoke")
async def api_token_revoke(request: Request, ctx: AdminOnly, token_id: Id) -> Response:
    svc = services(request)

    def revoke():
        with transaction(svc.engine) as session:
            tokens.revoke(session, token_id, ctx.staff.id, svc.clock())

    await run_in_threadpool(revoke)
    return RedirectResponse("/admin/api-tokens?done=revoked", status_code=303)


@router.post("/webhooks")
async def webhook_add(request: Request, ctx: AdminOnly) -> Response:
    svc = services(request)
    form = await request.form()

    def add():
        with transaction(svc.engine) as session:
            row = events.add_endpoint(session, str(form.get("url") or ""),
                                      [str(e) for e in form.getlist("event")], ctx.staff.id,
                                      svc.clock())  # fmt: skip
            return row.secret

    try:
        secret = await run_in_threadpool(add)
    except events.EndpointError as error:
        return await _page(request, ctx, 400, error=str(error))
    return await _page(request, ctx, secret=secret)


@router.post("/webhooks/{endpoint_id}/remove")
async def webhook_remove(request: Request, ctx: AdminOnly, endpoint_id: Id) -> Response:
    svc = services(request)

    def remove():
        with transaction(svc.engine) as session:
            events.remove_endpoint(session, endpoint_id, ctx.staff.id, svc.clock())

    await run_in_threadpool(remove)
    return RedirectResponse("/admin/api-tokens?done=removed", status_code=303)


@router.post("/webhooks/{endpoint_id}/test")
async def webhook_test(request: Request, ctx: AdminOnly, endpoint_id: Id) -> Response:
    svc = services(request)

    def test():
        with transaction(svc.engine) as session:
            return deliveries.send_test(session, endpoint_id, ctx.staff.id, svc.clock())

    if not await run_in_threadpool(test):
        raise NotFound()
    return RedirectResponse("/admin/api-tokens?done=tested#webhooks", status_code=303)


@router.post("/webhooks/deliveries/{delivery_id}/retry")
async def webhook_retry(request: Request, ctx: AdminOnly, delivery_id: Id) -> Response:
    svc = services(request)

    def retry():
        with transaction(svc.engine) as session:
            return deliveries.retry(session, delivery_id, ctx.staff.id, svc.clock())

    await run_in_threadpool(retry)  # already retried (a second click) is not an error
    return RedirectResponse("/admin/api-tokens?done=retried#webhooks", status_code=303)

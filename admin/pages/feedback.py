"""You said, we did: each feedback round with how many took part, a summary per language of
what changed, shown as the SMS will go out with its segments and cost before it is sent to
the round's respondents (anonymous ones included; staff learn how many, never who)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from admin.deps import Casework, NotFound, services, wake_outbox
from admin.render import render
from bot.audit import staff_actor
from bot.db import transaction
from bot.followup import feedback

router = APIRouter(prefix="/admin")


@router.get("/feedback")
async def feedback_rounds(request: Request, ctx: Casework) -> Response:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            return feedback.rounds(session)

    return render(request, ctx, "feedback.html", rounds=await run_in_threadpool(load))


def _summaries(content, form) -> dict[str, str]:
    return {code: str(form.get(f"text_{code}") or "").strip() for code in content.languages}


async def _round_page(request, ctx, round_key: str, summaries: dict[str, str], *, checked=False,
                      error: str | None = None, status: int = 200) -> Response:  # fmt: skip
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            known = dict(feedback.rounds(session))
            if round_key not in known:
                raise NotFound()
            estimate = None
            if checked and summaries.get(svc.content.default_language):
                estimate = feedback.estimate(session, round_key, summaries, svc.content)
            return known[round_key], estimate, feedback.sent_before(session, round_key)

    respondents, estimate, before = await run_in_threadpool(load)
    return render(
        request, ctx, "feedback_round.html", status, round_key=round_key,
        respondents=respondents, summaries=summaries, estimate=estimate, before=before,
        error=error, max_length=feedback.SUMMARY_MAX,
        done=request.query_params.get("done") == "sent",
    )  # fmt: skip


@router.get("/feedback/{round_key}")
async def feedback_round(request: Request, ctx: Casework, round_key: str) -> Response:
    return await _round_page(request, ctx, round_key, {})


@router.post("/feedback/{round_key}/preview")
async def feedback_preview(request: Request, ctx: Casework, round_key: str) -> Response:
    svc = services(request)
    summaries = _summaries(svc.content, await request.form())
    if not summaries.get(svc.content.default_language):
        return await _round_page(request, ctx, round_key, summaries, status=400,
                                 error=ctx.t("feedback.error.default"))  # fmt: skip
    if any(len(v) > feedback.SUMMARY_MAX for v in summaries.values()):
        return await _round_page(request, ctx, round_key, summaries, status=400,
                                 error=ctx.t("feedback.error.too_long", max=feedback.SUMMARY_MAX))  # fmt: skip
    return await _round_page(request, ctx, round_key, summaries, checked=True)


@router.post("/feedback/{round_key}/send")
async def feedback_send(request: Request, ctx: Casework, round_key: str) -> Response:
    svc = services(request)
    form = await request.form()
    summaries = _summaries(svc.content, form)

    def send():
        with transaction(svc.engine) as session:
            if round_key not in dict(feedback.rounds(session)):
                raise NotFound()
            return feedback.said_we_did(session, round_key, summaries, svc.content,
                                        staff_actor(ctx.staff.id), svc.clock())  # fmt: skip

    if form.get("confirm") != "yes":
        return await _round_page(request, ctx, round_key, summaries, checked=True, status=400,
                                 error=ctx.t("feedback.error.confirm"))  # fmt: skip
    try:
        await run_in_threadpool(send)
    except ValueError:
        return await _round_page(request, ctx, round_key, summaries, status=400,
                                 error=ctx.t("feedback.error.default"))  # fmt: skip
    wake_outbox(request)
    return RedirectResponse(f"/admin/feedback/{round_key}?done=sent", status_code=303)

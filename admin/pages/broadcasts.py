"""Broadcasts: write a text per language, choose who (the people filters), see how many and
what it costs, send; then watch it go. Admins reach everyone, facilitators their people and
their own broadcasts; viewers none of it."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from admin.deps import Casework, NotFound, StaffContext, services, wake_outbox
from admin.i18n import LANGUAGE_NAMES
from admin.params import Id
from admin.render import render
from admin.scope import people_condition
from admin.staff_choices import facilitators, staff_names
from bot import broadcasts
from bot.broadcasts import MAX_LENGTH, BroadcastError
from bot.db import transaction
from bot.models import Broadcast, Outbound, Person
from bot.people.filters import FLAGS, PeopleFilter

router = APIRouter(prefix="/admin")
LISTED = 100  # the most recent broadcasts on the list page
PROBLEMS = 100  # undelivered rows shown on a broadcast's page
PROBLEM_STATUSES = ("failed", "undelivered", "cancelled")


def _filters(ctx: StaffContext, values) -> PeopleFilter:
    found = PeopleFilter.from_mapping(values)
    if not ctx.is_admin:  # a facilitator's audience is their people, whatever the form says
        found = PeopleFilter.from_mapping({**found.as_dict(), "facilitator": ""})
    return found


def _texts(content, form) -> dict[str, str]:
    return {language: str(form.get(f"text_{language}") or "") for language in content.languages}


def _scope(ctx: StaffContext, filters: PeopleFilter) -> list:
    return [people_condition(ctx.staff), *filters.conditions()]


MAX_REPLY_DAYS = 14


def _reply_days(form) -> int:
    """How many days replies go to the inbox (0 to MAX_REPLY_DAYS; anything else: 0)."""
    raw = str(form.get("reply_days") or "0").strip()
    return min(int(raw), MAX_REPLY_DAYS) if raw.isascii() and raw.isdigit() else 0


def _send_at(request: Request, form) -> datetime | None:
    """A later date and time typed in the programme's timezone, as UTC; None: at once (or
    what was typed cannot be read)."""
    raw = str(form.get("send_at") or "").strip()
    if not raw:
        return None
    try:
        naive = datetime.fromisoformat(raw)
    except ValueError:
        return None
    zone = ZoneInfo(services(request).content.programme.get("default_timezone", "UTC"))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _error(ctx: StaffContext, error: BroadcastError) -> str:
    language = LANGUAGE_NAMES.get(error.language or "", error.language or "")
    return ctx.t(f"broadcasts.error.{error.code}", language=language, limit=MAX_LENGTH)


async def _compose(
    request: Request,
    ctx: StaffContext,
    texts: dict[str, str],
    filters: PeopleFilter,
    status: int = 200,
    preview=None,
    error: str | None = None,
    reply_days: int = 0,
    send_at: str = "",
    flash: str | None = None,
) -> Response:
    svc = services(request)
    # A fresh one-time token with every preview: the send it confirms happens once.
    nonce = secrets.token_urlsafe(24) if preview is not None else None

    def load():
        with transaction(svc.engine) as session:
            return facilitators(session) if ctx.is_admin else []

    return render(
        request,
        ctx,
        "broadcasts_new.html",
        status,
        texts=texts,
        filters=filters,
        reply_days=reply_days,
        max_reply_days=MAX_REPLY_DAYS,
        send_at=send_at,
        flash=flash,
        statuses=(),  # only active people receive a broadcast: no status to choose
        flags=FLAGS,
        facilitators=await run_in_threadpool(load),
        default_language=svc.content.default_language,
        rtl_languages=svc.content.catalog.rtl,
        max_length=MAX_LENGTH,
        preview=preview,
        nonce=nonce,
        error=error,
    )


@router.get("/broadcasts")
async def broadcast_list(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    now = svc.clock()

    def load():
        with transaction(svc.engine) as session:
            statement = select(Broadcast).order_by(Broadcast.id.desc()).limit(LISTED)
            if not ctx.is_admin:
                statement = statement.where(Broadcast.created_by == ctx.staff.id)
            rows = list(session.scalars(statement))
            return rows, broadcasts.progress_many(session, rows, now), staff_names(session)

    rows, progress, names = await run_in_threadpool(load)
    return render(request, ctx, "broadcasts.html", broadcasts=rows, progress=progress, names=names)


@router.get("/broadcasts/new")
async def new_broadcast(request: Request, ctx: Casework) -> Response:
    # Filters may come in the address, e.g. from the people list ("write to these people").
    content = services(request).content
    texts = {language: "" for language in content.languages}
    return await _compose(request, ctx, texts, _filters(ctx, request.query_params))


@router.post("/broadcasts/preview")
async def preview_broadcast(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    form = await request.form()
    texts, filters = _texts(svc.content, form), _filters(ctx, form)

    def compute():
        with transaction(svc.engine) as session:
            return broadcasts.preview(
                session, _scope(ctx, filters), texts, svc.content, list(svc.channels)
            )

    days = _reply_days(form)
    try:
        found = await run_in_threadpool(compute)
    except BroadcastError as error:
        return await _compose(
            request, ctx, texts, filters, 400, error=_error(ctx, error), reply_days=days
        )
    if not found.recipients:
        error = _error(ctx, BroadcastError("nobody"))
        return await _compose(request, ctx, texts, filters, 400, error=error, reply_days=days)
    return await _compose(request, ctx, texts, filters, preview=found, reply_days=days,
                          send_at=str(form.get("send_at") or "")[:16])  # fmt: skip


@router.post("/broadcasts")
async def send_broadcast(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    form = await request.form()
    texts, filters = _texts(svc.content, form), _filters(ctx, form)
    now = svc.clock()

    nonce = str(form.get("nonce") or "")[:64]
    if not nonce:
        # Sending needs the preview first: what it costs and who receives it.
        return await _compose(
            request, ctx, texts, filters, 400, error=ctx.t("broadcasts.error.preview")
        )

    def find_sent() -> int | None:
        with transaction(svc.engine) as session:
            return session.scalars(select(Broadcast.id).where(Broadcast.nonce == nonce)).first()

    def queue() -> int:
        # Who receives is decided now, not when the preview was shown.
        with transaction(svc.engine) as session:
            return broadcasts.send(
                session,
                staff_id=ctx.staff.id,
                texts=texts,
                audience_filter=filters.as_dict(),
                conditions=_scope(ctx, filters),
                content=svc.content,
                now=now,
                channels=list(svc.channels),
                nonce=nonce,
                reply_days=_reply_days(form),
                send_at=_send_at(request, form),
            ).id

    try:
        broadcast_id = await run_in_threadpool(queue)
    except IntegrityError:
        # The same confirmation posted twice at once: the other request queued it.
        broadcast_id = await run_in_threadpool(find_sent)
        if broadcast_id is None:
            raise
    except BroadcastError as error:
        return await _compose(request, ctx, texts, filters, 400, error=_error(ctx, error))
    wake_outbox(request)  # what is due now goes at once
    return RedirectResponse(f"/admin/broadcasts/{broadcast_id}", status_code=303)


@router.post("/broadcasts/test")
async def test_broadcast(request: Request, ctx: Casework) -> Response:
    """The message to the staff member's own linked Telegram or phone, before sending it."""
    svc = services(request)
    form = await request.form()
    texts, filters = _texts(svc.content, form), _filters(ctx, form)
    days, later = _reply_days(form), str(form.get("send_at") or "")[:16]

    def send_test() -> int:
        with transaction(svc.engine) as session:
            language = ctx.language if ctx.language in svc.content.languages else None
            return broadcasts.test_send(
                session, ctx.staff.id, texts, language or svc.content.default_language,
                svc.content, svc.clock(),
            )  # fmt: skip

    try:
        count = await run_in_threadpool(send_test)
    except BroadcastError as error:
        return await _compose(request, ctx, texts, filters, 400, error=_error(ctx, error),
                              reply_days=days, send_at=later)  # fmt: skip
    wake_outbox(request)
    return await _compose(request, ctx, texts, filters, reply_days=days, send_at=later,
                          flash=ctx.t("broadcasts.test_sent", count=count))  # fmt: skip


@router.get("/broadcasts/{broadcast_id}")
async def broadcast_page(request: Request, ctx: Casework, broadcast_id: Id) -> Response:
    svc = services(request)
    now = svc.clock()

    def load():
        with transaction(svc.engine) as session:
            broadcast = session.get(Broadcast, broadcast_id)
            if broadcast is None or not (ctx.is_admin or broadcast.created_by == ctx.staff.id):
                raise NotFound()
            progress = broadcasts.progress(session, broadcast, now)
            problems = session.execute(
                select(Outbound, Person.display_name)
                .join(Person, Person.id == Outbound.person_id, isouter=True)
                .where(
                    Outbound.broadcast_id == broadcast.id,
                    Outbound.status.in_(PROBLEM_STATUSES),
                )
                .order_by(Outbound.id)
                .limit(PROBLEMS)
            ).all()
            return broadcast, progress, problems, staff_names(session)

    broadcast, progress, problems, names = await run_in_threadpool(load)
    return render(
        request,
        ctx,
        "broadcasts_show.html",
        broadcast=broadcast,
        progress=progress,
        problems=problems,
        author=names.get(broadcast.created_by),
        names=names,
        statuses=broadcasts.STATUSES,
        now=now,
        rtl_languages=svc.content.catalog.rtl,
    )

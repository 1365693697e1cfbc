"""Bringing people in and taking them out, in the admin: upload a CSV or XLSX list, map its
columns (guessed from the headings), read the check of every row before anything is
written, then watch the import's progress; download the people a filter selects, as CSV or
XLSX, pseudonymised unless an admin asks for names and numbers (audited either way)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from admin.deps import Casework, NotFound, StaffContext, services
from admin.params import Id
from admin.render import render
from admin.scope import people_condition
from bot.audit import staff_actor
from bot.db import transaction
from bot.models import PeopleImport
from bot.people import exporting, import_jobs
from bot.people.filters import PeopleFilter
from bot.people.importing import FIELDS, ImportFileError
from bot.people.local_time import programme_today

router = APIRouter(prefix="/admin")
log = logging.getLogger(__name__)
MAX_UPLOAD = 10 * 1024 * 1024  # 10 MB: some 100,000 rows of a CSV
PREVIEW_ROWS = 5
SHOWN_PROBLEMS = 50
TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip
_running: set[asyncio.Task] = set()  # kept so that a running import is not garbage-collected


def _visible(session, ctx: StaffContext, import_id: int, lock: bool = False) -> PeopleImport:
    job = session.get(PeopleImport, import_id, with_for_update=lock)
    if job is None or not (ctx.is_admin or job.created_by == ctx.staff.id):
        raise NotFound()
    return job


@router.get("/imports")
async def imports(request: Request, ctx: Casework) -> Response:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            query = select(PeopleImport).order_by(PeopleImport.id.desc()).limit(20)
            if not ctx.is_admin:
                query = query.where(PeopleImport.created_by == ctx.staff.id)
            rows = list(session.exec(query))
            session.expunge_all()
            return rows

    error = request.query_params.get("error") or ""
    return render(request, ctx, "imports.html", jobs=await run_in_threadpool(load),
                  fields=FIELDS, error=error if error.startswith("import.error.") else None)  # fmt: skip


@router.post("/imports")
async def import_upload(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    form = await request.form()
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read"):
        return RedirectResponse("/admin/imports?error=import.error.no_file", status_code=303)
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return RedirectResponse("/admin/imports?error=import.error.too_big", status_code=303)

    def keep():
        with transaction(svc.engine) as session:
            job = import_jobs.upload(session, data, upload.filename or "list.csv", svc.content,
                                     ctx.staff.id, svc.clock())  # fmt: skip
            return job.id

    try:
        import_id = await run_in_threadpool(keep)
    except ImportFileError as error:
        return RedirectResponse(f"/admin/imports?error={error.key}", status_code=303)
    return RedirectResponse(f"/admin/imports/{import_id}", status_code=303)


@router.get("/imports/{import_id}")
async def import_show(request: Request, ctx: Casework, import_id: Id) -> Response:
    svc = services(request)
    now = svc.clock()

    def load():
        with transaction(svc.engine) as session:
            job = _visible(session, ctx, import_id)
            checked = None
            if job.status == "uploaded" and job.data:
                checked = import_jobs.check(job, svc.content, svc.settings.sms_allowed_countries,
                                            programme_today(svc.content, now))  # fmt: skip
            session.expunge(job)
            return job, checked

    job, checked = await run_in_threadpool(load)
    preview = []
    if checked is not None:
        preview = [
            [row[i] if i < len(row) else "" for i in range(len(checked.table.headers))]
            for row in checked.table.rows[:PREVIEW_ROWS]
        ]
    return render(
        request, ctx, "import.html", job=job, checked=checked, preview=preview, fields=FIELDS,
        shown=SHOWN_PROBLEMS,
        problem_rows=[r for r in checked.rows if r.problems][:SHOWN_PROBLEMS] if checked else [],
    )  # fmt: skip


@router.post("/imports/{import_id}/mapping")
async def import_mapping(request: Request, ctx: Casework, import_id: Id) -> Response:
    svc = services(request)
    form = await request.form()

    def save():
        with transaction(svc.engine) as session:
            job = _visible(session, ctx, import_id, lock=True)
            if job.status != "uploaded":
                return
            raw = {key.removeprefix("column_"): str(value) for key, value in form.items()
                   if key.startswith("column_") and key.removeprefix("column_").isdigit()}  # fmt: skip
            import_jobs.set_mapping(job, raw)

    await run_in_threadpool(save)
    return RedirectResponse(f"/admin/imports/{import_id}", status_code=303)


@router.post("/imports/{import_id}/start")
async def import_start(request: Request, ctx: Casework, import_id: Id) -> Response:
    """Written in the background, a chunk per transaction; the page shows the progress."""
    svc = services(request)
    form = await request.form()

    def begin() -> bool:
        with transaction(svc.engine) as session:
            job = _visible(session, ctx, import_id, lock=True)
            if job.status != "uploaded" or form.get("confirm") != "yes":
                return False
            job.status, job.updated_at = "running", svc.clock()
            return True

    if await run_in_threadpool(begin):
        task = asyncio.create_task(
            asyncio.to_thread(
                import_jobs.run,
                svc.engine,
                import_id,
                svc.content,
                svc.settings.sms_allowed_countries,
                svc.clock,
            )  # fmt: skip
        )
        _running.add(task)
        task.add_done_callback(_finished)
    return RedirectResponse(f"/admin/imports/{import_id}", status_code=303)


def _finished(task: asyncio.Task) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        # The job stays "running"; housekeeping takes it up again (import_jobs.resume_stale).
        log.error("a people import failed", exc_info=task.exception())


@router.get("/exports/people")
async def people_export(request: Request, ctx: Casework) -> Response:
    """The people the filter selects (the people list's filters), within the staff member's
    own people; names and numbers only for an admin who asks."""
    svc = services(request)
    filters = PeopleFilter.from_mapping(request.query_params)
    fmt = "xlsx" if request.query_params.get("format") == "xlsx" else "csv"
    identities = ctx.is_admin and request.query_params.get("identities") == "yes"

    def make():
        with transaction(svc.engine) as session:
            return exporting.export(
                session, [people_condition(ctx.staff), *filters.conditions()],
                svc.settings.signing_key(), identities=identities, fmt=fmt,
                actor=staff_actor(ctx.staff.id), now=svc.clock(),
            )  # fmt: skip

    data, _ = await run_in_threadpool(make)
    name = f"people-{svc.clock().date().isoformat()}.{fmt}"
    return Response(data, media_type=TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip

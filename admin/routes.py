"""The facilitators' pages. For now: sign in, a first overview, sign out."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from admin.auth import SESSION_COOKIE, SESSION_MAX_AGE, authenticate, read_session, serializer
from bot.db import transaction
from bot.models import Person, Staff

router = APIRouter(prefix="/admin")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _secret(request: Request) -> str:
    return request.app.state.services.settings.signing_key()


def _current_staff(request: Request) -> Staff | None:
    staff_id = read_session(_secret(request), request.cookies.get(SESSION_COOKIE))
    if staff_id is None:
        return None
    with transaction(request.app.state.services.engine) as session:
        staff = session.get(Staff, staff_id)
        return staff if staff is not None and staff.active else None


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": None})


@router.post("/login")
async def login(request: Request, email: str = Form(""), password: str = Form("")) -> Response:
    engine = request.app.state.services.engine

    def check():
        with transaction(engine) as session:
            return authenticate(session, email, password)

    staff = await run_in_threadpool(check)
    if staff is None:
        context = {"error": "Email or password is not right."}
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    response = RedirectResponse("/admin", status_code=303)
    token = serializer(_secret(request)).dumps({"staff": staff.id})
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    staff = await run_in_threadpool(_current_staff, request)
    if staff is None:
        return RedirectResponse("/admin/login", status_code=303)
    engine = request.app.state.services.engine

    def counts():
        with transaction(engine) as session:
            rows = session.execute(
                select(Person.status, func.count()).group_by(Person.status)
            ).all()
            return {status: count for status, count in rows}

    by_status = await run_in_threadpool(counts)
    return templates.TemplateResponse(
        request, "home.html", {"staff": staff, "by_status": by_status}
    )

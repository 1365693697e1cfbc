"""Signing in and out, the account page, the language switch."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from admin.deps import AnyStaff, Casework, load_context, services
from admin.i18n import LANGUAGES
from admin.params import Id
from admin.render import LOGIN_LANGUAGE, render
from admin.sessions import (
    COOKIE,
    LIFETIME,
    close_session,
    open_session,
    record_failure,
    too_many_attempts,
)
from bot.audit import audit, staff_actor
from bot.casework.staff_links import CODE_LIFETIME, linked_contacts, may_link, new_code
from bot.db import transaction
from bot.messaging.optout import unlink_staff_contact
from bot.models import Staff, StaffContact
from bot.staff import authenticate, close_all_sessions, hash_password, verify_password

router = APIRouter(prefix="/admin")
LOGIN_CSRF = "homecoming_login_csrf"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(value: str | None) -> str:
    """Only our own pages: a crafted link must not send staff elsewhere after sign-in."""
    if value and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return "/admin"


def _login_page(
    request: Request, error: str | None = None, status: int = 200, next_url: str = "/admin"
) -> Response:
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
    response = render(
        request,
        None,
        "login.html",
        status,
        error=error,
        login_csrf=token,
        next_url=_safe_next(next_url),
    )
    secure = request.url.scheme == "https"
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="strict", secure=secure, path="/admin"
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LOGIN_LANGUAGE,
            request.query_params["lang"],
            samesite="lax",
            secure=secure,
            path="/admin",
        )
    return response


@router.get("/login")
async def login_page(request: Request) -> Response:
    next_url = _safe_next(request.query_params.get("next"))
    if await load_context(request) is not None:
        return RedirectResponse(next_url, status_code=303)
    return _login_page(request, next_url=next_url)


@router.post("/login")
async def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
    next: str = Form("/admin"),  # noqa: A002 - the form field's name
) -> Response:
    # Before sign-in there is no session: the form's token must match its cookie.
    cookie = request.cookies.get(LOGIN_CSRF) or ""
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf.encode()):
        return _login_page(request, "login.expired", 403, next)
    svc = services(request)
    now = svc.clock()
    address = _client(request)

    def check():
        with transaction(svc.engine) as session:
            if too_many_attempts(session, email, address, now):
                # Same work as any other try, so the answer's timing does not say "locked".
                authenticate(session, email, password)
                record_failure(session, email, address, now)
                return None
            staff = authenticate(session, email, password)
            if staff is None:
                record_failure(session, email, address, now)
                return None
            token, _ = open_session(session, staff, now, request.cookies.get(COOKIE))
            audit(session, staff_actor(staff.id), "staff.login", None, now)
            return token

    token = await run_in_threadpool(check)
    if token is None:
        # One message for every failure: a wrong email, a wrong password or too many tries.
        return _login_page(request, "login.failed", 401, next)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/admin",
    )
    response.delete_cookie(LOGIN_CSRF, path="/admin")
    return response


@router.post("/logout")
async def logout(request: Request, ctx: AnyStaff) -> Response:
    svc = services(request)

    def end():
        with transaction(svc.engine) as session:
            close_session(session, request.cookies.get(COOKIE, ""))
            audit(session, staff_actor(ctx.staff.id), "staff.logout", None, svc.clock())

    await run_in_threadpool(end)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


@router.post("/language")
async def language(request: Request, ctx: AnyStaff, language: str = Form("en")) -> Response:
    svc = services(request)
    if language in LANGUAGES:

        def save():
            with transaction(svc.engine) as session:
                session.get(Staff, ctx.staff.id).language = language

        await run_in_threadpool(save)
    # Back to the page they were on, if it is one of ours.
    back = request.headers.get("referer") or ""
    base = str(request.base_url).rstrip("/")
    path = back[len(base) :] if back.startswith(base + "/") else "/admin"
    return RedirectResponse(_safe_next(path), status_code=303)


async def _account(request: Request, ctx, status: int = 200, **extra) -> Response:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            contacts = linked_contacts(session, ctx.staff.id)
            session.expunge_all()
            return contacts

    settings = svc.settings
    return render(
        request,
        ctx,
        "account.html",
        status,
        changed=request.query_params.get("changed") == "1",
        contacts=await run_in_threadpool(load),
        may_link=may_link(ctx.staff),
        telegram_bot=settings.telegram_bot_username if settings.telegram_enabled else None,
        sms_number=settings.twilio_from if settings.twilio_enabled else None,
        code_minutes=int(CODE_LIFETIME.total_seconds() // 60),
        **extra,
    )


@router.get("/account")
async def account(request: Request, ctx: AnyStaff) -> Response:
    return await _account(request, ctx)


@router.post("/account/link")
async def link_code(request: Request, ctx: Casework) -> Response:
    """A one-time code to send to the bot; shown once, never stored in the clear. Those who
    can own an alert link a contact; a viewer never gets a notice."""
    svc = services(request)
    now = svc.clock()

    def make():
        with transaction(svc.engine) as session:
            return new_code(session, ctx.staff.id, now)

    code = await run_in_threadpool(make)
    return await _account(request, ctx, code=code)


@router.post("/account/contacts/{contact_id}/unlink")
async def unlink_contact(request: Request, ctx: AnyStaff, contact_id: Id) -> Response:
    svc = services(request)
    now = svc.clock()

    def remove():
        with transaction(svc.engine) as session:
            contact = session.get(StaffContact, contact_id)
            # Only one's own: another staff member's contact is as good as not there.
            if contact is not None and contact.staff_id == ctx.staff.id:
                unlink_staff_contact(session, contact, "unlinked", staff_actor(ctx.staff.id), now)

    await run_in_threadpool(remove)
    return RedirectResponse("/admin/account", status_code=303)


@router.post("/account/password")
async def change_password(
    request: Request,
    ctx: AnyStaff,
    current: str = Form(""),
    new: str = Form(""),
) -> Response:
    svc = services(request)
    now = svc.clock()

    def change():
        with transaction(svc.engine) as session:
            staff = session.get(Staff, ctx.staff.id)
            if not verify_password(staff.password_hash, current):
                return "account.wrong_password"
            if len(new) < 10:
                return "account.too_short"
            if len(new) > 200:
                return "account.too_long"
            staff.password_hash = hash_password(new)
            close_all_sessions(session, staff.id)
            token, _ = open_session(session, staff, now)
            audit(session, staff_actor(staff.id), "staff.password_changed", None, now)
            return token

    outcome = await run_in_threadpool(change)
    if outcome.startswith("account."):
        return await _account(request, ctx, 400, error=ctx.t(outcome))
    response = RedirectResponse("/admin/account?changed=1", status_code=303)
    response.set_cookie(COOKIE, outcome, max_age=int(LIFETIME.total_seconds()), httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/admin")  # fmt: skip
    return response

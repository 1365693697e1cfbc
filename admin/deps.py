"""What every admin page depends on, in one place: the signed-in staff member, their role,
their language, and the CSRF check on every form."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from admin.i18n import RTL, translator
from admin.sessions import COOKIE, find_session
from bot.db import transaction
from bot.models import Staff, StaffSession


class LoginRequired(Exception):
    """Handled by a redirect to the sign-in page."""


class Forbidden(Exception):
    """Handled by a 403 page (a wrong role) — or 404 where existence must not leak."""


class NotFound(Exception):
    pass


class StaleForm(Exception):
    """A form sent with a token that is no longer this session's (opened before signing in
    again, or in another tab): sent back to the page it came from, what was typed kept."""


@dataclass
class StaffContext:
    staff: Staff
    session: StaffSession
    t: Callable[..., str]
    language: str

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    @property
    def csrf(self) -> str:
        return self.session.csrf_token

    @property
    def is_admin(self) -> bool:
        return self.staff.role == "admin"


def services(request: Request):
    return request.app.state.services


def wake_outbox(request: Request) -> None:
    """Staff's messages (a reply, a broadcast) should leave now, not at the next poll."""
    workers = getattr(request.app.state, "workers", None)
    if workers is not None:
        workers.wake_outbox()


async def load_context(request: Request) -> StaffContext | None:
    if hasattr(request.state, "staff_context"):
        return request.state.staff_context
    svc = services(request)

    def find():
        with transaction(svc.engine) as session:
            found = find_session(session, request.cookies.get(COOKIE), svc.clock())
            if found is None:
                return None
            row, staff = found
            session.expunge_all()
            return row, staff

    found = await run_in_threadpool(find)
    context = None
    if found is not None:
        row, staff = found
        context = StaffContext(staff, row, translator(staff.language), staff.language)
    request.state.staff_context = context
    return context


def require(*roles: str):
    """A dependency: signed in, one of `roles`, and for a POST a valid CSRF token."""

    async def dependency(request: Request) -> StaffContext:
        context = await load_context(request)
        if context is None:
            raise LoginRequired()
        if context.staff.role not in roles:
            raise Forbidden()
        if request.method == "POST":
            form = await request.form()
            given = str(form.get("csrf") or "")
            if not hmac.compare_digest(given.encode(), context.csrf.encode()):
                raise StaleForm()
        return context

    return dependency


ALL = ("admin", "facilitator", "viewer")
CASEWORK = ("admin", "facilitator")
ADMIN = ("admin",)

# What a route declares it needs: `ctx: AnyStaff`, `ctx: Casework`, `ctx: AdminOnly`.
AnyStaff = Annotated[StaffContext, Depends(require(*ALL))]
Casework = Annotated[StaffContext, Depends(require(*CASEWORK))]
AdminOnly = Annotated[StaffContext, Depends(require(*ADMIN))]

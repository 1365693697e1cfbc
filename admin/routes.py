"""The facilitators' pages, one module per area; `install` wires them into the app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from admin.pages import (
    alerts,
    audit,
    auth,
    broadcasts,
    dashboard,
    feedback,
    groups,
    imports,
    inbox,
    integrations,
    mentoring,
    people,
    person,
    replies,
    results,
    savings,
    settings,
    staff,
)
from admin.security import install as install_security

AREAS = (
    auth,
    dashboard,
    people,
    person,
    imports,
    inbox,
    alerts,
    results,
    feedback,
    broadcasts,
    mentoring,
    groups,
    savings,
    staff,
    settings,
    replies,
    integrations,
    audit,
)
router = APIRouter()
for module in AREAS:
    router.include_router(module.router)


def admin_routes() -> list[tuple[str, str]]:
    """(method, path) of every admin page and form, for the permission tests."""
    return sorted(
        (method, route.path)
        for module in AREAS
        for route in module.router.routes
        for method in getattr(route, "methods", ())
        if method != "HEAD"
    )


def install(app: FastAPI) -> None:
    app.include_router(router, include_in_schema=False)  # pages, not an API
    install_security(app)

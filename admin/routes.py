"""The facilitators' pages, one module per area; `install` wires them into the app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from admin import (
    views_alerts,
    views_audit,
    views_auth,
    views_broadcasts,
    views_dashboard,
    views_inbox,
    views_people,
    views_person,
    views_results,
    views_staff,
)
from admin.security import install as install_security

router = APIRouter()
for module in (
    views_auth,
    views_dashboard,
    views_people,
    views_person,
    views_inbox,
    views_alerts,
    views_results,
    views_broadcasts,
    views_staff,
    views_audit,
):
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    app.include_router(router)
    install_security(app)

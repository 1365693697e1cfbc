"""The API for case-management systems, versioned under /api/v1: its own FastAPI application
(mounted by bot/app.py) with its own OpenAPI description at /api/v1/openapi.json (no docs
page: it would load its scripts from elsewhere) and one error shape."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from bot.api import endpoints
from bot.api.errors import ApiError, api_error, http_error, invalid
from bot.integrations.tokens import RateLimit

DESCRIPTION = """For case-management systems: people, follow-up results and alerts.

Authenticate with a token an admin creates in the admin's **API tokens** page:
`Authorization: Bearer hc_…`. Scopes: `read` (every GET), `write` (create and update
people), `identities` (names, phone numbers and alert details; without it people are
their public id and the fields that describe them). At most 120 requests a minute per token.

Every error is `{"error": {"code": "...", "message": "..."}}` with the HTTP status.
"""


def create_api(services, per_minute: int = 120) -> FastAPI:
    api = FastAPI(
        title="Homecoming API", version="1.0", description=DESCRIPTION,
        openapi_url="/openapi.json", docs_url=None, redoc_url=None,
    )  # fmt: skip
    api.state.services = services
    api.state.rate_limit = RateLimit(per_minute)
    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(HTTPException, http_error)
    api.add_exception_handler(RequestValidationError, invalid)
    api.include_router(endpoints.router)
    return api

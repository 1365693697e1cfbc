"""Who is calling: a token in `Authorization: Bearer hc_…`, live, with the scope the endpoint
needs, and within its rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from bot.api.errors import ApiError
from bot.db import transaction
from bot.integrations import tokens


@dataclass(frozen=True)
class Caller:
    token_id: int
    name: str
    scopes: tuple[str, ...]
    staff_id: int | None  # the admin who created the token

    @property
    def actor(self) -> str:
        return f"api:{self.token_id}"

    @property
    def identities(self) -> bool:
        return "identities" in self.scopes


def services(request: Request):
    return request.app.state.services


def require(scope: str):
    async def caller(request: Request) -> Caller:
        header = request.headers.get("authorization") or ""
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", "Send a token: Authorization: Bearer <token>.",
                           {"WWW-Authenticate": "Bearer"})  # fmt: skip
        svc = services(request)

        def look_up():
            with transaction(svc.engine) as session:
                row = tokens.find(session, token.strip(), svc.clock())
                if row is None:
                    return None
                return Caller(row.id, row.name, tuple(row.scopes), row.created_by)

        found = await run_in_threadpool(look_up)
        if found is None:
            raise ApiError(401, "unauthorized", "This token is unknown or revoked.",
                           {"WWW-Authenticate": "Bearer"})  # fmt: skip
        if scope not in found.scopes:
            raise ApiError(403, "forbidden", f"This token does not have the {scope!r} scope.")
        wait = request.app.state.rate_limit.allow(found.token_id, svc.clock())
        if wait is not None:
            raise ApiError(429, "too_many_requests", "Too many requests: slow down.",
                           {"Retry-After": str(int(wait))})  # fmt: skip
        return found

    return caller


Reader = Annotated[Caller, Depends(require("read"))]
Writer = Annotated[Caller, Depends(require("write"))]

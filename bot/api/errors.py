"""Every API error in one shape: {"error": {"code": "...", "message": "..."}}."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 422: "invalid", 429: "too_many_requests"}  # fmt: skip


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers
        self.extra = extra


def body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


async def api_error(request: Request, error: ApiError) -> JSONResponse:
    return JSONResponse(body(error.code, error.message, **error.extra), error.status,
                        headers=error.headers)  # fmt: skip


async def http_error(request: Request, error: HTTPException) -> JSONResponse:
    code = CODES.get(error.status_code, "error")
    return JSONResponse(body(code, str(error.detail)), error.status_code,
                        headers=getattr(error, "headers", None))  # fmt: skip


async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
    fields = [
        {"field": ".".join(str(p) for p in item.get("loc", ())[1:]), "problem": item.get("msg", "")}
        for item in error.errors()
    ]
    return JSONResponse(
        body("invalid", "The request does not fit this endpoint.", fields=fields), 422
    )

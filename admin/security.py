"""Security headers on every admin response, and what happens when access is refused.

The Content-Security-Policy forbids inline script (and any script or style not served by
the app itself): field offices get every asset from us, and an injected tag runs nothing.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response

from admin.deps import Forbidden, LoginRequired, NotFound, StaleForm, load_context
from admin.render import render

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    # Pages hold personal data and are read on shared computers: never keep a copy.
    (b"cache-control", b"no-store"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Pure ASGI, so that streamed responses (CSV exports) get the headers too."""

    def __init__(self, app, prefix: str = "/admin"):
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        static = scope["path"].startswith(self.prefix + "/static/")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    h
                    for h in HEADERS
                    if h[0] not in present and not (static and h[0] == b"cache-control")
                ]
                if https:
                    extra.append(HSTS)
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def install(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _error: LoginRequired) -> Response:
        if request.method != "GET":
            # A form sent after the session ended: sign in, then back to the page it came
            # from, where admin.js puts back what was typed.
            target = _with(_came_from(request), "kept")
            return RedirectResponse(f"/admin/login?next={quote(target, safe='')}", status_code=303)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/admin/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(StaleForm)
    async def _stale(request: Request, _error: StaleForm) -> Response:
        return RedirectResponse(_with(_came_from(request), "stale"), status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _error: Forbidden) -> Response:
        context = await load_context(request)
        return render(request, context, "error.html", 403, code=403, message="error.forbidden")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if not request.url.path.startswith("/admin"):
            return await request_validation_exception_handler(request, error)
        # /admin/people/abc is a page that does not exist, not a programming error.
        in_path = any(item.get("loc", ("",))[0] == "path" for item in error.errors())
        context = await load_context(request)
        code, message = (404, "error.not_found") if in_path else (400, "error.bad_request")
        return render(request, context, "error.html", code, code=code, message=message)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, _error: NotFound) -> Response:
        context = await load_context(request)
        return render(request, context, "error.html", 404, code=404, message="error.not_found")


def _came_from(request: Request) -> str:
    """The admin page a form was sent from (its Referer, when it is ours), else the start."""
    referer = urlsplit(request.headers.get("referer") or "")
    own = not referer.netloc or referer.netloc == request.url.netloc
    path = referer.path if own and referer.path.startswith("/admin") else "/admin"
    if path in ("/admin/login", "/admin/logout"):
        path = "/admin"
    return path + (f"?{referer.query}" if own and referer.query else "")


def _with(target: str, flag: str) -> str:
    """The page with `kept=1` or `stale=1`: the note, and what was typed put back."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("kept", "stale", "done")]
    return parts.path + "?" + urlencode([*query, (flag, "1")])

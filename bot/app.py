"""The FastAPI app factory: webhooks, simulator, health, admin, and the background workers."""

from __future__ import annotations

import hmac
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from admin.routes import install as install_admin
from bot.api.app import create_api
from bot.config import Settings, get_settings
from bot.db import DATABASE_DOWN
from bot.logs import RequestIdMiddleware
from bot.messaging import simulator, webhooks
from bot.messaging.webhooks import unavailable
from bot.metrics import CONTENT_TYPE
from bot.services import Services, build_services
from bot.timeutil import Clock, utcnow
from bot.workers import Workers

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    clock: Clock = utcnow,
    services: Services | None = None,
    start_workers: bool = True,
) -> FastAPI:
    """`start_workers=False` leaves processing to the caller (tests drive it step by step)."""
    settings = settings or get_settings()
    services = services or build_services(settings, clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        workers = None
        if start_workers:
            workers = Workers(services)
            app.state.workers = workers
            await workers.start()
        try:
            yield
        finally:
            if workers is not None:
                await workers.stop()

    app = FastAPI(title="Homecoming", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_middleware(RequestIdMiddleware)
    app.state.services = services
    app.state.inbound_storer = webhooks.inbound_storer(services)
    app.state.workers = None
    app.include_router(webhooks.router)
    app.include_router(simulator.router)
    install_admin(app)
    app.mount("/api/v1", create_api(services))
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.mount(
        "/admin/static",
        StaticFiles(directory=Path(__file__).parent.parent / "admin" / "static"),
        name="admin-static",
    )

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        try:
            await run_in_threadpool(_ping, request.app.state.services)
        except Exception as error:  # noqa: BLE001
            cause = type(getattr(error, "orig", None) or error).__name__
            log.warning("health check failed: %s", cause)
            # Why, without the connection string or its password.
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable", "error": cause},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        return JSONResponse({"status": "ok"})  # exactly this: DESIGN.md's contract

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """Prometheus text format, for a scraper holding the token (bot/metrics.py)."""
        services = request.app.state.services
        token = services.settings.metrics_token
        if token is None or services.metrics is None:
            return Response(status_code=404)  # off unless a token is set
        given = request.headers.get("Authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        try:
            body = await run_in_threadpool(services.metrics.render)
        except DATABASE_DOWN as error:
            return unavailable(error)
        return Response(body, media_type=CONTENT_TYPE)

    @app.get("/")
    async def root() -> JSONResponse:
        return JSONResponse({"service": "homecoming", "simulator": "/simulator", "admin": "/admin"})

    return app


def _ping(services: Services) -> None:
    with services.engine.connect() as connection:
        connection.execute(text("SELECT 1"))

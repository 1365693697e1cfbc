"""Logs: one JSON object a line (`HOMECOMING_LOG_FORMAT=json`, what a log collector reads) or
plain lines for a terminal. Each line carries the request id of the HTTP request it came
from (also answered in `X-Request-ID`), and whatever ids the call gave (`extra=`).

What is logged at INFO and above names rows by id: never a message's words, a phone number
or a chat id (tests/bot/test_logs.py holds every log call of a conversation to that)."""

from __future__ import annotations

import json
import logging
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# The ids a call may pass in `extra=` and a line then carries.
IDS = ("inbound_id", "outbound_id", "person_id", "alert_id", "event_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        found = request_id.get()
        if found:
            line["request_id"] = found
        for key in IDS:
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request = request_id.get() or "-"
        return True


# Libraries that say too much at INFO: httpx logs every request's URL, which for the Bot
# API holds the bot's token; APScheduler logs every tick.
CHATTY = ("httpx", "httpcore", "apscheduler", "telegram", "twilio", "urllib3")


def quiet_libraries() -> None:
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure(form: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_WithRequestId())
    if form.strip().lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request)s]: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()


class RequestIdMiddleware:
    """Pure ASGI: a request id for every HTTP request (the caller's `X-Request-ID` when it
    is short and plain, else a new one), in the logs and in the answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        found = given if 0 < len(given) <= 64 and given.replace("-", "").isalnum() else None
        found = found or secrets.token_hex(8)
        token = request_id.set(found)

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", found.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)

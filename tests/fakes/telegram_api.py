"""A local fake of the Telegram Bot API: python-telegram-bot talks real HTTP to it."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from tests.fakes.http import FakeServer

BOT = {"id": 7000000001, "is_bot": True, "first_name": "Homecoming", "username": "HomecomingBot"}


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1


@dataclass
class SentMessage:
    chat_id: int
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (callback_data, label)
    message_id: int = 0


def _decoded(value):
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


class FakeTelegramAPI(FakeServer):
    def __init__(self, token: str = "123456:TEST-TOKEN"):
        super().__init__()
        self.token = token
        self.calls: list[tuple[str, dict]] = []
        self.sent: list[SentMessage] = []
        self.failures: dict[str, list[Failure]] = {}
        self.blocked: set[int] = set()
        self.webhook: dict | None = None
        self.updates: list[dict] = []
        self.down = False
        self.stall = 0.0  # seconds before answering: longer than the service waits = a timeout
        self._next_id = 100
        self._changed = threading.Condition(self.lock)

    # -- scripting -------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ):
        with self.lock:
            self.failures.setdefault(method, []).append(
                Failure(status, description, retry_after, times)
            )

    def block(self, chat_id: int | str) -> None:
        self.blocked.add(int(chat_id))

    def push_update(self, update: dict) -> None:
        with self._changed:
            self.updates.append(update)
            self._changed.notify_all()

    def sent_to(self, chat_id: int | str) -> list[SentMessage]:
        with self.lock:
            return [m for m in self.sent if m.chat_id == int(chat_id)]

    def methods(self) -> list[str]:
        with self.lock:
            return [name for name, _ in self.calls]

    # -- the API -------------------------------------------------------------------------
    def handle(self, method, path, params, headers):
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}
        name = path[len(prefix) :]
        params = {k: _decoded(v) for k, v in params.items()}
        if self.stall and name == "sendMessage":
            time.sleep(self.stall)  # not taken: the answer comes after the caller gave up
            return 502, b"Bad Gateway", {"Content-Type": "text/plain"}
        with self.lock:
            self.calls.append((name, params))
            if self.down:
                return 502, b"Bad Gateway", {"Content-Type": "text/plain"}
            queued = self.failures.get(name)
            if queued:
                failure = queued[0]
                failure.times -= 1
                if failure.times <= 0:
                    queued.pop(0)
                body = {
                    "ok": False,
                    "error_code": failure.status,
                    "description": failure.description,
                }
                if failure.retry_after is not None:
                    body["parameters"] = {"retry_after": failure.retry_after}
                return failure.status, body, {}
        handler = getattr(self, f"_{name}", None)
        if handler is None:
            return (
                400,
                {
                    "ok": False,
                    "error_code": 400,
                    "description": f"Bad Request: unknown method {name}",
                },
                {},
            )
        return handler(params)

    def _ok(self, result):
        return 200, {"ok": True, "result": result}, {}

    def _getMe(self, params):
        return self._ok(BOT)

    def _setWebhook(self, params):
        with self.lock:
            self.webhook = params
        return self._ok(True)

    def _deleteWebhook(self, params):
        with self.lock:
            self.webhook = None
        return self._ok(True)

    def _answerCallbackQuery(self, params):
        return self._ok(True)

    def _sendMessage(self, params):
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            return (
                403,
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                },
                {},
            )
        text = str(params.get("text") or "")
        if not text.strip():
            return (
                400,
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message text is empty",
                },
                {},
            )
        markup = params.get("reply_markup") or {}
        buttons = [
            (button.get("callback_data", ""), button.get("text", ""))
            for row in (markup.get("inline_keyboard") or [])
            for button in row
        ]
        with self.lock:
            self._next_id += 1
            message = SentMessage(chat_id, text, buttons, self._next_id)
            self.sent.append(message)
        result = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": BOT,
            "text": text,
        }
        if markup:
            result["reply_markup"] = markup
        return self._ok(result)

    def _getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 0.5)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                ready = [u for u in self.updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0:
                    return self._ok(ready)
                self._changed.wait(remaining)

"""A local fake of Twilio's Messages REST API: the twilio library talks real HTTP to it."""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from bot.channels.segments import count_segments
from tests.fakes.http import FakeServer

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


@dataclass
class SentSms:
    sid: str
    to: str
    sender: str
    body: str
    status_callback: str | None
    segments: int
    created: datetime | None = None


@dataclass
class Failure:
    status: int
    code: int
    message: str
    times: int = 1


class FakeTwilioAPI(FakeServer):
    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "twilio-test-token"):
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent: list[SentSms] = []
        self.requests: list[dict] = []
        self.failures: list[Failure] = []
        self.opted_out: set[str] = set()
        self.down = False
        # The provider's own clock for `date_created` (tests set it to theirs).
        self.clock = lambda: datetime.now(UTC)
        self.lookups: list[dict] = []

    def fail_next(self, status: int, code: int, message: str = "failure", times: int = 1) -> None:
        with self.lock:
            self.failures.append(Failure(status, code, message, times))

    def sent_to(self, number: str) -> list[SentSms]:
        with self.lock:
            return [m for m in self.sent if m.to == number]

    def _error(self, status: int, code: int, message: str):
        return (
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
            {},
        )

    def handle(self, method, path, params, headers):
        match = MESSAGES.match(path)
        if method not in ("POST", "GET") or not match:
            return self._error(404, 20404, "The requested resource was not found")
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        if headers.get("Authorization") != expected or match["sid"] != self.account_sid:
            return self._error(401, 20003, "Authenticate")
        if method == "GET":
            return self._list(params)
        with self.lock:
            self.requests.append(params)
            if self.down:
                return 503, b"Service Unavailable", {"Content-Type": "text/plain"}
            if self.failures:
                failure = self.failures[0]
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.pop(0)
                return self._error(failure.status, failure.code, failure.message)
            to = params.get("To", "")
            if to in self.opted_out:
                return self._error(400, 21610, "Attempt to send to unsubscribed recipient")
            body = params.get("Body", "")
            sid = "SM" + uuid.uuid4().hex
            sender = params.get("From") or params.get("MessagingServiceSid") or ""
            sms = SentSms(sid, to, sender, body, params.get("StatusCallback"), count_segments(body),
                          self.clock())  # fmt: skip
            self.sent.append(sms)
        return (
            201,
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": to,
                "from": params.get("From"),
                "messaging_service_sid": params.get("MessagingServiceSid"),
                "body": body,
                "status": "queued",
                "num_segments": str(sms.segments),
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            {},
        )

    def _list(self, params: dict):
        """GET Messages.json: the newest first, filtered by To (and From) as Twilio does."""
        with self.lock:
            self.lookups.append(params)
            if self.down:
                return 503, b"Service Unavailable", {"Content-Type": "text/plain"}
            found = [m for m in reversed(self.sent)
                     if m.to == params.get("To", m.to) and m.sender == params.get("From", m.sender)]  # fmt: skip
            size = int(params.get("PageSize") or 50)
            page = [
                {"sid": m.sid, "account_sid": self.account_sid, "to": m.to, "from": m.sender,
                 "body": m.body, "status": "queued", "num_segments": str(m.segments),
                 "direction": "outbound-api", "api_version": "2010-04-01",
                 "date_created": format_datetime(m.created, usegmt=True) if m.created else None}
                for m in found[:size]
            ]  # fmt: skip
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        return 200, {"messages": page, "page": 0, "page_size": size, "uri": uri,
                     "first_page_uri": uri, "next_page_uri": None, "previous_page_uri": None,
                     "start": 0, "end": max(len(page) - 1, 0)}, {}  # fmt: skip

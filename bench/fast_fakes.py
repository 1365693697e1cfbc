"""Fakes of the Telegram Bot API and Twilio's Messages API fast enough for load: one uvicorn
process answering about ten times what the tests' thread-per-request fakes can (which top
out near 170 requests a second here), and enforcing the providers' limits with 429s.

    python bench/fast_fakes.py PORT RATE SMS_RATE [FAULTS [STALL]]

`GET /stats?since=T` gives messages per recipient, the 429s, and the first and last send
after T (this process's monotonic clock) for each provider; `&brief=1` only the totals.
A RATE of 0 lifts the Telegram limits (per bot and per chat).

FAULTS (0..1) of the send calls fail on purpose, in equal parts: a 502, a 429 asking for a
second's pause, and a timeout (no answer for STALL seconds, longer than the service waits).
A Telegram timeout happens before the message is taken; half of the SMS ones after it was
(the answer lost on the way back), which only the Messages list can tell."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter
from email.utils import formatdate

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BOT = {"id": 7000000001, "is_bot": True, "first_name": "Homecoming", "username": "HomecomingBot"}


class Window:
    """A provider's limit: a token bucket holding one second's worth; a rate of 0 is none."""

    def __init__(self, rate: float):
        self.rate, self.tokens, self.at = rate, rate, time.monotonic()

    def take(self, cost: float = 1.0) -> bool:
        if not self.rate:
            return True
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


class Provider:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.times: list[float] = []
        self.too_many = 0
        self.faults: Counter[str] = Counter()

    def stats(self, since: float, brief: bool = False) -> dict:
        mine = [t for t in self.times if t > since]
        return {"counts": {} if brief else self.counts, "recipients": len(self.counts),
                "sent": len(self.times), "too_many": self.too_many, "faults": self.faults,
                "first": min(mine, default=0), "last": max(mine, default=since)}  # fmt: skip


def _fault(faults: float) -> str | None:
    if random.random() >= faults:
        return None
    return random.choice(("502", "429", "timeout"))


def app(rate: float, sms_rate: float, faults: float = 0.0, stall: float = 3.0) -> Starlette:
    telegram, sms = Provider(), Provider()
    sent_sms: dict[str, list[dict]] = {}  # by To, newest last: what GET Messages.json lists
    bot_window, chats, sms_window = Window(rate), {}, Window(sms_rate)
    counter = iter(range(1, 10**12))

    async def fields(request: Request) -> dict:
        if request.headers.get("content-type", "").startswith("application/json"):
            return json.loads(await request.body() or b"{}")
        return dict(await request.form())

    async def bot_method(request: Request) -> Response:
        method = request.path_params["method"]
        if method == "getMe":
            return JSONResponse({"ok": True, "result": BOT})
        if method != "sendMessage":
            return JSONResponse({"ok": True, "result": True})
        params = await fields(request)
        chat = str(params.get("chat_id"))
        fault = _fault(faults)
        if fault:
            telegram.faults[fault] += 1
            if fault == "timeout":
                await asyncio.sleep(stall)  # the caller has given up by now
            if fault in ("502", "timeout"):
                return JSONResponse({"ok": False, "error_code": 502,
                                     "description": "Bad Gateway"}, status_code=502)  # fmt: skip
            return JSONResponse({"ok": False, "error_code": 429,
                                 "description": "Too Many Requests: retry after 1",
                                 "parameters": {"retry_after": 1}}, status_code=429)  # fmt: skip
        window = chats.setdefault(chat, Window(1.0 if rate else 0.0))
        if not (bot_window.take() and window.take()):
            telegram.too_many += 1
            return JSONResponse({"ok": False, "error_code": 429,
                                 "description": "Too Many Requests: retry after 1",
                                 "parameters": {"retry_after": 1}}, status_code=429)  # fmt: skip
        telegram.counts[chat] += 1
        telegram.times.append(time.monotonic())
        message = {"message_id": next(counter), "date": int(time.time()),
                   "chat": {"id": int(chat), "type": "private"}, "text": params.get("text", "")}  # fmt: skip
        return JSONResponse({"ok": True, "result": message})

    async def messages(request: Request) -> Response:
        account = request.path_params["account"]
        if request.method == "GET":
            found = list(reversed(sent_sms.get(request.query_params.get("To", ""), [])))
            return JSONResponse({"messages": found[:50], "page": 0, "page_size": 50, "uri": "",
                                 "first_page_uri": "", "next_page_uri": None,
                                 "previous_page_uri": None, "start": 0,
                                 "end": max(len(found[:50]) - 1, 0)})  # fmt: skip
        params = await fields(request)
        fault = _fault(faults)
        if fault == "timeout" and random.random() < 0.5:
            fault = "taken, answer lost"  # the message goes; the answer never arrives
        if fault:
            sms.faults[fault] += 1
            if fault == "502":
                return Response("Bad Gateway", status_code=502)
            if fault == "429":
                return JSONResponse({"code": 20429, "message": "Too Many Requests",
                                     "status": 429}, status_code=429)  # fmt: skip
            if fault == "timeout":
                await asyncio.sleep(stall)
                return Response("Gateway Timeout", status_code=504)
        if not sms_window.take():
            sms.too_many += 1
            return JSONResponse({"code": 20429, "message": "Too Many Requests", "status": 429},
                                status_code=429)  # fmt: skip
        to = params.get("To", "")
        sms.counts[to] += 1
        sms.times.append(time.monotonic())
        sid = "SM" + uuid.uuid4().hex
        record = {"sid": sid, "account_sid": account, "to": to, "from": params.get("From"),
                  "body": params.get("Body", ""), "status": "queued", "num_segments": "1",
                  "direction": "outbound-api", "api_version": "2010-04-01",
                  "date_created": formatdate(usegmt=True),
                  "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"}  # fmt: skip
        sent_sms.setdefault(to, []).append(record)
        if fault:  # taken, and the answer lost: the caller gives up waiting
            await asyncio.sleep(stall)
            return Response("Gateway Timeout", status_code=504)
        return JSONResponse(record, status_code=201)

    async def stats(request: Request) -> Response:
        since = float(request.query_params.get("since") or 0)
        brief = bool(request.query_params.get("brief"))
        return JSONResponse({"telegram": telegram.stats(since, brief),
                             "sms": sms.stats(since, brief)})  # fmt: skip

    return Starlette(routes=[
        Route("/bot{token}/{method}", bot_method, methods=["POST", "GET"]),
        Route("/2010-04-01/Accounts/{account}/Messages.json", messages, methods=["POST", "GET"]),
        Route("/stats", stats),
    ])  # fmt: skip


if __name__ == "__main__":
    port, rate, sms_rate = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    faults = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    stall = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
    uvicorn.run(app(rate, sms_rate, faults, stall), host="127.0.0.1", port=port,
                log_level="warning")  # fmt: skip

"""A broadcast against providers that enforce their limits, with one and with two instances.

    .venv/bin/python bench/broadcast.py [--telegram 10000] [--sms 600] [--instances 1 2]

PostgreSQL, a fake Telegram Bot API that answers 429 above `--rate` messages a second per
bot (and one a second per chat), and a fake Twilio that answers 429 above `--sms-rate`
segments a second per sender. The broadcast's rows are queued as the broadcast page queues
them (one outbound row per recipient, due now); then one, then two `homecoming serve`
instances on the same database send them. Measured at the fakes: the achieved rate against
the limit (from the first message to the last), the 429s, recipients who got nothing, and
recipients who got it twice. The baseline is the limit itself.

The last line is machine-readable (the largest number of instances run):

    broadcast instances=2 rate_ratio=<n> too_many=<n> lost=<n> duplicates=<n>
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "123456:BENCH-TOKEN"
SENDER = "+15005550006"
BODY = "The group meets on Thursday at 10. Reply if you want to come."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Window:
    """The provider's own limit: a token bucket of one second's worth."""

    def __init__(self, rate: float):
        self.rate, self.tokens, self.at = rate, rate, time.monotonic()

    def take(self, cost: float = 1.0) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


def _span(times: list[float], params: dict) -> dict:
    """The first and last send after `since` (one run's, not the one before)."""
    since = float(params.get("since") or 0)
    mine = [t for t in times if t > since]
    return {"first": min(mine, default=0), "last": max(mine, default=since)}


def _run_fakes(rate: float, sms_rate: float, ports) -> None:
    from tests.fakes.telegram_api import FakeTelegramAPI
    from tests.fakes.twilio_api import FakeTwilioAPI

    class LimitedTelegram(FakeTelegramAPI):
        def __init__(self):
            super().__init__(TOKEN)
            self.bot, self.chats, self.too_many, self.times = _Window(rate), {}, 0, []

        def handle(self, method, path, params, headers):
            if path == "/stats":
                with self.lock:
                    counts = Counter(m.chat_id for m in self.sent)
                    return 200, {"counts": counts, "too_many": self.too_many,
                                 **_span(self.times, params)}, {}  # fmt: skip
            if path.endswith("/sendMessage"):
                with self.lock:
                    chat = str(params.get("chat_id"))
                    window = self.chats.setdefault(chat, _Window(1.0))
                    if not (self.bot.take() and window.take()):
                        self.too_many += 1
                        return 429, {"ok": False, "error_code": 429,
                                     "description": "Too Many Requests: retry after 1",
                                     "parameters": {"retry_after": 1}}, {}  # fmt: skip
                    self.times.append(time.monotonic())
            return super().handle(method, path, params, headers)

    class LimitedTwilio(FakeTwilioAPI):
        def __init__(self):
            super().__init__()
            self.window, self.too_many, self.times = _Window(sms_rate), 0, []

        def handle(self, method, path, params, headers):
            if path == "/stats":
                with self.lock:
                    counts = Counter(m.to for m in self.sent)
                    return 200, {"counts": counts, "too_many": self.too_many,
                                 **_span(self.times, params)}, {}  # fmt: skip
            if method == "POST":
                with self.lock:
                    if not self.window.take():
                        self.too_many += 1
                        return self._error(429, 20429, "Too Many Requests")
                    self.times.append(time.monotonic())
            return super().handle(method, path, params, headers)

    fakes = [LimitedTelegram(), LimitedTwilio()]
    for fake in fakes:
        fake.httpd.handle_error = lambda *_: None
        fake.start()
    ports.put(
        [f.httpd.server_address[1] for f in fakes] + [fakes[1].account_sid, fakes[1].auth_token]
    )
    threading.Event().wait()


def _seed(url: str, telegram: int, sms: int, offset: int) -> None:
    """People with a working contact each, and the broadcast's rows to them, due now."""
    from bot.db import make_engine, transaction
    from bot.messaging.outbox import enqueue_many, outbound_values
    from bot.models import Contact, Person
    from bot.timeutil import utcnow

    engine = make_engine(url)
    now = utcnow()
    with transaction(engine) as session:
        people = [Person(status="active", language="en", created_at=now, updated_at=now,
                         enrolled_at=now) for _ in range(telegram + sms)]  # fmt: skip
        session.add_all(people)
        session.flush()
        contacts = [
            Contact(person_id=p.id, channel="telegram" if i < telegram else "sms",
                    address=str(offset + i) if i < telegram else f"+22177{offset + i:07d}",
                    created_at=now)
            for i, p in enumerate(people)
        ]  # fmt: skip
        session.add_all(contacts)
        session.flush()
        enqueue_many(session, [
            outbound_values(person_id=c.person_id, contact_id=c.id, channel=c.channel, body=BODY,
                            language="en", origin="broadcast", now=now, initiated=True)
            for c in contacts
        ])  # fmt: skip
    engine.dispose()


def _stats(url: str, since: float = 0) -> dict:
    return httpx.get(f"{url}/stats", params={"since": since}, timeout=30).json()


def run(instances: int, args, pg, fakes) -> dict:
    from bot.db import upgrade

    telegram_url, twilio_url, account, auth = fakes
    url = pg.create_database(f"broadcast_{instances}_{int(time.time())}")
    upgrade(url)
    before = {name: _stats(u) for name, u in (("telegram", telegram_url), ("sms", twilio_url))}
    offset = 10_000_000 * instances
    _seed(url, args.telegram, args.sms, offset)
    work = Path(tempfile.mkdtemp(prefix="homecoming-broadcast-"))
    services = []
    for number in range(instances):
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOMECOMING_")}
        env.update(
            HOMECOMING_DATABASE_URL=url,
            HOMECOMING_INSTANCE=f"bench-{number}",
            HOMECOMING_SECRET_KEY="bench-secret-key-0123456789abcdef",
            HOMECOMING_PUBLIC_URL=f"http://127.0.0.1:{port}",
            HOMECOMING_TELEGRAM_BOT_TOKEN=TOKEN,
            HOMECOMING_TELEGRAM_WEBHOOK_SECRET="bench-webhook-secret",
            HOMECOMING_TELEGRAM_API_URL=telegram_url,
            HOMECOMING_TELEGRAM_GLOBAL_PER_SECOND=str(args.rate),
            HOMECOMING_TWILIO_ACCOUNT_SID=account,
            HOMECOMING_TWILIO_AUTH_TOKEN=auth,
            HOMECOMING_TWILIO_FROM=SENDER,
            HOMECOMING_TWILIO_API_URL=twilio_url,
            HOMECOMING_SMS_SEGMENTS_PER_SECOND=str(args.sms_rate),
            HOMECOMING_WORKER_POLL_SECONDS="0.5",
        )
        log = work / f"instance-{number}.log"
        services.append(subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT, env=env,
        ))  # fmt: skip
    expected = {"telegram": args.telegram, "sms": args.sms}
    deadline = time.monotonic() + args.telegram / args.rate + args.sms / args.sms_rate + 180
    try:
        while time.monotonic() < deadline:
            time.sleep(1)
            done = [
                sum(1 for k in _stats(u)["counts"] if k not in before[name]["counts"])
                >= expected[name]
                for name, u in (("telegram", telegram_url), ("sms", twilio_url))
            ]
            if all(done):
                time.sleep(3)  # anything sent twice has time to show
                break
    finally:
        for service in services:
            service.terminate()
        for service in services:
            try:
                service.wait(timeout=20)
            except subprocess.TimeoutExpired:
                service.kill()
    result = {}
    for name, u, limit in (
        ("telegram", telegram_url, args.rate),
        ("sms", twilio_url, args.sms_rate),
    ):
        after = _stats(u, before[name]["last"])
        counts = {k: v - before[name]["counts"].get(k, 0) for k, v in after["counts"].items()}
        counts = {k: v for k, v in counts.items() if v}
        sent = sum(counts.values())
        span = after["last"] - after["first"]
        rate = (sent - 1) / span if span > 0 else 0.0
        result[name] = {
            "rate_ratio": rate / limit,
            "too_many": after["too_many"] - before[name]["too_many"],
            "lost": expected[name] - len(counts),
            "duplicates": sum(v - 1 for v in counts.values()),
        }
        line = result[name]
        print(f"{instances} instance(s)  {name:8}  {rate:6.1f}/s of {limit:.0f}/s "
              f"({line['rate_ratio']:.2f})  429s {line['too_many']}  lost {line['lost']}  "
              f"twice {line['duplicates']}")  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--telegram", type=int, default=10_000)
    parser.add_argument("--sms", type=int, default=600)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--sms-rate", type=float, default=20.0)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    from tests.pg_server import PostgresServer

    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    fake = context.Process(target=_run_fakes, args=(args.rate, args.sms_rate, ports), daemon=True)
    fake.start()
    telegram_port, twilio_port, account, auth = ports.get()
    fakes = (f"http://127.0.0.1:{telegram_port}", f"http://127.0.0.1:{twilio_port}", account, auth)
    pg = PostgresServer()
    pg.start()
    try:
        results = {n: run(n, args, pg, fakes) for n in args.instances}
    finally:
        pg.stop()
        fake.terminate()
    most = max(results)
    both = results[most].values()
    print(
        f"broadcast instances={most} rate_ratio={min(r['rate_ratio'] for r in both):.2f} "
        f"too_many={sum(r['too_many'] for r in both)} lost={sum(r['lost'] for r in both)} "
        f"duplicates={sum(r['duplicates'] for r in both)}"
    )


if __name__ == "__main__":
    main()

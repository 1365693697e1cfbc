"""How fast Telegram updates are acknowledged and answered, against a bare endpoint.

    .venv/bin/python bench/ingest.py [--updates 2000] [--concurrency 20] [--rate 100] [--raw]

Four processes on this machine: the service (`homecoming serve`, SQLite, its workers running),
a fake Telegram Bot API without limits, the load generator, and first a *bare* endpoint: a
FastAPI app that checks the secret, parses the update and inserts it into SQLite (WAL, one
commit per request) and nothing else. Then:

- **ack**: `--updates` updates, each from a new chat, `--concurrency` at a time, as fast as
  they are acknowledged; the bare endpoint's rate is the baseline.
- **e2e**: for the same load, the time from the first update until every chat got its
  reply from the fake (pacing lifted): updates answered per second.
- **p99**: `--rate` updates a second offered for `--seconds`, processing running; the 99th
  percentile of the acknowledgement time.

The last line is machine-readable:

    ingest ack_ratio=<n> p99_ms=<n> e2e_ratio=<n> e2e_per_s=<n>
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.processes import free_port, start_fakes, start_service, stop, wait_ready  # noqa: E402

SECRET = "bench-webhook-secret"
TOKEN = "123456:BENCH-TOKEN"


def _update(number: int, chat: int, text: str = "hi") -> dict:
    return {
        "update_id": number,
        "message": {
            "message_id": number,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Bench"},
            "from": {"id": chat, "is_bot": False, "first_name": "Bench"},
            "text": text,
        },
    }


# -- the fake Bot API, in its own process ----------------------------------------------------


def _answered(client: httpx.Client) -> int:
    """Chats that got at least one message. One client for every poll: a new one each time
    (`httpx.get`) took a third of a core from the machine the service runs on."""
    stats = client.get("/stats", params={"brief": 1}, timeout=30).json()
    return stats["telegram"]["recipients"]


# -- the bare endpoint ----------------------------------------------------------------------

BARE_APP = """
import json, sqlite3, sys, threading
from fastapi import FastAPI, Request, Response
import uvicorn

path, secret, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
local = threading.local()
setup = sqlite3.connect(path)
setup.execute("PRAGMA journal_mode=WAL")
setup.execute("CREATE TABLE IF NOT EXISTS inbound (update_id INTEGER PRIMARY KEY, chat TEXT, text TEXT)")
setup.commit()
setup.close()
app = FastAPI()


def connection():
    found = getattr(local, "db", None)
    if found is None:
        found = local.db = sqlite3.connect(path, timeout=30)
        found.execute("PRAGMA synchronous=NORMAL")
    return found


def insert(data):
    message = data.get("message") or {}
    db = connection()
    db.execute("INSERT OR IGNORE INTO inbound VALUES (?, ?, ?)",
               (data["update_id"], str((message.get("chat") or {}).get("id")), message.get("text")))
    db.commit()


@app.post("/webhooks/telegram")
async def telegram(request: Request):
    from fastapi.concurrency import run_in_threadpool
    if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != secret:
        return Response(status_code=403)
    data = json.loads(await request.body())
    await run_in_threadpool(insert, data)
    return Response(status_code=200)


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


# -- the load generator, in its own process ------------------------------------------------


class _RawClient:
    """HTTP/1.1 with keep-alive on plain asyncio streams (`--raw`): a fraction of httpx's CPU
    a request, so that the generator does not cap the bare endpoint it measures."""

    def __init__(self, url: str, size: int):
        parts = urlsplit(url)
        self.host, self.port, self.size = parts.hostname, parts.port, size
        self.idle: asyncio.Queue = asyncio.Queue()
        self.opened = 0

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            try:
                connection = await asyncio.open_connection(self.host, self.port)
            except OSError:
                self.opened -= 1
                raise
        else:
            connection = await self.idle.get()
        reader, writer = connection
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        try:
            writer.write(f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                         f"{lines}\r\n".encode() + body)  # fmt: skip
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
        except (OSError, IndexError, ValueError, asyncio.IncompleteReadError):
            # A connection the server closed or garbled: dropped, so a new one can open
            # (otherwise the pool shrinks until every post waits forever).
            self.opened -= 1
            writer.close()
            raise
        self.idle.put_nowait(connection)
        return status

    async def close(self) -> None:
        while not self.idle.empty():
            _, writer = self.idle.get_nowait()
            writer.close()


def _load(url: str, updates: list[dict], concurrency: int, rate: float | None, raw: bool,
          out) -> None:  # fmt: skip
    async def run() -> tuple[float, list[float], int]:
        latencies: list[float] = []
        failures = 0
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        bodies = [json.dumps(update).encode() for update in updates]
        rawclient = _RawClient(url, concurrency) if raw else None
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
            semaphore = asyncio.Semaphore(concurrency)

            async def send(body: bytes) -> int:
                if rawclient is not None:
                    return await rawclient.post("/webhooks/telegram", body, headers)
                response = await client.post(
                    "/webhooks/telegram", content=body,
                    headers={**headers, "Content-Type": "application/json"},
                )  # fmt: skip
                return response.status_code

            async def post(body: bytes) -> None:
                nonlocal failures
                async with semaphore:
                    began = time.perf_counter()
                    status = await send(body)
                    latencies.append(time.perf_counter() - began)
                    failures += status != 200

            start = time.perf_counter()
            if rate is None:
                await asyncio.gather(*(post(b) for b in bodies))
            else:
                tasks = []
                for index, body in enumerate(bodies):
                    delay = start + index / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.create_task(post(body)))
                await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - start
        if rawclient is not None:
            await rawclient.close()
        return elapsed, latencies, failures

    out.put(asyncio.run(run()))


def load(url: str, updates: list[dict], concurrency: int, rate: float | None = None,
         raw: bool = False):  # fmt: skip
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=_load, args=(url, updates, concurrency, rate, raw, out))
    process.start()
    result = out.get()
    process.join()
    return result


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else latencies[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--raw", action="store_true",
                        help="load over plain asyncio streams, not httpx: the generator then "
                             "no longer caps the bare endpoint")  # fmt: skip
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the service, e.g. --set SEND_CONCURRENCY=8")  # fmt: skip
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="homecoming-ingest-"))
    # Its limits lifted (a rate of 0). The tests' thread-per-request fake took most of a core
    # to answer ~100 sends a second, on the machine the service runs on.
    fake, fake_url = start_fakes(0, 0)
    try:
        # 1. The bare endpoint: the baseline.
        port = free_port()
        log = work / "bare.log"
        bare = subprocess.Popen(
            [sys.executable, "-c", BARE_APP, str(work / "bare.db"), SECRET, str(port)],
            stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        bare_url = f"http://127.0.0.1:{port}"
        wait_ready(bare_url, bare, log)
        updates = [_update(i + 1, 10_000_000 + i) for i in range(args.updates)]
        seconds, latencies, failures = load(bare_url, updates, args.concurrency, raw=args.raw)
        stop(bare)
        with sqlite3.connect(work / "bare.db") as db:
            assert db.execute("SELECT count(*) FROM inbound").fetchone()[0] == len(updates)
        bare_rate = len(updates) / seconds
        print(f"bare     ack {bare_rate:7.1f}/s  p99 {p99(latencies) * 1000:6.1f} ms  "
              f"failures {failures}")  # fmt: skip

        # 2. Homecoming, its workers running.
        port = free_port()
        log = work / "homecoming.log"
        service = start_service(
            port, log,
            database_url=f"sqlite:///{work / 'homecoming.db'}",
            telegram_bot_token=TOKEN,
            telegram_webhook_secret=SECRET,
            telegram_api_url=fake_url,
            telegram_global_per_second="1000000",
            telegram_per_chat_per_second="1000000",
            worker_poll_seconds="0.5",
            **{name: value for name, _, value in (a.partition("=") for a in args.set)},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, service, log)
            updates = [_update(i + 1, 20_000_000 + i) for i in range(args.updates)]
            began = time.perf_counter()
            seconds, latencies, failures = load(url, updates, args.concurrency, raw=args.raw)
            ack_rate = len(updates) / seconds
            print(f"service  ack {ack_rate:7.1f}/s  p99 {p99(latencies) * 1000:6.1f} ms  "
                  f"failures {failures}")  # fmt: skip
            deadline = time.monotonic() + 600
            answered = 0
            with httpx.Client(base_url=fake_url) as poller:
                while time.monotonic() < deadline:
                    answered = _answered(poller)
                    if answered >= len(updates):
                        break
                    time.sleep(0.05)
            e2e_seconds = time.perf_counter() - began
            e2e_rate = answered / e2e_seconds
            print(f"service  e2e {e2e_rate:7.1f}/s  ({answered} of {len(updates)} chats answered "
                  f"in {e2e_seconds:.1f} s)")  # fmt: skip
            count = int(args.rate * args.seconds)
            offered = [_update(100_000 + i, 30_000_000 + i) for i in range(count)]
            _, latencies, failures = load(
                url, offered, max(args.concurrency, 50), args.rate, args.raw
            )
            tail = p99(latencies) * 1000
            print(f"service  p99 {tail:6.1f} ms at {args.rate:.0f}/s offered  failures {failures}")
        finally:
            stop(service)
        print(
            f"ingest ack_ratio={ack_rate / bare_rate:.2f} p99_ms={tail:.0f} "
            f"e2e_ratio={e2e_rate / bare_rate:.3f} e2e_per_s={e2e_rate:.1f}"
        )
    finally:
        stop(fake)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Faults under load: kill -9 at random moments, providers failing a fifth of their calls,
PostgreSQL restarted mid-load, two instances behind one address.

    .venv/bin/python bench/faults.py [--messages 5000] [--kills 3] [--faults 0.2]
                                     [--instances 2] [--no-pg-restart] [--seed N]

The setup:
- PostgreSQL, and `--instances` `homecoming serve` processes on it, sharing one public URL
  (as behind a load balancer: Twilio signs for that one).
- `fast_fakes.py` for the Bot API and Twilio: `--faults` of the send calls fail (502, 429,
  or a timeout longer than the service waits; half the SMS timeouts after the message was
  taken, so only Twilio's Messages list can tell).
- A load generator: `--messages` inbound, four in five on Telegram, each person writing
  twice ("hi", then a language), posted to the instances in turn. Like the providers, it
  sends again what was not acknowledged (a connection refused, a 5xx), to another instance.
- Chaos, while the load runs: `--kills` times, one instance is killed (SIGKILL) and started
  again a second or two later under the same name; once, PostgreSQL restarts.

When the load is in and the service has gone quiet, it checks:
- every inbound stored once and processed once (no error; no reply written twice);
- every reply sent: at most once on SMS; on Telegram at most once more per message in
  flight at a crash (`--kills` + the restart, times `HOMECOMING_SEND_CONCURRENCY`);
- nothing lost: every reply row sent, and every person answered.

The baseline is the same load without faults, run first in the same process. The last
line is machine-readable:

    faults messages=<n> kills=<n> lost=<n> processed_twice=<n> sms_duplicates=<n> telegram_duplicates=<n> telegram_bound=<n> ratio=<n>
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.processes import free_port, start_fakes, start_service, stop, wait_ready  # noqa: E402

TOKEN = "123456:BENCH-TOKEN"
SECRET = "bench-webhook-secret"
ACCOUNT, AUTH = "AC" + "0" * 32, "bench-twilio-token"
SENDER = "+15005550006"
PUBLIC = "https://homecoming.bench.example"
CONCURRENCY = 8


class Instance:
    def __init__(self, number: int, url: str, fakes: str, work: Path):
        self.number, self.port = number, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = work / f"instance-{number}.log"
        self.settings = dict(
            database_url=url, instance=f"faults-{number}", public_url=PUBLIC,
            telegram_bot_token=TOKEN, telegram_webhook_secret=SECRET, telegram_api_url=fakes,
            telegram_global_per_second=1000, twilio_account_sid=ACCOUNT, twilio_auth_token=AUTH,
            twilio_from=SENDER, twilio_api_url=fakes, sms_segments_per_second=200,
            provider_timeout_seconds=2, worker_poll_seconds="0.5",
            send_concurrency=CONCURRENCY,
        )  # fmt: skip
        self.process: subprocess.Popen | None = None
        self.alive = threading.Event()

    def start(self) -> None:
        # Appended: a restarted instance's log follows the killed one's.
        self.process = start_service(self.port, self.log, **self.settings)
        wait_ready(self.url, self.process, self.log)
        self.alive.set()

    def kill(self) -> None:
        self.alive.clear()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _messages(count: int, offset: int) -> list[list[tuple[str, dict]]]:
    """Each person's two inbound messages, in order: (channel, payload)."""
    from twilio.request_validator import RequestValidator  # noqa: PLC0415 - bench only

    validator = RequestValidator(AUTH)
    people = []
    for person in range(count // 2):
        said = []
        for step, text in enumerate(("hi", "1")):
            number = offset + person * 2 + step
            if person % 5:  # four in five on Telegram
                chat = offset + person
                said.append(("telegram", {"update_id": number, "message": {
                    "message_id": number, "date": int(time.time()), "text": text,
                    "chat": {"id": chat, "type": "private", "first_name": "Bench"},
                    "from": {"id": chat, "is_bot": False, "first_name": "Bench"}}}))  # fmt: skip
            else:
                form = {"MessageSid": f"SM{number:032d}", "AccountSid": ACCOUNT,
                        "From": f"+22177{offset // 10**8}{person:06d}", "To": SENDER, "Body": text,
                        "NumMedia": "0", "NumSegments": "1"}  # fmt: skip
                signature = validator.compute_signature(f"{PUBLIC}/webhooks/twilio/sms", form)
                said.append(("sms", {"form": form, "signature": signature}))
        people.append(said)
    return people


async def _load(instances: list[Instance], people, concurrency: int = 16) -> dict:
    """Posts every message until some instance acknowledged it, as a provider retries."""
    retries = 0
    turn = iter(range(10**12))
    queue: asyncio.Queue = asyncio.Queue()
    for said in people:
        queue.put_nowait(said)

    async def post(client: httpx.AsyncClient, channel: str, payload: dict) -> None:
        nonlocal retries
        while True:
            alive = [i for i in instances if i.alive.is_set()] or instances
            instance = alive[next(turn) % len(alive)]
            try:
                if channel == "telegram":
                    answer = await client.post(f"{instance.url}/webhooks/telegram", json=payload,
                                               headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})  # fmt: skip
                else:
                    answer = await client.post(f"{instance.url}/webhooks/twilio/sms",
                                               data=payload["form"],
                                               headers={"X-Twilio-Signature": payload["signature"]})  # fmt: skip
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            retries += 1
            await asyncio.sleep(0.2)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            said = queue.get_nowait()
            for channel, payload in said:  # the second only after the first is taken
                await post(client, channel, payload)

    async with httpx.AsyncClient(timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return {"retries": retries}


def _chaos(instances: list[Instance], pg, kills: int, restart_pg: bool, seconds: float,
           done: threading.Event, events: list[str]) -> None:  # fmt: skip
    moments = sorted(random.uniform(0.1, 0.8) * seconds for _ in range(kills))
    pg_at = random.uniform(0.3, 0.6) * seconds if restart_pg else None
    began = time.monotonic()
    plan = [(at, "kill") for at in moments] + ([(pg_at, "pg")] if pg_at else [])
    for at, what in sorted(plan):
        while time.monotonic() - began < at:
            if done.is_set():
                return
            time.sleep(0.05)
        if what == "pg":
            pg.restart()
            events.append(f"{time.monotonic() - began:5.1f}s PostgreSQL restarted")
            continue
        victim = random.choice(instances)
        victim.kill()
        events.append(f"{time.monotonic() - began:5.1f}s instance {victim.number} killed")
        time.sleep(random.uniform(1.0, 2.0))
        victim.start()
        events.append(f"{time.monotonic() - began:5.1f}s instance {victim.number} back")


def _quiet(url: str, expected_inbound: int, timeout: float = 600) -> float:
    """Waits until every inbound is processed and no reply waits to go; returns when."""
    from sqlalchemy import create_engine, text  # noqa: PLC0415 - bench only

    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as connection:
                    stored, waiting_in, waiting_out = connection.execute(text(
                        "SELECT (SELECT count(*) FROM inbound),"
                        " (SELECT count(*) FROM inbound WHERE processed_at IS NULL),"
                        " (SELECT count(*) FROM outbound WHERE status IN ('pending', 'sending'))"
                    )).one()  # fmt: skip
            except Exception:  # noqa: BLE001 - PostgreSQL restarting
                time.sleep(0.5)
                continue
            if stored >= expected_inbound and waiting_in == 0 and waiting_out == 0:
                return time.monotonic()
            time.sleep(0.5)
    finally:
        engine.dispose()
    raise SystemExit("the service did not go quiet in time")


def _check(url: str, fakes: str, before: dict, people: int) -> dict:
    from sqlalchemy import create_engine, text  # noqa: PLC0415 - bench only

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            broken = connection.execute(text(
                "SELECT count(*) FROM inbound WHERE error IS NOT NULL OR processed_at IS NULL"
            )).scalar()  # fmt: skip
            twice = connection.execute(text(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM outbound"
                " GROUP BY contact_id, origin, body HAVING count(*) > 1) AS repeated"
            )).scalar()  # fmt: skip
            rows = connection.execute(text(
                "SELECT c.channel, c.address, count(*) FROM outbound o"
                " JOIN contact c ON c.id = o.contact_id"
                " WHERE o.status IN ('sent', 'delivered') GROUP BY c.channel, c.address"
            )).all()  # fmt: skip
            unsent = connection.execute(text(
                "SELECT count(*) FROM outbound WHERE status NOT IN ('sent', 'delivered')"
            )).scalar()  # fmt: skip
    finally:
        engine.dispose()
    stats = httpx.get(f"{fakes}/stats", timeout=30).json()
    duplicates = {"telegram": 0, "sms": 0}
    lost = unsent
    answered = 0
    for channel, address, count in rows:
        got = stats[channel]["counts"].get(address, 0) - before[channel]["counts"].get(address, 0)
        duplicates[channel] += max(0, got - count)
        lost += max(0, count - got)
        answered += 1
    return {
        "broken": broken, "processed_twice": int(twice), "lost": lost + (people - answered),
        "sms_duplicates": duplicates["sms"], "telegram_duplicates": duplicates["telegram"],
        "faults": {name: stats[name]["faults"] for name in ("telegram", "sms")},
    }  # fmt: skip


def run(args, pg, fakes: str, label: str, offset: int, chaos: bool) -> dict:
    from bot.db import upgrade  # noqa: PLC0415 - after sys.path

    url = pg.create_database(f"faults_{label}_{int(time.time())}")
    upgrade(url)
    work = Path(tempfile.mkdtemp(prefix=f"homecoming-faults-{label}-"))
    instances = [Instance(n, url, fakes, work) for n in range(args.instances)]
    for instance in instances:
        instance.start()
    people = _messages(args.messages, offset)
    before = httpx.get(f"{fakes}/stats", timeout=30).json()
    done, events = threading.Event(), []
    chaos_thread = None
    if chaos:
        expected = args.messages / max(args.expected_rate, 1)
        chaos_thread = threading.Thread(
            target=_chaos,
            args=(instances, pg, args.kills, not args.no_pg_restart, expected, done, events),
        )
        chaos_thread.start()
    began = time.monotonic()
    try:
        loaded = asyncio.run(_load(instances, people))
        if chaos_thread:
            chaos_thread.join()  # every kill and the restart happen, while work remains
        quiet = _quiet(url, args.messages)
    finally:
        done.set()
        for instance in instances:
            if instance.process is not None and instance.process.poll() is None:
                stop(instance.process)
    result = _check(url, fakes, before, len(people))
    result.update(seconds=quiet - began, retries=loaded["retries"], events=events,
                  kills=sum("killed" in event for event in events),
                  restarts=sum("PostgreSQL" in event for event in events))  # fmt: skip
    print(f"{label:9} {args.messages} inbound in {result['seconds']:.1f}s "
          f"({args.messages / result['seconds']:.1f}/s), {result['retries']} webhook retries; "
          f"lost {result['lost']}, processed twice {result['processed_twice']}, "
          f"broken {result['broken']}, SMS twice {result['sms_duplicates']}, "
          f"Telegram twice {result['telegram_duplicates']}")  # fmt: skip
    for event in events:
        print(f"          {event}")
    if chaos:
        print(f"          provider faults injected: {result['faults']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--faults", type=float, default=0.2)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--no-pg-restart", action="store_true")
    parser.add_argument("--seed", type=int, default=None)
    # Spreads the chaos over the load: roughly what the machine takes in a second.
    parser.add_argument("--expected-rate", type=float, default=60.0)
    args = parser.parse_args()
    random.seed(args.seed)
    from tests.pg_server import PostgresServer  # noqa: PLC0415 - after sys.path

    pg = PostgresServer()
    pg.start()
    plain, plain_url = start_fakes(1000, 200)
    faulty, faulty_url = start_fakes(1000, 200, args.faults, 3)
    try:
        baseline = run(args, pg, plain_url, "baseline", 10**8, False)
        faulted = run(args, pg, faulty_url, "faults", 2 * 10**8, True)
    finally:
        plain.terminate()
        faulty.terminate()
        pg.stop()
    crashes = faulted["kills"] + faulted["restarts"]
    bound = crashes * CONCURRENCY
    ratio = baseline["seconds"] / faulted["seconds"]
    print(
        f"faults messages={args.messages} kills={faulted['kills']} lost={faulted['lost']} "
        f"processed_twice={faulted['processed_twice'] + faulted['broken']} "
        f"sms_duplicates={faulted['sms_duplicates']} "
        f"telegram_duplicates={faulted['telegram_duplicates']} telegram_bound={bound} "
        f"ratio={ratio:.2f}"
    )


if __name__ == "__main__":
    main()

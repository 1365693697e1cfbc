"""A broadcast against providers that enforce their limits, with one and with two instances.

    .venv/bin/python bench/broadcast.py [--telegram 10000] [--sms 600] [--instances 1 2] [--set NAME=VALUE]

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
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.processes import free_port, start_fakes, start_service, stop  # noqa: E402

TOKEN = "123456:BENCH-TOKEN"
SENDER = "+15005550006"
BODY = "The group meets on Thursday at 10. Reply if you want to come."


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

    fakes_url = fakes
    telegram_url = twilio_url = fakes_url  # one process fakes both
    account, auth = "AC" + "0" * 32, "bench-twilio-token"
    url = pg.create_database(f"broadcast_{instances}_{int(time.time())}")
    upgrade(url)
    before = _stats(fakes_url)
    offset = 10_000_000 * instances
    _seed(url, args.telegram, args.sms, offset)
    work = Path(tempfile.mkdtemp(prefix="homecoming-broadcast-"))
    services = []
    for number in range(instances):
        port = free_port()
        services.append(start_service(
            port, work / f"instance-{number}.log",
            database_url=url,
            instance=f"bench-{number}",
            telegram_bot_token=TOKEN,
            telegram_webhook_secret="bench-webhook-secret",
            telegram_api_url=telegram_url,
            telegram_global_per_second=args.rate,
            twilio_account_sid=account,
            twilio_auth_token=auth,
            twilio_from=SENDER,
            twilio_api_url=twilio_url,
            sms_segments_per_second=args.sms_rate,
            worker_poll_seconds="0.5",
            **{name: value for name, _, value in (a.partition("=") for a in args.set)},
        ))  # fmt: skip
    expected = {"telegram": args.telegram, "sms": args.sms}
    deadline = time.monotonic() + args.telegram / args.rate + args.sms / args.sms_rate + 180
    try:
        while time.monotonic() < deadline:
            time.sleep(1)
            now = _stats(fakes_url)
            done = [
                sum(1 for k in now[name]["counts"] if k not in before[name]["counts"])
                >= expected[name]
                for name in ("telegram", "sms")
            ]
            if all(done):
                time.sleep(3)  # anything sent twice has time to show
                break
    finally:
        for service in services:
            stop(service)
    result = {}
    for name, limit in (("telegram", args.rate), ("sms", args.sms_rate)):
        after = _stats(fakes_url, before[name]["last"])[name]
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
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the services, e.g. --set SEND_CONCURRENCY=8")  # fmt: skip
    args = parser.parse_args()
    from tests.pg_server import PostgresServer

    fake, fakes = start_fakes(args.rate, args.sms_rate)
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

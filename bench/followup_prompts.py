"""Follow-up prompts at scale: rows with a due time, against one APScheduler job per prompt.

    .venv/bin/python bench/followup_prompts.py [--people 100000] [--baseline-people 5000]

Enrols N returnees (plans as rows, in chunks), then fires one day's due prompts with the
real tick (shared scheduling: claim, pacing, the daily cap, the effect registry, the outbox).
Two baselines run in the same process, since absolute figures drift between machines:
APScheduler's SQLAlchemyJobStore with one job per prompt (creation, timed in slices between our
chunks so that the machine's drift weighs on both alike), and the floor of
firing: on a copy of the same database and through the same engine settings, read the
same due rows and insert one outbound row each, in batches. The service's own memory is the anonymous RSS (RssAnon: not the pages
of the memory-mapped SQLite file), after 10,000 people and after all N (and the day fired).
The last line is machine-readable:

    followup created_per_s=<n> ratio=<n> fired_per_s=<n> fire_vs_floor=<n> anon_mb_10k=<n> anon_mb_100k=<n>
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.content import load_content  # noqa: E402
from bot.db import make_engine, transaction, upgrade  # noqa: E402
from bot.followup.plans import enrol_many  # noqa: E402
from bot.followup.prompts import Scheduler  # noqa: E402
from bot.models import Consent, Contact, Conversation, Outbound, Person, ScheduledPrompt  # noqa: E402
from bot.services import build_effects  # noqa: E402
from flows.followup.plan import plan_prompts  # noqa: E402

ENROLLED_AT = datetime(2026, 11, 24, 8, tzinfo=UTC)
CHUNK = 2000


FLOOR_BATCH = 500
ROUNDS = 5


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)


def anon_rss_mb() -> float:
    """This process's own memory: anonymous pages only (file-backed and mapped pages of the
    SQLite file are the kernel's cache, not ours)."""
    gc.collect()
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


def fire_floor(url: str, day: datetime) -> tuple[int, float]:
    """The least any firing must do, on a copy of the database and through the same engine
    settings: read the same due rows in batches and insert one outbound row each (one
    transaction per batch; no decisions, no flows, no pacing)."""
    engine = make_engine(url)
    prompts = ScheduledPrompt.__table__
    fired, last = 0, 0
    began = time.perf_counter()
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(prompts.c.id, prompts.c.person_id)
                .where(
                    prompts.c.status.in_(("pending", "waiting")),
                    prompts.c.due_at <= day,
                    prompts.c.id > last,
                )
                .order_by(prompts.c.id)
                .limit(FLOOR_BATCH)
            ).all()
            if rows:
                contacts = dict(
                    connection.execute(
                        select(Contact.person_id, Contact.id).where(
                            Contact.person_id.in_([row.person_id for row in rows])
                        )
                    ).all()
                )
                connection.execute(
                    insert(Outbound.__table__),
                    [
                        {
                            "person_id": row.person_id,
                            "contact_id": contacts[row.person_id],
                            "channel": "web",
                            "body": "Hello",
                            "choices": [],
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": day,
                            "created_at": day,
                        }
                        for row in rows
                    ],
                )
        fired += len(rows)
        if len(rows) < FLOOR_BATCH:
            break
        last = rows[-1].id
    seconds = time.perf_counter() - began
    engine.dispose()
    return fired, seconds


def make_people(engine, start: int, count: int) -> None:
    """Active returnees with consent, who came back 1 to 6 days before enrolment (not timed)."""
    people = [
        {
            "public_id": f"p{start + i:012d}",
            "status": "active",
            "language": "en",
            "role": "returnee",
            "return_date": ENROLLED_AT.date() - timedelta(days=1 + (start + i) % 6),
            "return_date_precision": "day",
            "vulnerabilities": [],
            "enrolled_by_staff": False,
            "plan_revision": 0,
            "missed_in_row": 0,
            "created_at": ENROLLED_AT,
            "updated_at": ENROLLED_AT,
        }
        for i in range(count)
    ]
    with transaction(engine) as session:
        session.execute(insert(Person), people)
        ids = (
            session.execute(
                select(Person.id).where(Person.public_id.in_([p["public_id"] for p in people]))
            )
            .scalars()
            .all()
        )
        session.execute(
            insert(Contact),
            [
                {
                    "person_id": i,
                    "channel": "web",
                    "address": f"bench-{i}",
                    "stopped": False,
                    "created_at": ENROLLED_AT,
                }
                for i in ids
            ],
        )
        session.execute(
            insert(Conversation),
            [{"person_id": i, "state": {}, "updated_at": ENROLLED_AT} for i in ids],
        )
        session.execute(
            insert(Consent),
            [
                {
                    "person_id": i,
                    "purpose": purpose,
                    "version": "v1",
                    "granted": True,
                    "channel": "web",
                    "at": ENROLLED_AT,
                }
                for i in ids
                for purpose in ("messages", "surveys")
            ],
        )


def enrol_chunk(engine, content, start: int, count: int) -> int:
    with transaction(engine) as session:
        ids = (
            session.execute(
                select(Person.id).where(Person.plan.is_(None)).order_by(Person.id).limit(count)
            )
            .scalars()
            .all()
        )
        return enrol_many(session, list(ids), content, ENROLLED_AT)


def bench_homecoming(people: int, baseline: APSchedulerBaseline, baseline_people: int) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="bench-followup-"))
    url = f"sqlite:///{directory / 'homecoming.db'}"
    upgrade(url)
    engine = make_engine(url)
    content = load_content()
    effects = build_effects()
    created = 0
    create_seconds = 0.0
    rss = {}
    for start in range(0, people, CHUNK):
        count = min(CHUNK, people - start)
        make_people(engine, start, count)
        began = time.perf_counter()
        created += enrol_chunk(engine, content, start, count)
        create_seconds += time.perf_counter() - began
        # The baseline's share of people for this chunk (it is ~100x slower: fewer people).
        baseline.add(baseline_people * (start + count) // people - baseline.people)
        done = start + count
        if done in (10_000, people):
            rss[done] = anon_rss_mb()
    # One day: 09:00 in Dakar four days after enrolment, when a sixth of the cohort's
    # week-1 check-ins fall due.
    for earlier in (25, 26, 27):  # the days before, untimed: their prompts are out already
        Scheduler(
            engine,
            content,
            lambda earlier=earlier: datetime(2026, 11, earlier, 9, tzinfo=UTC),
            effects,
        ).tick()
    with transaction(engine) as session:
        fired_before = session.execute(
            select(func.count()).where(ScheduledPrompt.fired_at.is_not(None))
        ).scalar_one()
        queued_before = session.execute(select(func.count()).select_from(Outbound)).scalar_one()
    day = datetime(2026, 11, 28, 9, tzinfo=UTC)
    engine.dispose()
    # Each round fires the same day on fresh copies of this state: the floor on one, the
    # real tick on another, alternately; the medians are compared (the machine is noisy).
    base = directory / "homecoming.db"
    ours, floors = [], []
    for round_ in range(ROUNDS):
        copy = directory / f"floor-{round_}.db"
        _copy(base, copy)
        floor_fired, seconds = fire_floor(f"sqlite:///{copy}", day)
        floors.append(floor_fired / seconds)
        copy.unlink()
        copy = directory / f"tick-{round_}.db"
        _copy(base, copy)
        engine = make_engine(f"sqlite:///{copy}")
        scheduler = Scheduler(engine, content, lambda: day, effects)
        began = time.perf_counter()
        scheduler.fire_due()
        seconds = time.perf_counter() - began
        with transaction(engine) as session:
            fired = session.execute(
                select(func.count()).where(ScheduledPrompt.fired_at.is_not(None))
            ).scalar_one()
            queued = session.execute(select(func.count()).select_from(Outbound)).scalar_one()
        fired, queued = fired - fired_before, queued - queued_before
        ours.append(fired / seconds)
        rss[people] = max(rss[people], anon_rss_mb())
        engine.dispose()
        copy.unlink()
    shutil.rmtree(directory, ignore_errors=True)
    return {
        "people": people,
        "created": created,
        "create_rate": created / create_seconds,
        "fired": fired,
        "messages": queued,
        "fire_rate": statistics.median(ours),
        "fire_rates": ours,
        "floor_fired": floor_fired,
        "floor_rate": statistics.median(floors),
        "floor_rates": floors,
        "rss": rss,
    }


class APSchedulerBaseline:
    """The baseline: every prompt a job in APScheduler's SQLAlchemyJobStore. Run in slices
    between our own chunks, so that the machine's drift weighs on both alike."""

    def __init__(self) -> None:
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        self.directory = Path(tempfile.mkdtemp(prefix="bench-apscheduler-"))
        self.scheduler = BackgroundScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(url=f"sqlite:///{self.directory / 'jobs.db'}")
            },
            timezone="UTC",
        )
        self.scheduler.start(paused=True)
        self.plans = load_content().plans
        self.people = 0
        self.created = 0
        self.seconds = 0.0

    def add(self, people: int) -> None:
        plan = self.plans.plans["default"]
        began = time.perf_counter()
        for person_id in range(self.people, self.people + people):
            return_date = ENROLLED_AT.date() - timedelta(days=1 + person_id % 6)
            for item in plan_prompts(plan, self.plans, return_date, ENROLLED_AT, "Africa/Dakar"):
                self.scheduler.add_job(
                    fire_prompt,
                    "date",
                    run_date=item.due_at,
                    args=[person_id, item.step.key],
                    id=f"{person_id}:{item.step.key}",
                    misfire_grace_time=None,
                )
                self.created += 1
        self.seconds += time.perf_counter() - began
        self.people += people

    def close(self) -> dict:
        # Their dates are past: a scheduler shut down with jobs in it would try to run them.
        self.scheduler.remove_all_jobs()
        self.scheduler.shutdown(wait=False)
        shutil.rmtree(self.directory, ignore_errors=True)
        return {
            "people": self.people,
            "created": self.created,
            "create_rate": self.created / self.seconds,
        }


def fire_prompt(person_id: int, step_key: str) -> None:  # pragma: no cover - never runs (paused)
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--baseline-people", type=int, default=5_000)
    args = parser.parse_args()
    baseline = APSchedulerBaseline()
    ours = bench_homecoming(args.people, baseline, args.baseline_people)
    baseline = baseline.close()
    ratio = ours["create_rate"] / baseline["create_rate"]
    fire_vs_floor = ours["fire_rate"] / ours["floor_rate"]
    print(
        f"homecoming: {ours['people']:,} people, {ours['created']:,} prompts created at {ours['create_rate']:,.0f}/s"
    )
    print(
        f"homecoming: {ours['fired']:,} prompts fired in one tick at {ours['fire_rate']:,.0f}/s, median of {', '.join(f'{r:,.0f}' for r in ours['fire_rates'])} ({ours['messages']:,} messages queued)"
    )
    print(
        f"floor (read the same due rows, insert one outbound row each): {ours['floor_fired']:,} at {ours['floor_rate']:,.0f}/s, median of {', '.join(f'{r:,.0f}' for r in ours['floor_rates'])}"
    )
    for count, mb in ours["rss"].items():
        print(f"homecoming: anonymous RSS after {count:,} people: {mb:,.0f} MB")
    print(
        f"baseline (APScheduler SQLAlchemyJobStore, one job per prompt): {baseline['people']:,} people, {baseline['created']:,} jobs at {baseline['create_rate']:,.0f}/s"
    )
    print(f"ratio (creation, homecoming / baseline): {ratio:,.1f}x  (target >= 100x)")
    print(f"firing: {ours['fire_rate']:,.0f} prompts/s  (target >= 2,000/s on SQLite)")
    print(f"firing against the floor: {fire_vs_floor:.2f}x  (target >= 0.3x)")
    small = min(ours["rss"])
    print(
        f"followup created_per_s={ours['create_rate']:.0f} ratio={ratio:.1f}"
        f" fired_per_s={ours['fire_rate']:.0f} fire_vs_floor={fire_vs_floor:.2f}"
        f" anon_mb_10k={ours['rss'][small]:.1f} anon_mb_100k={ours['rss'][max(ours['rss'])]:.1f}"
    )


if __name__ == "__main__":
    main()

"""Follow-up prompts at scale: rows with a due time, against one APScheduler job per prompt.

    .venv/bin/python bench/followup_prompts.py [--people 100000] [--baseline-people 5000]

Enrols N returnees (plans as rows, in chunks), fires one day's due prompts with the real
tick, then enrols a baseline cohort through APScheduler's SQLAlchemyJobStore with one job
per prompt, in the same process, and prints the rates and their ratio. Peak RSS is printed
after 10k and after all N people: it must not grow with the number of future prompts.
"""

from __future__ import annotations

import argparse
import resource
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
from flows.followup.plan import plan_prompts  # noqa: E402

ENROLLED_AT = datetime(2026, 11, 24, 8, tzinfo=UTC)
CHUNK = 2000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def bench_homecoming(people: int) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="bench-followup-"))
    url = f"sqlite:///{directory / 'homecoming.db'}"
    upgrade(url)
    engine = make_engine(url)
    content = load_content()
    created = 0
    create_seconds = 0.0
    rss = {}
    for start in range(0, people, CHUNK):
        count = min(CHUNK, people - start)
        make_people(engine, start, count)
        began = time.perf_counter()
        created += enrol_chunk(engine, content, start, count)
        create_seconds += time.perf_counter() - began
        done = start + count
        if done in (10_000, people):
            rss[done] = peak_rss_mb()
    # One day: 09:00 in Dakar four days after enrolment, when a sixth of the cohort's
    # week-1 check-ins fall due.
    for earlier in (25, 26, 27):  # the days before, untimed: their prompts are out already
        Scheduler(
            engine, content, lambda earlier=earlier: datetime(2026, 11, earlier, 9, tzinfo=UTC)
        ).tick()
    with transaction(engine) as session:
        fired_before = session.execute(
            select(func.count()).where(ScheduledPrompt.fired_at.is_not(None))
        ).scalar_one()
        queued_before = session.execute(select(func.count()).select_from(Outbound)).scalar_one()
    day = datetime(2026, 11, 28, 9, tzinfo=UTC)
    scheduler = Scheduler(engine, content, lambda: day)
    began = time.perf_counter()
    scheduler.fire_due()
    fire_seconds = time.perf_counter() - began
    with transaction(engine) as session:
        fired = session.execute(
            select(func.count()).where(ScheduledPrompt.fired_at.is_not(None))
        ).scalar_one()
        queued = session.execute(select(func.count()).select_from(Outbound)).scalar_one()
    fired, queued = fired - fired_before, queued - queued_before
    engine.dispose()
    return {
        "people": people,
        "created": created,
        "create_rate": created / create_seconds,
        "fired": fired,
        "messages": queued,
        "fire_rate": fired / fire_seconds,
        "rss": rss,
    }


def bench_apscheduler(people: int) -> dict:
    """The baseline: every prompt a job in APScheduler's SQLAlchemyJobStore."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    directory = Path(tempfile.mkdtemp(prefix="bench-apscheduler-"))
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{directory / 'jobs.db'}")},
        timezone="UTC",
    )
    scheduler.start(paused=True)
    content = load_content()
    plans = content.plans
    plan = plans.plans["default"]
    created = 0
    began = time.perf_counter()
    for person_id in range(people):
        return_date = ENROLLED_AT.date() - timedelta(days=1 + person_id % 6)
        for item in plan_prompts(plan, plans, return_date, ENROLLED_AT, "Africa/Dakar"):
            scheduler.add_job(
                fire_prompt,
                "date",
                run_date=item.due_at,
                args=[person_id, item.step.key],
                id=f"{person_id}:{item.step.key}",
                misfire_grace_time=None,
            )
            created += 1
    seconds = time.perf_counter() - began
    scheduler.shutdown(wait=False)
    return {"people": people, "created": created, "create_rate": created / seconds}


def fire_prompt(person_id: int, step_key: str) -> None:  # pragma: no cover - never runs (paused)
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--baseline-people", type=int, default=5_000)
    args = parser.parse_args()
    ours = bench_homecoming(args.people)
    baseline = bench_apscheduler(args.baseline_people)
    ratio = ours["create_rate"] / baseline["create_rate"]
    print(
        f"homecoming: {ours['people']:,} people, {ours['created']:,} prompts created at {ours['create_rate']:,.0f}/s"
    )
    print(
        f"homecoming: {ours['fired']:,} prompts fired in one tick at {ours['fire_rate']:,.0f}/s ({ours['messages']:,} messages queued)"
    )
    for count, mb in ours["rss"].items():
        print(f"homecoming: peak RSS after {count:,} people: {mb:,.0f} MB")
    print(
        f"baseline (APScheduler SQLAlchemyJobStore, one job per prompt): {baseline['people']:,} people, {baseline['created']:,} jobs at {baseline['create_rate']:,.0f}/s"
    )
    print(f"ratio (creation, homecoming / baseline): {ratio:,.1f}x  (target >= 100x)")
    print(f"firing: {ours['fire_rate']:,.0f} prompts/s  (target >= 2,000/s on SQLite)")


if __name__ == "__main__":
    main()

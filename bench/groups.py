"""Peer-group reminders at scale: due rows in the shared scheduling, against one APScheduler
job per reminder.

    .venv/bin/python bench/groups.py [--groups 1000] [--size 15] [--weeks 4]

Builds 1,000 active groups of 15 members (not timed), then schedules a month of weekly
meetings for each through the service's own path (bot/groups/meetings.py: the meetings, and
for the whole group one due row per reminder and per pulse, sent to every member when it
falls due) — timed in chunks of groups, with a
slice of the baseline between chunks so that the machine's drift weighs on both alike: the
same reminders as jobs in APScheduler's SQLAlchemyJobStore (SQLite), one job per reminder.
Then the month is lived: the clock jumps to each moment a row falls due and the group tick
fires what is due (claims, pacing, the daily cap, the flows, the outbox rows). Fired per
second counts reminders sent over the whole time of those ticks (pulses and the rest fire
in the same ticks and are not counted). The last line is machine-readable:

    groups created_per_s=<n> fired_per_s=<n> ratio=<n>
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.content import load_content  # noqa: E402
from bot.db import make_engine, transaction, upgrade  # noqa: E402
from bot.groups import meetings  # noqa: E402
from bot.groups.tick import GroupTick  # noqa: E402
from bot.models import (  # noqa: E402
    Consent,
    Contact,
    Conversation,
    GroupMember,
    GroupTask,
    Outbound,
    PeerGroup,
    Person,
)
from bot.services import build_effects  # noqa: E402

START = datetime(2026, 11, 30, 6, tzinfo=UTC)  # a Monday morning, Dakar time (UTC)
CHUNK = 50  # groups scheduled per transaction
REMINDERS = ("before", "morning")
BASELINE_SHARE = 10  # the baseline adds one job for every this many of our reminders


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_groups(engine, groups: int, size: int) -> list[int]:
    """Active groups (the leader approved) with `size` members each who joined (not timed)."""
    people = groups * size
    with transaction(engine) as session:
        session.execute(
            insert(Person),
            [
                {"public_id": f"g{i:012d}", "status": "active", "language": "en",
                 "role": "returnee", "vulnerabilities": [], "enrolled_by_staff": False,
                 "plan_revision": 0, "missed_in_row": 0, "followup_paused": False,
                 "created_at": START, "updated_at": START}
                for i in range(people)
            ],
        )  # fmt: skip
        ids = session.execute(select(Person.id).order_by(Person.id)).scalars().all()
        session.execute(
            insert(Contact),
            [{"person_id": i, "channel": "web", "address": f"bench-{i}", "stopped": False,
              "created_at": START} for i in ids],
        )  # fmt: skip
        session.execute(
            insert(Conversation), [{"person_id": i, "state": {}, "updated_at": START} for i in ids]
        )
        session.execute(
            insert(Consent),
            [{"person_id": i, "purpose": "messages", "version": "v1", "granted": True,
              "channel": "web", "at": START} for i in ids],
        )  # fmt: skip
        session.execute(
            insert(PeerGroup),
            [{"name": f"Group {n}", "district": "central", "language": "en", "status": "active",
              "gender_mix": "mixed", "target_size": size, "venues": ["the community hall"],
              "series_meetings": 4, "leader_name": "Chief", "created_at": START,
              "updated_at": START} for n in range(groups)],
        )  # fmt: skip
        group_ids = session.execute(select(PeerGroup.id).order_by(PeerGroup.id)).scalars().all()
        session.execute(
            insert(GroupMember),
            [{"group_id": g, "person_id": ids[n * size + k], "status": "joined", "community": False,
              "warnings": [], "missed_in_row": 0, "invited_at": START}
             for n, g in enumerate(group_ids) for k in range(size)],
        )  # fmt: skip
    return list(group_ids)


def first_meeting(n: int) -> datetime:
    """Spread over the week's days, in the afternoon: Tuesday to Saturday, 14:00 to 18:00."""
    return START + timedelta(days=3 + n % 5, hours=8 + n % 5)


class APSchedulerBaseline:
    def __init__(self) -> None:
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # noqa: PLC0415
        from apscheduler.schedulers.background import BackgroundScheduler  # noqa: PLC0415

        self.directory = Path(tempfile.mkdtemp(prefix="bench-groups-aps-"))
        url = f"sqlite:///{self.directory / 'jobs.db'}"
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=url)}, timezone="UTC"
        )
        self.scheduler.start(paused=True)
        self.created, self.seconds = 0, 0.0

    def add(self, count: int) -> None:
        began = time.perf_counter()
        for n in range(self.created, self.created + count):
            due = first_meeting(n) - timedelta(days=2)
            self.scheduler.add_job(
                send_reminder, "date", run_date=due, args=[n], id=f"reminder:{n}",
                misfire_grace_time=None,
            )  # fmt: skip
        self.seconds += time.perf_counter() - began
        self.created += count

    def close(self) -> float:
        self.scheduler.remove_all_jobs()
        self.scheduler.shutdown(wait=False)
        shutil.rmtree(self.directory, ignore_errors=True)
        return self.created / self.seconds


def send_reminder(n: int) -> None:  # pragma: no cover - never runs (the scheduler is paused)
    pass


def reminders(engine) -> int:
    """Member reminders scheduled: a whole group's row is one for each member who joined."""
    with engine.connect() as connection:
        members = dict(
            connection.execute(
                select(GroupMember.group_id, func.count())
                .where(GroupMember.status == "joined")
                .group_by(GroupMember.group_id)
            ).all()
        )
        rows = connection.execute(
            select(GroupTask.group_id, GroupTask.person_id).where(GroupTask.kind.in_(REMINDERS))
        ).all()
    return sum(members.get(g, 0) if p is None else 1 for g, p in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--size", type=int, default=15)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="bench-groups-"))
    url = f"sqlite:///{directory / 'homecoming.db'}"
    upgrade(url)
    engine = make_engine(url)
    content = load_content()
    group_ids = make_groups(engine, args.groups, args.size)
    baseline = APSchedulerBaseline()

    seconds, made = 0.0, 0
    for start in range(0, len(group_ids), CHUNK):
        chunk = group_ids[start : start + CHUNK]
        began = time.perf_counter()
        with transaction(engine) as session:
            # The groups as a page would have them at hand: one query for the chunk.
            loaded = {
                g.id: g for g in session.scalars(select(PeerGroup).where(PeerGroup.id.in_(chunk)))
            }
            for n, group_id in enumerate(chunk, start):
                group = loaded[group_id]
                meetings.schedule_weekly(
                    session, group, first_meeting(n), args.weeks, None, content, START,
                    actor="bench", series=True,
                )  # fmt: skip
        seconds += time.perf_counter() - began
        now_made = reminders(engine)
        baseline.add(max(1, (now_made - made) // BASELINE_SHARE))
        made = now_made
    created_per_s = made / seconds
    aps_per_s = baseline.close()
    print(
        f"scheduled {args.groups:,} groups x {args.size} members x {args.weeks} weekly meetings: "
        f"{made:,} reminders (and pulses) in {seconds:.1f} s = {created_per_s:,.0f} reminders/s"
    )
    print(
        f"baseline APScheduler SQLAlchemyJobStore: {baseline.created:,} jobs at {aps_per_s:,.0f}/s"
    )

    # The month lived: every moment something falls due, the tick fires it.
    clock = Clock(START)
    tick = GroupTick(engine, content, clock, build_effects(), batch=500)
    with engine.connect() as connection:
        moments = (
            connection.execute(select(GroupTask.due_at).distinct().order_by(GroupTask.due_at))
            .scalars()
            .all()
        )
    end = START + timedelta(weeks=args.weeks + 1)
    fired_seconds = 0.0
    for moment in moments:
        if moment > end:
            break
        clock.now = moment
        began = time.perf_counter()
        tick.tick()
        fired_seconds += time.perf_counter() - began
    with engine.connect() as connection:
        sent = connection.execute(
            select(func.count())
            .select_from(Outbound)
            .where(Outbound.origin.in_([f"groups.reminder.{kind}" for kind in REMINDERS]))
        ).scalar_one()
        outbound = connection.execute(select(func.count()).select_from(Outbound)).scalar_one()
        left = dict(
            connection.execute(
                select(GroupTask.status, func.count())
                .where(GroupTask.kind.in_(REMINDERS))
                .group_by(GroupTask.status)
            ).all()
        )
    fired_per_s = sent / fired_seconds
    print(
        f"lived the month: {sent:,} reminders sent (rows: {left}), {outbound:,} messages queued, "
        f"ticks took {fired_seconds:.1f} s = {fired_per_s:,.0f} reminders/s"
    )
    engine.dispose()
    shutil.rmtree(directory, ignore_errors=True)
    ratio = created_per_s / aps_per_s
    print(
        f"groups created_per_s={created_per_s:.0f} fired_per_s={fired_per_s:.0f} ratio={ratio:.1f}"
    )


if __name__ == "__main__":
    main()

"""Importing a field office's list at scale: 10,000 rows from a CSV into a fresh SQLite
database through the service's own import job (read, checked, written in chunks: people,
contacts, conversations, consents with who took them, follow-up plans for those enrolled,
consent-flow invitations for the others), against the baseline of enrolling the same kind of
rows one at a time through the admin's assisted-enrolment service, in the same process.

    .venv/bin/python bench/people_import.py [--rows 10000] [--baseline 300]

Half the rows carry consent recorded elsewhere (date, version, who took it), half do not.
The baseline enrols a sample (its rows per second do not depend on the file's size) before
and after the import, so the machine's drift weighs on both. Target: 10,000 rows in under a
minute. The last line is machine-readable:

    people_import rows=<n> seconds=<s> rows_per_s=<n> baseline_rows_per_s=<n> ratio=<n>
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from bot.casework.assisted import AssistedEnrolment, enrol_assisted  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.db import make_engine, transaction, upgrade  # noqa: E402
from bot.models import Person, Staff  # noqa: E402
from bot.people import import_jobs  # noqa: E402

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
DISTRICTS = ["central", "north", "south", "east", "west"]
GENDERS = ["woman", "man"]


def make_csv(rows: int) -> bytes:
    lines = ["Name,Phone,Language,District,Return date,Gender,Consent date,Consent version,"
             "Consent taken by"]  # fmt: skip
    for i in range(rows):
        returned = date(2026, 1, 1) + timedelta(days=i % 300)
        consent = ("2026-10-02", "2026-01", "Field office") if i % 2 == 0 else ("", "", "")
        lines.append(
            f"Person {i},+22177{i:07d},fr,{DISTRICTS[i % 5]},{returned.isoformat()},"
            f"{GENDERS[i % 2]},{','.join(consent)}"
        )
    return ("\n".join(lines) + "\n").encode()


def baseline(engine, content, staff_id: int, count: int, offset: int) -> float:
    """Rows per second, one assisted enrolment per row (its own transaction, as the form)."""
    started = time.perf_counter()
    for i in range(count):
        form = AssistedEnrolment(
            display_name=f"Baseline {offset + i}", language="fr", role="returnee",
            district=DISTRICTS[i % 5], return_date=date(2026, 1, 1) + timedelta(days=i % 300),
            gender=GENDERS[i % 2], phone=f"+22176{offset + i:07d}", consent_messages=True,
            consent_surveys=False,
        )  # fmt: skip
        with transaction(engine) as session:
            enrol_assisted(session, form, content, session.get(Staff, staff_id), NOW)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=300)
    args = parser.parse_args()
    content = load_content()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        with transaction(engine) as session:
            staff = Staff(email="bench@example.org", name="Bench", role="admin", password_hash="x")
            session.add(staff)
            session.flush()
            staff_id = staff.id
        data = make_csv(args.rows)
        first = baseline(engine, content, staff_id, args.baseline // 2, 0)

        def clock():
            return NOW

        started = time.perf_counter()
        with transaction(engine) as session:
            job = import_jobs.upload(session, data, "list.csv", content, staff_id, NOW)
            job_id = job.id
        done = import_jobs.run(engine, job_id, content, ["SN"], clock)
        seconds = time.perf_counter() - started
        second = baseline(engine, content, staff_id, args.baseline // 2, args.baseline)
        with transaction(engine) as session:
            people = session.scalar(select(func.count()).select_from(Person))
        ours = args.rows / seconds
        theirs = (first + second) / 2
        print(f"imported {done.created} people ({done.invited} invited to consent), "
              f"{done.existing} already here, {done.invalid} not imported, in {seconds:.1f} s; "
              f"{people} people in the database")  # fmt: skip
        print(
            f"baseline (assisted enrolment, one a transaction): {first:.0f} and {second:.0f} rows/s"
        )
        print(
            f"people_import rows={args.rows} seconds={seconds:.1f} rows_per_s={ours:.0f} "
            f"baseline_rows_per_s={theirs:.0f} ratio={ours / theirs:.1f}"
        )
        engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""A people import as a job: uploaded (the file kept, its columns mapped), checked (the
report shown before anything is written), then written a chunk per transaction with its
progress on the row; a process that dies mid-way is resumed by housekeeping, and since rows
already written are found again by their phone number, nothing is written twice."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.audit import audit
from bot.channels.twilio_sms import normalize_number
from bot.db import transaction
from bot.models import PeopleImport, Staff
from bot.people.import_write import write_rows
from bot.people.importing import (
    FIELDS,
    CheckedRow,
    Table,
    check_rows,
    guess_mapping,
    iter_chunks,
    read_table,
)
from bot.people.local_time import programme_today
from flows.content import Content

log = logging.getLogger(__name__)

CHUNK = 500
STALE = timedelta(minutes=2)  # a running import not moved for this long is resumed
MAX_PROBLEMS = 2000  # rows kept in the report (the count is always whole)


def phone_reader(allowed_countries: list[str]):
    """How a file's phone numbers are read: E.164, or national where one country is allowed."""
    region = allowed_countries[0].upper() if len(allowed_countries) == 1 else None

    def read(raw: str) -> str | None:
        return normalize_number(raw, allowed_countries, region)

    return read


@dataclass
class Check:
    table: Table
    mapping: dict[int, str]
    rows: list[CheckedRow]

    @property
    def counts(self) -> Counter:
        return Counter(r.status for r in self.rows)

    @property
    def problems(self) -> Counter:
        return Counter(p for r in self.rows for p in r.problems)

    @property
    def without_consent(self) -> int:
        return sum(1 for r in self.rows if r.status == "new" and not r.consented)


def upload(
    session: Session, data: bytes, filename: str, content: Content, staff_id: int | None,
    now: datetime,
) -> PeopleImport:  # fmt: skip
    """Keeps the file with its columns guessed; an unreadable file raises ImportFileError."""
    table = read_table(data, filename)
    mapping = guess_mapping(table.headers, content.imports.get("columns") or {})
    job = PeopleImport(
        filename=filename[:200], data=data, mapping={str(k): v for k, v in mapping.items()},
        total=len(table.rows), created_by=staff_id, created_at=now,
    )  # fmt: skip
    session.add(job)
    session.flush()
    audit(session, f"staff:{staff_id}" if staff_id else "system", "people.import_uploaded", None,
          now, rows=job.total)  # fmt: skip
    return job


def set_mapping(job: PeopleImport, raw: dict[str, str]) -> None:
    """The columns as staff mapped them ("" leaves a column out); each field once."""
    mapping, used = {}, set()
    for index, name in sorted(raw.items(), key=lambda kv: int(kv[0])):
        if name in FIELDS and name not in used:
            mapping[str(int(index))] = name
            used.add(name)
    job.mapping = mapping


def check(job: PeopleImport, content: Content, allowed_countries: list[str], today: date) -> Check:
    table = read_table(job.data or b"", job.filename)
    mapping = {int(k): v for k, v in job.mapping.items()}
    rows = check_rows(table, mapping, content, phone_reader(allowed_countries), today,
                      content.imports.get("languages"))  # fmt: skip
    return Check(table, mapping, rows)


def run(
    engine: Engine, job_id: int, content: Content, allowed_countries: list[str], clock,
    progress=None,
) -> PeopleImport:  # fmt: skip
    """Writes the job's rows from where it stopped, a chunk per transaction; `progress(n)` is
    told of each chunk (the command line's bar)."""
    with transaction(engine) as session:
        job = session.get(PeopleImport, job_id, with_for_update=True)
        if job is None or job.status == "done":
            return job
        now = clock()
        job.status, job.started_at, job.updated_at = "running", job.started_at or now, now
        checked = check(job, content, allowed_countries, programme_today(content, now))
        start, staff_id = job.processed, job.created_by
    for chunk in iter_chunks(checked.rows[start:], CHUNK):
        with transaction(engine) as session:
            job = session.get(PeopleImport, job_id, with_for_update=True)
            now = clock()
            staff = session.get(Staff, staff_id) if staff_id else None
            actor = f"staff:{staff_id}" if staff_id else "system"
            written = write_rows(session, chunk, content, staff, now, actor=actor)
            job.created += written.created
            job.invited += written.invited
            job.existing += written.existing
            bad = [r for r in chunk if r.status == "invalid"]
            job.invalid += len(bad)
            room = MAX_PROBLEMS - len(job.problems)
            if bad and room > 0:
                job.problems = [*job.problems, *([r.line, r.problems] for r in bad[:room])]
            job.processed += len(chunk)
            job.updated_at = now
        if progress is not None:
            progress(len(chunk))
    with transaction(engine) as session:
        job = session.get(PeopleImport, job_id)
        now = clock()
        job.status, job.finished_at, job.updated_at, job.data = "done", now, now, None
        audit(session, f"staff:{staff_id}" if staff_id else "system", "people.import_done", None,
              now, created=job.created, invited=job.invited, existing=job.existing,
              invalid=job.invalid)  # fmt: skip
        session.flush()
        session.expunge(job)
        return job


def resume_stale(engine: Engine, content: Content, allowed_countries: list[str], clock) -> int:
    """Imports left running by a process that stopped: taken up again."""
    with transaction(engine) as session:
        cutoff = clock() - STALE
        ids = list(
            session.exec(
                select(PeopleImport.id).where(
                    PeopleImport.status == "running", PeopleImport.updated_at < cutoff
                )
            )
        )
    for job_id in ids:
        try:
            run(engine, job_id, content, allowed_countries, clock)
        except Exception:  # noqa: BLE001 - the next round tries again
            log.exception("resuming people import %s failed", job_id)
    return len(ids)

"""`homecoming people import` and `homecoming people export`: the same import job and export
as the admin's pages, from a terminal (a progress bar for a long file)."""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from bot.audit import SYSTEM
from bot.config import Settings
from bot.db import transaction, upgrade
from bot.models import PeopleImport
from bot.people import exporting, import_jobs
from bot.people.filters import PeopleFilter
from bot.people.importing import FIELDS, ImportFileError, guess_mapping, read_table
from bot.people.local_time import programme_today
from bot.services import build_services


def import_people(settings: Settings, path: str, maps: list[str], *, check_only: bool) -> int:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        print(f"homecoming: cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        table = read_table(data, Path(path).name)
    except ImportFileError as error:
        print(f"homecoming: {path}: {error.key}", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    services = build_services(settings)
    content, allowed = services.content, settings.sms_allowed_countries
    try:
        mapping = guess_mapping(table.headers, content.imports.get("columns") or {})
        mapping = _mapping({str(k): v for k, v in mapping.items()}, maps, table.headers)
        if mapping is None:
            return 2
        # Checked on a job that is not kept: nothing is written before the report is read.
        draft = PeopleImport(filename=Path(path).name, data=data)
        import_jobs.set_mapping(draft, mapping)
        checked = import_jobs.check(
            draft, content, allowed, programme_today(content, services.clock())
        )
        _report(checked)
        if check_only:
            return 0
        with transaction(services.engine) as session:
            job = import_jobs.upload(
                session, data, Path(path).name, content, None, services.clock()
            )
            import_jobs.set_mapping(job, mapping)
            job_id = job.id
        with tqdm(total=len(checked.rows), unit="row", disable=None) as bar:
            done = import_jobs.run(services.engine, job_id, content, allowed, services.clock,
                                   progress=bar.update)  # fmt: skip
        print(f"created {done.created} (of whom {done.invited} invited to consent), "
              f"{done.existing} already here, {done.invalid} not imported")  # fmt: skip
        return 0
    finally:
        services.dispose()


def _mapping(current: dict[str, str], maps: list[str], headers) -> dict[str, str] | None:
    mapping = dict(current)
    for item in maps:
        heading, _, name = item.partition("=")
        heading, name = heading.strip(), name.strip()
        if name and name not in FIELDS:
            print(
                f"homecoming: unknown field {name!r}; fields: {', '.join(FIELDS)}", file=sys.stderr
            )
            return None
        if heading.isdigit() and 1 <= int(heading) <= len(headers):
            index = int(heading) - 1
        elif heading in headers:
            index = headers.index(heading)
        else:
            print(f"homecoming: no column {heading!r} in the file", file=sys.stderr)
            return None
        mapping = {k: v for k, v in mapping.items() if v != name}
        mapping[str(index)] = name
    return mapping


def _report(checked) -> None:
    headers = checked.table.headers
    for index, heading in enumerate(headers):
        print(f"  column {index + 1} {heading!r} -> {checked.mapping.get(index, '(left out)')}")
    counts = checked.counts
    print(f"{len(checked.rows)} rows: {counts.get('new', 0)} to import "
          f"({checked.without_consent} without consent: invited), {counts.get('invalid', 0)} with problems")  # fmt: skip
    for problem, count in checked.problems.most_common():
        print(f"  {count} x {problem}")
    for row in [r for r in checked.rows if r.problems][:20]:
        print(f"  line {row.line}: {', '.join(row.problems)}")


def export_people(settings: Settings, args) -> int:
    upgrade(settings.database_url)
    services = build_services(settings)
    try:
        chosen = PeopleFilter.from_mapping({n: getattr(args, n) for n in
                                            ("district", "status", "role", "language", "cohort")})  # fmt: skip
        with transaction(services.engine) as session:
            data, count = exporting.export(
                session, chosen.conditions(), settings.signing_key(), identities=args.identities,
                fmt=args.format, actor=f"{SYSTEM}:command_line", now=services.clock(),
            )  # fmt: skip
        if args.out:
            Path(args.out).write_bytes(data)
            print(f"{count} people written to {args.out}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(data)
        return 0
    finally:
        services.dispose()

"""`homecoming results export`: every answer in long format, as the admin's CSV export for an
admin (pseudonyms for identified answers, none for anonymous ones, which come last), audited."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from bot.audit import SYSTEM, audit
from bot.config import Settings
from bot.db import transaction, upgrade
from bot.models import Person
from bot.results import export as results_export
from bot.services import build_services


def export_results(settings: Settings, out: str | None) -> int:
    upgrade(settings.database_url)
    services = build_services(settings)
    try:
        with transaction(services.engine) as session:
            plan = results_export.plan_export(session, Person.id.is_not(None), True)
            audit(session, f"{SYSTEM}:command_line", "results.export", None, services.clock(),
                  rows=plan.rows)  # fmt: skip
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(results_export.EXPORT_COLUMNS)
        count = 0
        for row in results_export.export_rows(services.engine, plan, settings.signing_key()):
            writer.writerow(row)
            count += 1
        data = buffer.getvalue().encode("utf-8")
        if out:
            Path(out).write_bytes(data)
            print(f"{count} answers written to {out}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(data)
        return 0
    finally:
        services.dispose()

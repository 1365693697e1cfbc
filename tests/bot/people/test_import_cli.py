"""`homecoming people import` and `export` as a field office runs them: a real process on a
fresh database, the report before anything is written, the same file twice, and the list
taken out again pseudonymised (identities only when asked, and audited)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

from sqlmodel import select

from bot.db import make_engine, transaction
from bot.models import AuditLog, Person

LIST = ("Name,Phone,Language,District,Consent date,Consent version,Consent taken by\n"
        "Awa Ndiaye,+221771234567,fr,central,2026-10-02,2026-01,Fatou\n"
        "Moussa Diop,+221772345678,fr,north,,,\n"
        "Bad Phone,123,fr,,,,\n")  # fmt: skip


def _run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMECOMING_")}
    env.update(
        HOMECOMING_DATABASE_URL=f"sqlite:///{tmp_path / 'homecoming.db'}",
        HOMECOMING_SECRET_KEY="a test secret that is long enough",
        HOMECOMING_SMS_ALLOWED_COUNTRIES='["SN"]',
    )
    return subprocess.run([sys.executable, "-m", "bot.cli", "people", *args], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_import_reports_then_writes_and_a_second_run_adds_nothing(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    checked = _run(tmp_path, "import", str(path), "--check")
    assert checked.returncode == 0, checked.stderr
    assert "3 rows: 2 to import (1 without consent: invited), 1 with problems" in checked.stdout
    assert "line 4: import.error.phone" in checked.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'homecoming.db'}")
    with transaction(engine) as session:
        assert session.exec(select(Person)).all() == []
    done = _run(tmp_path, "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "created 2 (of whom 1 invited to consent), 0 already here, 1 not imported" in done.stdout
    again = _run(tmp_path, "import", str(path))
    assert "created 0 (of whom 0 invited to consent), 2 already here" in again.stdout
    with transaction(engine) as session:
        assert len(session.exec(select(Person)).all()) == 2

    pseudonymous = _run(tmp_path, "export")
    rows = list(csv.DictReader(io.StringIO(pseudonymous.stdout.lstrip("\ufeff"))))
    assert len(rows) == 2 and "display_name" not in rows[0]
    assert "Awa" not in pseudonymous.stdout and "+221" not in pseudonymous.stdout
    named = tmp_path / "named.xlsx"
    exported = _run(tmp_path, "export", "--identities", "--format", "xlsx", "--out", str(named),
                    "--district", "central")  # fmt: skip
    assert exported.returncode == 0 and "1 people written" in exported.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(named).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["person", "display_name", "phone"]
    assert values[1][1:3] == ["Awa Ndiaye", "+221771234567"]
    with transaction(engine) as session:
        exports = session.exec(select(AuditLog).where(AuditLog.action == "people.exported")).all()
        assert [e.details["identities"] for e in exports] == [False, True]
    engine.dispose()


def test_a_column_mapped_by_hand_and_an_unknown_field_refused(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Who,Mobile\nAwa,+221771234567\n", encoding="utf-8")
    refused = _run(tmp_path, "import", str(path), "--map", "Who=nickname", "--check")
    assert refused.returncode == 2 and "unknown field 'nickname'" in refused.stderr
    mapped = _run(tmp_path, "import", str(path), "--map", "Who=display_name", "--check")
    assert "column 1 'Who' -> display_name" in mapped.stdout


def test_results_export_from_the_command_line(tmp_path):
    engine_url = f"sqlite:///{tmp_path / 'homecoming.db'}"
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    _run(tmp_path, "import", str(path))  # a database with people, no answers yet
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMECOMING_")}
    env.update(
        HOMECOMING_DATABASE_URL=engine_url,
        HOMECOMING_SECRET_KEY="a test secret that is long enough",
    )
    done = subprocess.run([sys.executable, "-m", "bot.cli", "results", "export"], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split(",")[:3] == [
        "person_pseudonym",
        "instrument",
        "version",
    ]

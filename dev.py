#!/usr/bin/env python3
"""One command to set up and run Homecoming, one to set up and test it. Needs only python3.

python3 dev.py start   # virtualenv, dependencies, migrations, demo data, serve on :8000
python3 dev.py test    # virtualenv, dependencies, PostgreSQL check, lint, the whole test suite
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PYTHON = BIN / "python"


def run(*command: str | Path, **kwargs) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, cwd=ROOT, **kwargs)


def ensure_venv(extras: str) -> None:
    """Creates .venv and installs the project; skipped when pyproject.toml has not changed."""
    if not PYTHON.exists():
        run(sys.executable, "-m", "venv", VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", target)
    stamp.write_text(digest)


def _has_postgres() -> bool:
    return bool(shutil.which("initdb") and shutil.which("pg_ctl")) or bool(
        glob.glob("/usr/lib/postgresql/*/bin/initdb")
    )


def ensure_postgres() -> None:
    """The tests start a throwaway PostgreSQL with initdb/pg_ctl; install them if absent."""
    if _has_postgres():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("PostgreSQL (initdb, pg_ctl) is needed for the tests; please install it.")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", env=env)
    run("apt-get", "install", "-y", "--no-install-recommends", "postgresql", env=env)


def start(args: list[str]) -> None:
    ensure_venv("")
    os.environ.setdefault("HOMECOMING_DATABASE_URL", f"sqlite:///{ROOT / 'homecoming-demo.db'}")
    command = [str(BIN / "homecoming"), "serve", "--demo", *args]
    print("+", " ".join(command), flush=True)
    os.execv(command[0], command)


def test(args: list[str]) -> None:
    ensure_venv("test")
    ensure_postgres()
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(PYTHON, "-m", "pytest", *(args or ["-q"]))


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("start", "test"):
        sys.exit(__doc__)
    command, rest = sys.argv[1], sys.argv[2:]
    try:
        start(rest) if command == "start" else test(rest)
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)


if __name__ == "__main__":
    main()

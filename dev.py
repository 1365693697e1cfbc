#!/usr/bin/env python3
"""One command to set up and run Homecoming, one to set up and test it. Needs only python3.

python3 dev.py start   # virtualenv, dependencies, migrations, demo data, serve on :8000
python3 dev.py test    # virtualenv, dependencies, PostgreSQL and Chromium, lint, all the tests
"""

from __future__ import annotations

import functools
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
CHROMIUM = "/usr/bin/chromium"


def run(*command: str | Path, **kwargs) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, cwd=ROOT, **kwargs)


def ensure_venv(extras: str) -> None:
    """Creates .venv and installs the project; skipped when pyproject.toml has not changed."""
    if not PYTHON.exists():
        _make_venv()
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", target)
    stamp.write_text(digest)


def _apt(*args: str) -> None:
    run("apt-get", *args, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


@functools.cache
def _apt_update() -> None:
    """Once per run, however many packages turn out to be missing."""
    _apt("update")


def _apt_install(*packages: str) -> None:
    _apt_update()
    _apt("install", "-y", "--no-install-recommends", *packages)


def _can_apt() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def _make_venv() -> None:
    try:
        run(sys.executable, "-m", "venv", VENV)
    except subprocess.CalledProcessError:
        # Debian's python3 comes without venv's pip (ensurepip) until python3.X-venv is in.
        if not _can_apt():
            raise
        shutil.rmtree(VENV, ignore_errors=True)
        _apt_install(f"python3.{sys.version_info.minor}-venv")
        run(sys.executable, "-m", "venv", VENV)


def _has_postgres() -> bool:
    return bool(shutil.which("initdb") and shutil.which("pg_ctl")) or bool(
        glob.glob("/usr/lib/postgresql/*/bin/initdb")
    )


def ensure_postgres() -> None:
    """The tests start a throwaway PostgreSQL with initdb/pg_ctl; install them if absent."""
    if _has_postgres():
        return
    if not _can_apt():
        sys.exit("PostgreSQL (initdb, pg_ctl) is needed for the tests; please install it.")
    _apt_install("postgresql")


def _has_chromium() -> bool:
    return bool(shutil.which("chromium")) or os.access(CHROMIUM, os.X_OK)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium (Playwright's own download is not used)."""
    if _has_chromium():
        return
    if not _can_apt():
        print(
            f"Chromium ({CHROMIUM}) is missing and cannot be installed without root and apt-get:"
            " the browser tests (tests/browser) will be skipped, or fail where CI is set."
            " Install the 'chromium' package to run them.",
            flush=True,
        )
        return
    # DejaVu has Arabic glyphs: the right-to-left pages must render in screenshots too.
    _apt_install("chromium", "fonts-dejavu-core")


def start(args: list[str]) -> None:
    ensure_venv("")
    os.environ.setdefault("HOMECOMING_DATABASE_URL", f"sqlite:///{ROOT / 'homecoming-demo.db'}")
    command = [str(BIN / "homecoming"), "serve", "--demo", *args]
    print("+", " ".join(command), flush=True)
    os.execv(command[0], command)


def test(args: list[str]) -> None:
    ensure_venv("test")
    ensure_postgres()
    ensure_chromium()
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

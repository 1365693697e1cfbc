"""What the load benchmarks share: free ports, a `homecoming serve` instance with its
settings, waiting until something answers /healthz, and stopping it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service(port: int, log: Path, **settings: str) -> subprocess.Popen:
    """`homecoming serve` with only these settings (`database_url=…` → HOMECOMING_DATABASE_URL),
    none of the caller's own HOMECOMING_ variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMECOMING_")}
    env.update(
        HOMECOMING_SECRET_KEY="bench-secret-key-0123456789abcdef",
        HOMECOMING_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    env.update({f"HOMECOMING_{name.upper()}": str(value) for name, value in settings.items()})
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log.open("a"), stderr=subprocess.STDOUT, cwd=ROOT, env=env,
    )  # fmt: skip


def wait_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not start:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()

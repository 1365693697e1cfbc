"""What the load benchmarks share: free ports, a `homecoming serve` instance with its
settings, the fast fakes, waiting until something answers /healthz, and stopping it."""

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


def start_fakes(rate: float, sms_rate: float, *faults: float) -> tuple[subprocess.Popen, str]:
    """bench/fast_fakes.py (the Bot API and Twilio in one uvicorn process) on a free port,
    answering; its limits per second (0 lifts Telegram's), then FAULTS and STALL if given."""
    port = free_port()
    fakes = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "fast_fakes.py"), str(port), str(rate),
         str(sms_rate), *map(str, faults)],
        cwd=ROOT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{url}/stats", timeout=1)
            return fakes, url
        except httpx.HTTPError:
            time.sleep(0.1)
    fakes.kill()
    raise SystemExit("the fakes did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()

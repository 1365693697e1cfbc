"""The `homecoming` command as a facilitator or a deployment runs it: real processes, real ports."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes.updates import tg_text

HOMECOMING = [sys.executable, "-m", "bot.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMECOMING_")}
    env.update(HOMECOMING_DATABASE_URL=f"sqlite:///{tmp_path / 'fresh' / 'homecoming.db'}", **extra)
    (tmp_path / "fresh").mkdir(exist_ok=True)
    return env


class Server:
    def __init__(self, tmp_path, args: list[str], **env: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(tmp_path / f"serve-{self.port}.log", "w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            [*HOMECOMING, "serve", *args, "--port", str(self.port)],
            cwd=ROOT,
            env=_env(tmp_path, **env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"serve did not start: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def serve(tmp_path):
    started: list[Server] = []

    def start(*args: str, **env: str) -> Server:
        server = Server(tmp_path, list(args), **env)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


def test_serve_demo_creates_the_database_and_serves_everything(serve, tmp_path):
    server = serve("--demo")
    assert (tmp_path / "fresh" / "homecoming.db").exists()
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    simulator = httpx.get(f"{server.url}/simulator")
    assert simulator.status_code == 200 and "Homecoming" in simulator.text
    login = httpx.get(f"{server.url}/admin/login")
    assert login.status_code == 200 and 'type="password"' in login.text
    # The demo admin can sign in (with the token the login form carries).
    with httpx.Client(base_url=server.url) as client:
        form = client.get("/admin/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        response = client.post(
            "/admin/login",
            data={
                "email": "admin@demo.homecoming.org",
                "password": "homecoming-demo",
                "csrf": token,
            },
        )
        assert response.status_code in (200, 303)
        assert client.get("/admin").status_code == 200


def test_the_simulator_talks_through_the_running_workers(serve):
    server = serve("--demo", HOMECOMING_WORKER_POLL_SECONDS="0.2")
    with httpx.Client(base_url=server.url) as client:
        client.get("/simulator")
        assert (
            client.post("/simulator/send", json={"text": "hello", "message_id": "m1"}).status_code
            == 200
        )
        for _ in range(100):
            replies = client.get("/simulator/messages").json()
            if replies.get("messages"):
                break
            time.sleep(0.1)
        [first] = replies["messages"]
        assert first["text"].startswith("Welcome! Choose your language:")
        assert [c["value"] for c in first["choices"]] == ["en", "fr", "ar"]


def test_serve_without_a_secret_key_refuses_outside_demo(tmp_path):
    result = subprocess.run(
        [*HOMECOMING, "serve"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "HOMECOMING_SECRET_KEY" in result.stderr


def test_serve_registers_the_telegram_webhook_with_its_secret(serve, telegram_api):
    serve(
        HOMECOMING_SECRET_KEY="k",
        HOMECOMING_PUBLIC_URL="https://hc.example.org",
        HOMECOMING_TELEGRAM_BOT_TOKEN=telegram_api.token,
        HOMECOMING_TELEGRAM_WEBHOOK_SECRET="s3cret",
        HOMECOMING_TELEGRAM_API_URL=telegram_api.url,
    )
    for _ in range(100):
        if telegram_api.webhook:
            break
        time.sleep(0.1)
    assert telegram_api.webhook["url"] == "https://hc.example.org/webhooks/telegram"
    assert telegram_api.webhook["secret_token"] == "s3cret"


def test_an_unreachable_bot_api_does_not_stop_the_service(serve):
    server = serve(
        HOMECOMING_SECRET_KEY="k",
        HOMECOMING_TELEGRAM_BOT_TOKEN="123:abc",
        HOMECOMING_TELEGRAM_WEBHOOK_SECRET="s",
        HOMECOMING_TELEGRAM_API_URL=f"http://127.0.0.1:{_free_port()}",
    )
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_polling_mode_answers_without_a_public_url(serve, telegram_api):
    serve(
        HOMECOMING_SECRET_KEY="k",
        HOMECOMING_TELEGRAM_BOT_TOKEN=telegram_api.token,
        HOMECOMING_TELEGRAM_MODE="polling",
        HOMECOMING_TELEGRAM_API_URL=telegram_api.url,
        HOMECOMING_WORKER_POLL_SECONDS="0.2",
    )
    telegram_api.push_update(tg_text(4242, "/start"))
    for _ in range(150):
        if telegram_api.sent_to(4242):
            break
        time.sleep(0.1)
    [reply] = telegram_api.sent_to(4242)
    assert reply.text.startswith("Welcome! Choose your language:")
    assert "deleteWebhook" in telegram_api.methods()


def test_db_upgrade_and_staff_create(tmp_path):
    env = _env(tmp_path, HOMECOMING_STAFF_PASSWORD="a-long-password")
    result = subprocess.run(
        [*HOMECOMING, "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    create = [*HOMECOMING, "staff", "create", "--email", "fatou@example.org", "--name", "Fatou"]
    result = subprocess.run(create, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "fatou@example.org" in result.stdout
    again = subprocess.run(create, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 2


def test_chat_in_the_terminal(tmp_path):
    result = subprocess.run(
        [*HOMECOMING, "chat", "--as", "tester"],
        cwd=ROOT,
        env=_env(tmp_path),
        input="hello\n2\noui\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Welcome! Choose your language:" in result.stdout
    assert "1 English" in result.stdout
    assert "Pouvons-nous vous écrire pendant 12 mois ?" in result.stdout
    assert "Pouvons-nous aussi vous poser parfois de courtes questions ?" in result.stdout


def test_help_lists_the_commands():
    result = subprocess.run(
        [*HOMECOMING, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    for command in ("serve", "db", "staff", "chat"):
        assert command in result.stdout

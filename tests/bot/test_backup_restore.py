"""Backups restore to a working service, as docs/operations.md says to take them: pg_dump's
custom format into an empty database with pg_restore, and SQLite's online backup. The
restored copy passes the smoke test: healthy, migrations already at head, the admin
answers, the person it holds carries on their conversation, and their follow-up prompt
fires when it falls due."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime

from bot.db import upgrade
from bot.models import Alert, Person, ScheduledPrompt
from tests.builders import enrol_on_telegram, prompts
from tests.clock import FakeClock
from tests.pg_server import _binary
from tests.stack import close_stack, open_stack, stack_settings

CHAT = 67_001


async def _held(url, telegram_api, twilio_api, clock) -> None:
    stack = await open_stack(stack_settings(url, telegram_api, twilio_api), telegram_api,
                             twilio_api, clock)  # fmt: skip
    try:
        await enrol_on_telegram(stack, CHAT, "20/11/2026")
        await stack.tg_says(CHAT, "i want to kill myself")
        assert stack.count(Alert) == 1
    finally:
        await close_stack(stack)


async def _smoke(url, telegram_api, twilio_api, clock) -> None:
    upgrade(url)  # already at head: nothing to do, nothing fails
    stack = await open_stack(stack_settings(url, telegram_api, twilio_api), telegram_api,
                             twilio_api, clock)  # fmt: skip
    try:
        assert (await stack.client.get("/healthz")).json() == {"status": "ok"}
        assert (await stack.client.get("/admin/login")).status_code == 200
        person = stack.person("telegram", str(CHAT))
        assert person is not None and person.status == "active"
        assert stack.count(Person) == 1 and stack.count(Alert) == 1
        assert await stack.tg_says(CHAT, "help")  # the bot answers them where they are
        [first] = [p for p in prompts(stack, person.id) if p.status == "pending"][:1]
        stack.clock.now = max(stack.clock.now, first.due_at)
        await stack.tick()
        assert prompts(stack, person.id)[0].status != "pending"
        assert stack.count(ScheduledPrompt) >= 1
    finally:
        await close_stack(stack)


def _pg(server, *args: str) -> None:
    command = [_binary(args[0]), "-h", "127.0.0.1", "-p", str(server.port), "-U", server.user,
               *args[1:]]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)


async def test_a_pg_dump_restores_into_an_empty_database_that_works(
    postgres_databases, postgres_server, telegram_api, twilio_api, tmp_path
):
    clock = FakeClock(datetime(2026, 11, 24, 9, tzinfo=UTC))
    url = postgres_databases.fresh()
    await _held(url, telegram_api, twilio_api, clock)
    dump = tmp_path / "homecoming.dump"
    _pg(postgres_server, "pg_dump", "-Fc", "-d", url.rsplit("/", 1)[1], "-f", str(dump))
    restored = postgres_server.create_database(f"restored_{url.rsplit('/', 1)[1]}")
    _pg(postgres_server, "pg_restore", "--no-owner", "-d", restored.rsplit("/", 1)[1], str(dump))
    await _smoke(restored, telegram_api, twilio_api, clock)


async def test_a_sqlite_online_backup_works_as_the_database(
    sqlite_url, telegram_api, twilio_api, tmp_path
):
    clock = FakeClock(datetime(2026, 11, 24, 9, tzinfo=UTC))
    await _held(sqlite_url, telegram_api, twilio_api, clock)
    copy = tmp_path / "backup.db"
    # What `sqlite3 homecoming.db ".backup backup.db"` does, safe while the service runs.
    with (
        sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as live,
        sqlite3.connect(copy) as to,
    ):
        live.backup(to)
    await _smoke(f"sqlite:///{copy}", telegram_api, twilio_api, clock)

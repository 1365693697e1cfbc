"""Fresh, migrated databases for tests, on SQLite and on a throwaway PostgreSQL."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db import make_engine, upgrade

_counter = itertools.count()


class PostgresDatabases:
    """Migrates one template database once; each test gets a quick copy of it."""

    TEMPLATE = "homecoming_template"

    def __init__(self, server_url: str, create_database):
        self.server_url = server_url
        self.create_database = create_database
        self.ready = False

    def fresh(self) -> str:
        if not self.ready:
            upgrade(self.create_database(self.TEMPLATE))
            self.ready = True
        name = f"homecoming_t{next(_counter)}"
        engine = make_engine(self.server_url)
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.TEMPLATE}"'))
        finally:
            engine.dispose()
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)


class SqliteDatabases:
    """Migrates one template file once; each test gets a copy."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.template: Path | None = None

    def fresh(self) -> str:
        if self.template is None:
            self.template = self.directory / "template.db"
            upgrade(f"sqlite:///{self.template}")
        target = self.directory / f"test-{next(_counter)}.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

"""Shared fixtures: clocks, fresh databases on SQLite and PostgreSQL, the running stack."""

from __future__ import annotations

import pytest

from tests.clock import FakeClock
from tests.databases import PostgresDatabases, SqliteDatabases

pytest_plugins = ["tests.fakes.fixtures", "tests.stack"]


@pytest.fixture(scope="session")
def postgres_server():
    from tests.pg_server import PostgresServer

    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_databases(postgres_server):
    return PostgresDatabases(postgres_server.url, postgres_server.create_database)


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory):
    return SqliteDatabases(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, sqlite_databases) -> str:
    """Storage-dependent tests run on both backends."""
    if request.param == "sqlite":
        return sqlite_databases.fresh()
    return request.getfixturevalue("postgres_databases").fresh()


@pytest.fixture
def sqlite_url(sqlite_databases) -> str:
    return sqlite_databases.fresh()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()

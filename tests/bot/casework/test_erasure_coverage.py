"""Erasure as a registry: every column that refers to a person, directly or through a row
that does, is covered by some domain's eraser. A new table with a person_id (a mentor
match, a group membership, a savings ledger) fails here until its domain adds an eraser."""

from __future__ import annotations

from sqlmodel import SQLModel

import bot.models  # noqa: F401  (registers the tables)
from bot.services import build_erasers


def _referring_columns() -> set[tuple[str, str]]:
    tables = SQLModel.metadata.tables
    # Tables whose rows belong to a person: person itself, then whatever points at them.
    personal = {"person"}
    changed = True
    while changed:
        changed = False
        for name, table in tables.items():
            if name in personal:
                continue
            points = any(fk.column.table.name in personal for fk in table.foreign_keys)
            if points or "person_id" in table.c:
                personal.add(name)
                changed = True
    found = set()
    for name, table in tables.items():
        for column in table.c:
            targets = {fk.column.table.name for fk in column.foreign_keys}
            if targets & personal or column.name == "person_id":
                found.add((name, column.name))
    return found


def test_every_column_that_refers_to_a_person_has_an_eraser():
    referring = _referring_columns()
    # The scan finds what we know is there, so an empty result cannot pass by accident.
    assert {("inbound", "person_id"), ("answer", "response_id"), ("audit_log", "person_id")} <= (
        referring
    )
    uncovered = sorted(referring - build_erasers().covered())
    assert uncovered == [], f"no eraser covers {uncovered}"


def test_erasers_name_only_columns_that_exist():
    tables = SQLModel.metadata.tables
    for table, column in build_erasers().covered():
        assert table in tables and column in tables[table].c, (table, column)

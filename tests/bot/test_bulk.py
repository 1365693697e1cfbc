"""Rows straight to and from the driver (bot/bulk.py) read back exactly as SQLAlchemy reads
them, on SQLite and PostgreSQL: aware UTC moments, dates, booleans, parsed JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot import bulk
from bot.bulk import insert_many, select_many, update_many
from bot.db import make_engine, transaction, upgrade
from bot.models import Consent, Contact, Conversation, Person

NOW = datetime(2026, 11, 24, 9, 30, 15, 123456, tzinfo=UTC)
PERSON_COLUMNS = (
    Person.id, Person.status, Person.language, Person.opted_out_at, Person.followup_paused,
    Person.return_date, Person.display_name,
)  # fmt: skip
CONVERSATION_COLUMNS = (
    Conversation.id, Conversation.person_id, Conversation.flow, Conversation.state,
    Conversation.updated_at,
)  # fmt: skip


@pytest.fixture
def engine(database_url):
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _people(engine, count: int) -> list[int]:
    with transaction(engine) as session:
        connection = session.connection()
        insert_many(
            connection,
            Person.__table__,
            ("public_id", "status", "language", "role", "opted_out_at", "followup_paused",
             "enrolled_by_staff", "plan_revision", "missed_in_row", "return_date",
             "display_name", "vulnerabilities", "created_at", "updated_at"),
            [
                (f"b{i:08d}", "active", "fr" if i % 2 else None, "returnee",
                 NOW if i % 3 == 0 else None, i % 2 == 0, False, 0, 0,
                 date(2026, 10, 1 + i % 28), f"Awa {i} — ﻋﺎﺋﺸﺔ" if i % 5 == 0 else None,
                 [], NOW, NOW)
                for i in range(count)
            ],
        )  # fmt: skip
        ids = session.execute(select(Person.id).order_by(Person.id)).scalars().all()
        insert_many(
            connection,
            Conversation.__table__,
            ("person_id", "flow", "state", "updated_at"),
            [(i, "followup" if i % 2 else None, {"at": "q1", "n": [1, 2]}, NOW) for i in ids],
        )
    return list(ids)


def test_records_read_as_sqlalchemy_reads_them(engine):
    ids = _people(engine, 40)
    with transaction(engine) as session:
        connection = session.connection()
        for columns, key in (
            (PERSON_COLUMNS, Person.id),
            (CONVERSATION_COLUMNS, Conversation.person_id),
        ):
            ours = select_many(connection, columns, key, reversed(ids), lock=True)
            theirs = connection.execute(select(*columns).where(key.in_(ids))).all()
            assert sorted(tuple(r) for r in ours) == sorted(tuple(r) for r in theirs)
            assert {name: type(value) for name, value in ours[0]._asdict().items()} == {
                name: type(value) for name, value in theirs[0]._asdict().items()
            }
        [person] = select_many(connection, PERSON_COLUMNS, Person.id, [ids[0]])
        assert person.opted_out_at == NOW and person.opted_out_at.tzinfo is UTC
        assert person.followup_paused is True and person.return_date == date(2026, 10, 1)


def test_many_keys_are_read_in_chunks_and_ordered_within_each(engine, monkeypatch):
    monkeypatch.setattr(bulk, "KEYS_PER_STATEMENT", 7)
    ids = _people(engine, 30)
    with transaction(engine) as session:
        connection = session.connection()
        insert_many(
            connection,
            Consent.__table__,
            ("person_id", "purpose", "version", "granted", "channel", "at"),
            # Two decisions each: the later one (a refusal) must come last.
            [(i, "surveys", "v1", granted, "sms", at) for i in ids
             for granted, at in ((False, NOW), (True, datetime(2026, 1, 1, tzinfo=UTC)))],
        )  # fmt: skip
        rows = select_many(
            connection,
            (Consent.person_id, Consent.granted),
            Consent.person_id,
            ids,
            order=(Consent.at, Consent.id),
        )
    assert len(rows) == 60
    last = {}
    for person_id, granted in rows:
        last[person_id] = granted
    assert set(last) == set(ids) and not any(last.values())


def test_updates_and_reads_round_trip(engine):
    ids = _people(engine, 5)
    later = datetime(2026, 12, 1, 7, tzinfo=UTC)
    with transaction(engine) as session:
        connection = session.connection()
        update_many(
            connection,
            Conversation.__table__,
            "person_id",
            ("flow", "state", "updated_at"),
            [("survey", {"answers": {"q1": "yes"}}, later, i) for i in ids],
        )
        rows = select_many(connection, CONVERSATION_COLUMNS, Conversation.person_id, ids)
    assert {(r.flow, r.updated_at) for r in rows} == {("survey", later)}
    assert all(r.state == {"answers": {"q1": "yes"}} for r in rows)


def test_one_table_and_no_keys(engine):
    with transaction(engine) as session:
        connection = session.connection()
        assert select_many(connection, PERSON_COLUMNS, Person.id, []) == []
        with pytest.raises(ValueError, match="one table"):
            select_many(connection, (Person.id, Contact.id), Person.id, [1])

"""Who may be written to: the Python rule and its SQL form agree for every kind of person
(property-based over status, opt-out, erasure, outcome and consent history)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import Session

from bot.db import make_engine, upgrade
from bot.models import Consent, Person
from bot.people.consents import consents_of
from bot.people.reach import Reach, may_write, why_not, writable_sql

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)

people = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["onboarding", "active", "declined", "erased"]),
        "opted_out": st.booleans(),
        "erased": st.booleans(),
        "outcome": st.sampled_from([None, "completed", "remigrated", "left_programme"]),
        # Decisions about "messages" in order; some at the same instant (id breaks the tie).
        "consents": st.lists(st.tuples(st.booleans(), st.integers(0, 2)), max_size=4),
    }
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """One database for every example: each one runs in a transaction rolled back at its end."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reach')}/reach.db"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(people, min_size=1, max_size=6))
def test_python_and_sql_agree(engine, group):
    with Session(engine) as session:
        try:
            ids = []
            for spec in group:
                person = Person(
                    status=spec["status"],
                    opted_out_at=NOW if spec["opted_out"] else None,
                    erased_at=NOW if spec["erased"] else None,
                    outcome=spec["outcome"],
                )
                session.add(person)
                session.flush()
                ids.append(person.id)
                for granted, minutes in spec["consents"]:
                    session.add(
                        Consent(
                            person_id=person.id,
                            purpose="messages",
                            version="v1",
                            granted=granted,
                            channel="sms",
                            at=NOW + timedelta(minutes=minutes),
                        )
                    )
            session.flush()
            for level in Reach:
                selected = set(session.scalars(select(Person.id).where(*writable_sql(level))).all())
                expected = {
                    pid
                    for pid in ids
                    if may_write(session.get(Person, pid), consents_of(session, pid), level)
                }
                assert selected == expected, level
        finally:
            session.rollback()


def test_the_reason_is_the_first_rule_that_fails():
    person = Person(status="active", opted_out_at=NOW, outcome="remigrated")
    assert why_not(person, {"messages": True}) == "left the programme"
    assert why_not(person, {"messages": True}, Reach.REPLY) == "opted out"
    assert why_not(Person(status="active"), {}) == "no consent to messages"
    assert why_not(Person(status="active"), {"messages": True}) is None

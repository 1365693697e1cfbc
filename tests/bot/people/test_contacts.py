"""The person behind an address: found, or created bare on their first message."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.db import make_engine, transaction
from bot.models import Contact, Conversation, Person
from bot.people import contacts
from bot.people.contacts import contact_for

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
# Set per row, not by the model's defaults.
OWN = {"id", "public_id", "created_at", "updated_at"}


def test_someone_new_gets_the_same_bare_person_a_model_would_have(database_url):
    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            contact, new = contact_for(session, "telegram", "5550101", NOW)
            again, new_again = contact_for(session, "telegram", "5550101", NOW)
            person = session.get(Person, contact.person_id)
            built = Person(created_at=NOW, updated_at=NOW)
            conversation = session.exec(
                select(Conversation).where(Conversation.person_id == person.id)
            ).one()
            assert again.id == contact.id and (new, new_again) == (True, False)
            assert (contact.channel, contact.address, contact.created_at) == (
                "telegram", "5550101", NOW)  # fmt: skip
            assert person.created_at == NOW and person.public_id
            for column in (c.name for c in Person.__table__.columns):
                if column not in OWN:
                    assert getattr(person, column) == getattr(built, column), column
            assert (conversation.flow, conversation.step, conversation.state) == (None, None, {})
    finally:
        engine.dispose()


def test_an_address_someone_else_added_meanwhile_is_theirs(database_url, monkeypatch):
    """Another worker created the contact between the lookup and the insert: no second
    person is left behind, and theirs is the one returned."""
    engine = make_engine(database_url)
    real = contacts.find_contact
    looked = []

    def missed_once(session, channel, address):
        looked.append(address)
        return None if len(looked) == 1 else real(session, channel, address)

    try:
        with transaction(engine) as session:
            first, _ = contact_for(session, "sms", "+221775550102", NOW)
        monkeypatch.setattr(contacts, "find_contact", missed_once)
        with transaction(engine) as session:
            found, new = contact_for(session, "sms", "+221775550102", NOW)
        assert found.id == first.id and not new
        with transaction(engine) as session:
            assert len(session.exec(select(Person)).all()) == 1
            assert len(session.exec(select(Contact)).all()) == 1
    finally:
        engine.dispose()

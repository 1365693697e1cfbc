"""A broadcast's audience: everyone the staff's filters and scope select who may be written
to (bot/people/reach.py), each once, on their preferred working contact."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from bot.models import Contact, Person
from bot.people.contacts import rank
from bot.people.reach import writable_sql
from flows.content import Content


@dataclass(frozen=True)
class Recipient:
    person_id: int
    contact_id: int
    channel: str
    language: str  # the language of the text they get (theirs, else the default)
    timezone: str | None


def audience(
    session: Session,
    conditions: Iterable,
    content: Content,
    texts: Mapping[str, str] | None = None,
    channels: Iterable[str] | None = None,
) -> list[Recipient]:
    """Everyone the conditions select who can receive, each once, on their preferred working
    contact (the one they last wrote from; `bot.people.contacts.rank`, in bulk).
    `channels` limits contacts to those the service can send on."""
    working = aliased(Contact)  # aliased: the filters' own Contact subqueries stay apart
    statement = (
        select(
            Person.id,
            Person.language,
            Person.timezone,
            working.id,
            working.channel,
            working.last_inbound_at,
            working.created_at,
        )
        .join(working, working.person_id == Person.id)
        .where(*conditions, *writable_sql(), working.stopped.is_(False))
    )
    if channels is not None:
        statement = statement.where(working.channel.in_(list(channels)))
    best: dict[int, tuple] = {}
    for person_id, language, timezone, contact_id, channel, last_in, created in session.execute(
        statement
    ):
        key = rank(last_in, created, contact_id)
        if person_id not in best or key > best[person_id][0]:
            best[person_id] = (key, language, timezone, contact_id, channel)
    written = texts if texts is not None else {language: "x" for language in content.languages}
    default = content.default_language
    return [
        Recipient(
            person_id=person_id,
            contact_id=contact_id,
            channel=channel,
            language=language if language in written else default,
            timezone=timezone,
        )
        for person_id, (_, language, timezone, contact_id, channel) in sorted(best.items())
    ]

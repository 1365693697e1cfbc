"""A short receipt of their own entry after a meeting, for the members who asked for one:
only their own, and with amounts only where they chose to see them (else a discreet line
that the record is saved)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from bot.messaging.outbox import enqueue
from bot.models import Person, SavingsEntry, SavingsGroup, SavingsMeeting, SavingsMember
from bot.people.consents import consents_of
from bot.people.contacts import preferred_contact
from bot.people.reach import why_not
from bot.savings.registry import constitution_of
from flows.content import Content
from flows.context import spoken_language
from flows.savings.money import format_amount
from flows.savings.statement import savings_key, shows_details
from flows.types import Message


def send(
    session: Session, group: SavingsGroup, meeting: SavingsMeeting, content: Content, now: datetime
) -> int:
    members = session.scalars(
        select(SavingsMember).where(
            SavingsMember.group_id == group.id,
            SavingsMember.status == "active",
            SavingsMember.receipts.is_(True),
            SavingsMember.person_id.is_not(None),
        )
    ).all()
    if not members:
        return 0
    entries: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in session.scalars(select(SavingsEntry).where(SavingsEntry.meeting_id == meeting.id)):
        if row.member_id is not None:
            entries[row.member_id][row.kind] += row.amount
            if row.kind == "shares":
                entries[row.member_id]["count"] += row.shares
    constitution = constitution_of(group, content)
    decimals = content.savings.decimals(constitution.currency)
    sent = 0
    for member in members:
        person = session.get(Person, member.person_id)
        contact = preferred_contact(session, person.id) if person is not None else None
        if contact is None or why_not(person, consents_of(session, person.id)) is not None:
            continue
        mine = entries.get(member.id, {})
        language = spoken_language(person.language, content)
        detailed = shows_details(member.details, contact.channel)
        key = savings_key("receipt", detailed)
        money = {
            kind: format_amount(mine.get(kind, 0), constitution.currency, decimals)
            for kind in ("shares", "repayment")
        }
        text = content.catalog.text(
            language, key, contact.channel, date=f"{meeting.on.day}/{meeting.on.month}",
            shares=mine.get("count", 0), amount=money["shares"], paid=money["repayment"],
        )  # fmt: skip
        enqueue(session, person, contact, Message(text, (), key), now, initiated=True)
        sent += 1
    return sent

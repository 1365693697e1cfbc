"""Feedback rounds: "you said, we did" to everyone who answered a round, anonymous or not."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.audit import audit
from bot.messaging.outbox import enqueue
from bot.models import Contact, FeedbackRespondent, Person
from bot.people.consents import consents_of_many
from bot.people.local_time import timezone_of
from bot.people.reach import may_write
from bot.scheduling.pacing import DailyCap
from flows.content import Content
from flows.types import Message

SUMMARY_MAX = 200


def said_we_did(
    session: Session,
    round_key: str,
    summaries: dict[str, str],
    content: Content,
    actor: str,
    now: datetime,
) -> int:
    """After a feedback round: what changed, to everyone who answered it (anonymous answers
    included), each on the channel they answered on. Staff learn how many, never who."""
    default = content.default_language
    if not summaries.get(default):
        raise ValueError(f"a summary in {default} is needed (the fallback language)")
    if any(len(text) > SUMMARY_MAX for text in summaries.values()):
        raise ValueError(f"keep each summary to {SUMMARY_MAX} characters: it goes out by SMS too")
    contacts = session.exec(
        select(Contact)
        .join(FeedbackRespondent, FeedbackRespondent.contact_id == Contact.id)
        .where(FeedbackRespondent.round == round_key)
    ).all()
    consents = consents_of_many(session, [c.person_id for c in contacts])
    # A programme message like any other: in their daytime, on a day with room under the cap.
    cap = DailyCap.load(session, content.delivery, [c.person_id for c in contacts], now)
    sent = 0
    for contact in contacts:
        person = session.get(Person, contact.person_id)
        if contact.stopped or not may_write(person, consents.get(person.id, {})):
            continue
        language = person.language if person.language in summaries else default
        text = content.catalog.text(
            language, "followup.said_we_did", contact.channel, summary=summaries[language].strip()
        )
        message = Message(text, key="followup.said_we_did")
        slot = cap.place(person.id, timezone_of(person, content), now)
        cap.note(person.id, slot)
        enqueue(session, person, contact, message, now, initiated=True, due=slot)
        sent += 1
    audit(session, actor, "feedback.said_we_did", None, now, round=round_key, sent=sent)
    return sent

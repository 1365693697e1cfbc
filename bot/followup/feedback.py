"""Feedback rounds: "you said, we did" to everyone who answered a round, anonymous or not."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, select

from bot.audit import audit
from bot.broadcasts.estimate import price
from bot.channels.render import sms_text
from bot.channels.segments import count_segments
from bot.messaging.outbox import enqueue
from bot.models import AuditLog, Contact, FeedbackRespondent, Person
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


@dataclass(frozen=True)
class RoundLanguage:
    """What "you said, we did" costs in one language: its SMS as it will go out, the
    segments, how many respondents read this language (and how many of them by SMS)."""

    language: str
    sms: str
    segments: int
    respondents: int
    by_sms: int
    cost: Decimal
    fallback: bool  # no summary of its own: the default language's goes


def rounds(session: Session) -> list[tuple[str, int]]:
    """Every feedback round with how many took part, the newest key last."""
    return list(
        session.execute(
            select(FeedbackRespondent.round, func.count())
            .group_by(FeedbackRespondent.round)
            .order_by(FeedbackRespondent.round)
        ).all()
    )


def estimate(
    session: Session, round_key: str, summaries: dict[str, str], content: Content
) -> tuple[list[RoundLanguage], str]:
    """Per language, what the message costs (SMS respondents x segments x price)."""
    default = content.default_language
    found = session.execute(
        select(Person.language, Contact.channel)
        .join(FeedbackRespondent, FeedbackRespondent.contact_id == Contact.id)
        .join(Person, Person.id == Contact.person_id)
        .where(FeedbackRespondent.round == round_key)
    ).all()
    readers = Counter(lang if lang in content.languages else default for lang, _ in found)
    by_sms = Counter(
        lang if lang in content.languages else default for lang, ch in found if ch == "sms"
    )
    per_segment, currency = price(content)
    out = []
    for language in content.languages:
        own = bool((summaries.get(language) or "").strip())
        summary = (summaries.get(language) if own else summaries.get(default)) or ""
        text = content.catalog.text(
            language, "followup.said_we_did", "sms", summary=summary.strip()
        )
        sms = sms_text(text, ())
        segments = count_segments(sms)
        out.append(
            RoundLanguage(
                language,
                sms,
                segments,
                readers.get(language, 0),
                by_sms.get(language, 0),
                per_segment * segments * by_sms.get(language, 0),
                not own,
            )  # fmt: skip
        )
    return out, currency


def sent_before(session: Session, round_key: str) -> list[tuple[datetime, int]]:
    """When "you said, we did" already went out for this round, and to how many."""
    rows = session.scalars(
        select(AuditLog).where(AuditLog.action == "feedback.said_we_did").order_by(AuditLog.at)
    ).all()
    return [
        (r.at, int(r.details.get("sent", 0))) for r in rows if r.details.get("round") == round_key
    ]

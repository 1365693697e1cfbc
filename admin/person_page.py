"""Everything a person's page shows, loaded in a handful of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from admin.staff_choices import staff_names
from bot.models import (
    Alert,
    AlertMessage,
    Answer,
    Consent,
    Contact,
    Inbound,
    Outbound,
    Person,
    ScheduledPrompt,
    Staff,
    SurveyResponse,
)

TIMELINE = 100  # the latest messages; "more" shows up to TIMELINE_MAX
TIMELINE_MAX = 1000


@dataclass(frozen=True)
class Entry:
    """One message in the timeline, in or out."""

    at: datetime
    direction: str  # "in" | "out"
    channel: str
    text: str
    status: str | None = None  # outbound: pending, sent, delivered, failed, ...
    origin: str | None = None
    error: str | None = None
    handoff: str | None = None
    by_staff: str | None = None
    cry: str | None = None  # the alert reason when this message was a cry for help
    edited: bool = False  # an earlier Telegram message, changed


@dataclass
class PersonPage:
    person: Person
    contacts: list[Contact]
    consents: list[Consent]
    timeline: list[Entry]
    timeline_truncated: bool
    responses: list[dict[str, Any]]
    trajectory: list[dict[str, Any]]
    plan: list[ScheduledPrompt]
    alerts: list[Alert]
    facilitator: Staff | None
    staff_names: dict[int, str] = field(default_factory=dict)


def _pressed(row, outbound) -> str:
    """A button they pressed, as they saw it: its label on the last message before it that
    offered it (the value in brackets when none is found)."""
    if not row.choice:
        return ""
    for message in outbound:  # newest first
        if message.created_at > row.received_at:
            continue
        for choice in message.choices or ():
            if choice.get("value") == row.choice:
                return choice.get("label") or row.choice
    return f"[{row.choice}]"


def timeline(
    session: Session, person_id: int, limit: int, names: dict[int, str]
) -> tuple[list[Entry], bool]:
    inbound = session.scalars(
        select(Inbound)
        .where(Inbound.person_id == person_id)
        .order_by(Inbound.id.desc())
        .limit(limit + 1)
    ).all()
    outbound = session.scalars(
        select(Outbound)
        .where(Outbound.person_id == person_id)
        .order_by(Outbound.id.desc())
        .limit(limit + 1)
    ).all()
    # A cry for help is shown as one, not as whatever the bot made of it.
    cries = dict(
        session.execute(
            select(AlertMessage.inbound_id, AlertMessage.reason).where(
                AlertMessage.inbound_id.in_([row.id for row in inbound])
            )
        ).all()
    )
    entries = [
        Entry(
            at=row.received_at,
            direction="in",
            channel=row.channel,
            text=row.text if row.text is not None else _pressed(row, outbound),
            handoff=row.handoff,
            status="handled" if row.handled_at else None,
            cry=cries.get(row.id),
            edited=row.kind == "edited",
        )
        for row in reversed(inbound)  # oldest first: messages of one moment stay in order
        if row.kind in ("text", "choice", "media", "start", "edited")
    ] + [
        Entry(
            # When the person could read it (sent), else when it was written.
            at=row.sent_at or row.created_at,
            direction="out",
            channel=row.channel,
            text=row.body,
            status=row.status,
            origin=row.origin,
            error=row.error_code,
            by_staff=names.get(row.staff_id) if row.staff_id else None,
        )
        for row in reversed(outbound)
    ]
    entries.sort(key=lambda e: (e.at, e.direction == "out"))
    truncated = len(entries) > limit or len(inbound) > limit or len(outbound) > limit
    return entries[-limit:], truncated


def load(session: Session, person: Person, timeline_limit: int = TIMELINE) -> PersonPage:
    pid = person.id
    names = staff_names(session)
    contacts = list(
        session.scalars(select(Contact).where(Contact.person_id == pid).order_by(Contact.id))
    )
    consents = list(
        session.scalars(
            select(Consent).where(Consent.person_id == pid).order_by(Consent.at, Consent.id)
        )
    )
    entries, truncated = timeline(session, pid, min(timeline_limit, TIMELINE_MAX), names)
    responses = []
    rows = session.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.person_id == pid)
        .order_by(SurveyResponse.completed_on, SurveyResponse.id)
    ).all()
    answers: dict[int, list[Answer]] = {}
    if rows:
        for answer in session.scalars(
            select(Answer).where(Answer.response_id.in_([r.id for r in rows])).order_by(Answer.id)
        ):
            answers.setdefault(answer.response_id, []).append(answer)
    for row in rows:
        responses.append(
            {
                "response": row,
                "answers": answers.get(row.id, []),
                "recorded_by": names.get(row.recorded_by) if row.recorded_by else None,
            }
        )
    trajectory = [
        {
            "wave": item["response"].wave or item["response"].completed_on.isoformat(),
            "on": item["response"].completed_on,
            "composite": item["response"].composite,
            "scores": item["response"].scores,
        }
        for item in responses
        if item["response"].composite is not None
    ]
    plan = list(
        session.scalars(
            select(ScheduledPrompt)
            .where(
                ScheduledPrompt.person_id == pid,
                ScheduledPrompt.status.not_in(("superseded",)),
            )
            .order_by(ScheduledPrompt.due_at, ScheduledPrompt.id)
        )
    )
    alerts = list(
        session.scalars(
            select(Alert).where(Alert.person_id == pid).order_by(Alert.created_at.desc())
        )
    )
    facilitator = session.get(Staff, person.facilitator_id) if person.facilitator_id else None
    return PersonPage(
        person,
        contacts,
        consents,
        entries,
        truncated,
        responses,
        trajectory,
        plan,
        alerts,
        facilitator,
        names,
    )

"""Outcomes: re-migration, leaving, completing. Recorded, never a deletion."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.audit import audit
from bot.models import Person, ScheduledPrompt
from flows.vocabulary import TO_SEND, Outcome, PromptStatus

OUTCOMES = tuple(Outcome)


def record_outcome(
    session: Session, person: Person, outcome: str, actor: str, now: datetime
) -> int:
    """Re-migration or leaving is recorded, never a deletion: what was said stays; what was
    still to come is cancelled. Returns how many prompts were cancelled."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    person.outcome, person.outcome_at = outcome, now
    rows = session.exec(
        select(ScheduledPrompt).where(
            ScheduledPrompt.person_id == person.id,
            ScheduledPrompt.status.in_((*TO_SEND, PromptStatus.OPEN)),
        )
    ).all()
    for row in rows:
        row.status, row.note = PromptStatus.CANCELLED, f"outcome: {outcome}"
    audit(session, actor, "person.outcome", person.id, now, outcome=outcome, cancelled=len(rows))
    return len(rows)

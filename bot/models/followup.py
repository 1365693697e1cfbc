"""Follow-up: scheduled prompts, survey responses and answers, feedback rounds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow


class ScheduledPrompt(SQLModel, table=True):
    """One step of a person's follow-up plan: a row with a due time, claimed by the tick."""

    __tablename__ = "scheduled_prompt"
    __table_args__ = (
        UniqueConstraint(
            "person_id", "step_key", "plan_revision", name="uq_prompt_person_step_revision"
        ),
        Index("ix_prompt_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Indexed by the unique constraint, which starts with person_id.
    person_id: int = Field(foreign_key="person.id")
    plan: str = Field(max_length=40)
    plan_revision: int
    step_key: str = Field(max_length=40)
    kind: str = Field(max_length=16)
    instrument: str | None = Field(default=None, max_length=40)
    message: str | None = Field(default=None, max_length=80)
    wave: str | None = Field(default=None, max_length=16)
    # pending -> (waiting) -> open -> answered | missed; skipped, superseded, cancelled
    status: str = Field(default="pending", max_length=16)
    due_at: datetime = _utc(nullable=False)
    claimed_until: datetime | None = _utc()
    fired_at: datetime | None = _utc()
    reminder_due_at: datetime | None = _utc()
    reminded_at: datetime | None = _utc()
    closes_at: datetime | None = _utc()
    answered_at: datetime | None = _utc()
    note: str | None = Field(default=None, max_length=120)
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)


class SurveyResponse(SQLModel, table=True):
    """One filled-in instrument. Anonymous responses have no person, prompt or exact time."""

    __tablename__ = "survey_response"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    prompt_id: int | None = Field(default=None, foreign_key="scheduled_prompt.id")
    instrument: str = Field(max_length=40)
    version: int
    wave: str | None = Field(default=None, max_length=16)
    anonymous: bool = False
    language: str | None = Field(default=None, max_length=8)
    # Dimension scores (0..1) and the composite, with the weights' version used.
    scores: dict[str, Any] = _json(dict)
    composite: float | None = None
    completed_on: date
    # Facilitator-assisted answers (someone without a phone of their own): who recorded them.
    recorded_by: int | None = Field(default=None, foreign_key="staff.id")


class Answer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("response_id", "question_id", name="uq_answer_question"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="survey_response.id", index=True)
    question_id: str = Field(max_length=40)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    score: float | None = None  # 0..1 where the question is scored


class FeedbackRespondent(SQLModel, table=True):
    """Who took part in a feedback round (not what they said): for "you said, we did"."""

    __tablename__ = "feedback_respondent"
    __table_args__ = (UniqueConstraint("round", "contact_id", name="uq_feedback_round_contact"),)

    id: int | None = Field(default=None, primary_key=True)
    round: str = Field(max_length=40)
    contact_id: int = Field(foreign_key="contact.id")


class AnonymousPool(SQLModel, table=True):
    """A finished anonymous response waiting to go out among others of its round
    (bot/followup/anonymity.py). A random key, no row id (SQLite: WITHOUT ROWID), no person,
    no time but the day it came in: nothing that orders it against who took part."""

    __tablename__ = "anonymous_pool"
    __table_args__ = {"sqlite_with_rowid": False}

    token: str = Field(primary_key=True, max_length=32)
    round: str = Field(max_length=60, index=True)
    instrument: str = Field(max_length=40)
    version: int
    wave: str | None = Field(default=None, max_length=16)
    answers: dict[str, Any] = _json(dict)
    items: dict[str, Any] = _json(dict)
    dimensions: dict[str, Any] = _json(dict)
    composite: float | None = None
    held_since: date

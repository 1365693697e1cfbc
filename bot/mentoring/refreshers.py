"""Refresher training reminders: a month before a mentor's training lapses (and again on
the day it does), the mentor is told and their facilitator gets a low alert to arrange it.
One reminder per mentor per due date: a due row with a unique key, sent by the mentoring
tick with the shared pacing. A lapsed mentor keeps their mentees and gets no new ones
(flows/mentoring/training.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from bot.models import Mentor, MentoringTask
from bot.people.local_time import programme_today
from flows.content import Content
from flows.mentoring.training import refresher_due

AHEAD = timedelta(days=30)


def queue_reminders(session: Session, content: Content, now: datetime) -> int:
    """Housekeeping: a reminder row for each approved mentor whose refresher falls due
    within a month, and one on the day it lapses; returns how many were queued."""
    today = programme_today(content, now)
    keys = set(session.scalars(select(MentoringTask.key).where(MentoringTask.kind == "refresher")))
    queued = 0
    for mentor in session.scalars(select(Mentor).where(Mentor.status == "approved")):
        due = refresher_due(mentor.trained_on, mentor.refreshed_on, content.mentoring)
        if due is None or today < due - AHEAD:
            continue
        stage = "lapsed" if today >= due else "soon"
        key = f"refresher:{mentor.id}:{due.isoformat()}:{stage}"
        if key in keys:
            continue
        session.add(
            MentoringTask(
                key=key,
                kind="refresher",
                role="mentor",
                person_id=mentor.person_id,
                due_at=now,
                note=due.isoformat(),
                created_at=now,
            )
        )
        queued += 1
    return queued

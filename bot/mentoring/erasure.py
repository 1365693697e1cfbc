"""Erasing a person from the mentor network: their requests and conflict flags deleted;
their matches, as mentee or as mentor, closed and stripped of why they were made (the parts
name a sector, a country, an age); their mentor record emptied and withdrawn. Rows that
others' history needs (a mentor's past matches) stay, pointing at a tombstone."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from bot.casework.erasure import Eraser, ErasureContext
from bot.models import (
    Mentor,
    MentorConflict,
    MentoringTask,
    MentorMatch,
    MentorPulse,
    MentorRequest,
)
from bot.models.mentoring import OPEN_MATCH


def _erase_mentoring(ctx: ErasureContext) -> None:
    session, pid = ctx.session, ctx.person_id
    theirs = select(Mentor.id).where(Mentor.person_id == pid).scalar_subquery()
    involved = or_(MentorMatch.mentee_id == pid, MentorMatch.mentor_id.in_(theirs))
    session.execute(
        update(MentorMatch)
        .where(involved, MentorMatch.status.in_(OPEN_MATCH))
        .values(status="ended", ended_at=ctx.now, updated_at=ctx.now)
    )
    session.execute(
        update(MentorMatch)
        .where(involved)
        .values(parts=[], request_id=None, mentor_reach=None, mentee_reach=None)
    )
    matches = select(MentorMatch.id).where(involved).scalar_subquery()
    # Scores stay for the programme's counts; their words go.
    session.execute(
        update(MentorPulse).where(MentorPulse.match_id.in_(matches)).values(comment=None)
    )
    session.execute(
        update(MentoringTask)
        .where(
            or_(MentoringTask.person_id == pid, MentoringTask.match_id.in_(matches)),
            MentoringTask.status.in_(("pending", "waiting")),
        )
        .values(status="cancelled", note=None)
    )
    session.execute(
        delete(MentorConflict).where(
            or_(MentorConflict.person_id == pid, MentorConflict.mentor_id.in_(theirs))
        )
    )
    session.execute(delete(MentorRequest).where(MentorRequest.person_id == pid))
    session.execute(
        update(Mentor)
        .where(Mentor.person_id == pid)
        .values(
            status="withdrawn",
            languages=[],
            skills=[],
            availability=None,
            abroad_in=None,
            years_abroad=None,
            returned_on=None,
            note=None,
            updated_at=ctx.now,
        )
    )


ERASERS = (
    Eraser(
        "mentoring",
        frozenset(
            {
                ("mentor", "person_id"),
                ("mentor_request", "person_id"),
                ("mentor_match", "mentee_id"),
                ("mentor_match", "mentor_id"),
                ("mentor_match", "request_id"),
                ("mentor_conflict", "person_id"),
                ("mentor_conflict", "mentor_id"),
                ("mentoring_task", "person_id"),
                ("mentoring_task", "match_id"),
                ("mentor_pulse", "match_id"),
            }
        ),
        _erase_mentoring,
    ),
)

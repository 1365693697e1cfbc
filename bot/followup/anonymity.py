"""Anonymous answers that cannot be traced back, even from a full copy of the database.

Who took part in a feedback round is known (FeedbackRespondent, for "you said, we did"), and
when each person finished is written in many places (their prompt, their inbox rows). So a
finished anonymous response is not stored at once, where its id and its place in the table
would follow the order of the respondents: it waits in a pool (random key, no row order, the
day only) and housekeeping releases a round's pool all together, in random order, once
`MIN_BATCH` responses wait or the oldest has waited `MAX_WAIT`. Released responses carry no
person, prompt or language, and only the month.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from bot.models import AnonymousPool, Answer, SurveyResponse
from flows.followup.effects import RecordResponse

MIN_BATCH = 5
MAX_WAIT = timedelta(days=7)
_SHUFFLE = random.SystemRandom()


def hold(session: Session, effect: RecordResponse, round_key: str, today: date) -> None:
    session.add(
        AnonymousPool(
            token=secrets.token_hex(16),
            round=round_key,
            instrument=effect.instrument,
            version=effect.version,
            wave=effect.wave,
            answers=dict(effect.answers),
            items=dict(effect.items),
            dimensions=dict(effect.dimensions),
            composite=effect.composite,
            held_since=today,
        )
    )


def release(
    session: Session,
    today: date,
    min_batch: int = MIN_BATCH,
    max_wait: timedelta = MAX_WAIT,
    rng: random.Random = _SHUFFLE,
) -> int:
    """Releases every round whose pool is large or old enough; returns how many responses."""
    rounds = session.exec(
        select(AnonymousPool.round, func.count(), func.min(AnonymousPool.held_since)).group_by(
            AnonymousPool.round
        )
    ).all()
    released = 0
    for round_key, waiting, oldest in rounds:
        if waiting < min_batch and oldest > today - max_wait:
            continue
        rows = list(session.exec(select(AnonymousPool).where(AnonymousPool.round == round_key)))
        rng.shuffle(rows)
        for row in rows:
            _store(session, row, today)
            session.delete(row)
        released += len(rows)
    return released


def _store(session: Session, row: AnonymousPool, today: date) -> None:
    response = SurveyResponse(
        instrument=row.instrument,
        version=row.version,
        wave=row.wave,
        anonymous=True,
        scores=dict(row.dimensions),
        composite=row.composite,
        completed_on=today.replace(day=1),
    )
    session.add(response)
    session.flush()
    add_answers(session, response.id, row.answers, row.items)


def add_answers(session: Session, response_id: int, answers: dict, items: dict) -> None:
    """A response's answer rows, in the order they were asked, with their item scores."""
    for question_id, value in answers.items():
        session.add(
            Answer(
                response_id=response_id,
                question_id=question_id,
                value=value,
                score=items.get(question_id),
            )
        )

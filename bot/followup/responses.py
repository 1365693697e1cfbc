"""Storing finished instruments: answers, item scores, dimension scores, the composite.

Anonymous responses wait in a pool and go out among others (bot/followup/anonymity.py); who took part in a feedback
round is kept apart (FeedbackRespondent), so "you said, we did" can reach them.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from bot.followup import anonymity
from bot.models import Contact, FeedbackRespondent, Person, SurveyResponse
from flows.content import Content
from flows.followup.effects import RecordResponse

FREE_TEXT = ("text",)


def free_text_answers(content: Content) -> set[tuple[str, str]]:
    """(instrument, answer id) of every answer that is the person's own words: free-text
    questions, and the text after "other". Erasure and retention empty these."""
    found = set()
    for name, survey in content.surveys.items():
        for question in survey.questions:
            if question.type in FREE_TEXT or question.other:
                found.add((name, question.id))
                found.add((name, f"{question.id}_other"))
    return found


def feedback_round(instrument: str, wave: str | None) -> str:
    return f"{instrument}:{wave or 'adhoc'}"


def record_response(
    session: Session,
    person: Person,
    contact: Contact | None,
    effect: RecordResponse,
    today: date,
    recorded_by: int | None = None,
) -> SurveyResponse | None:
    """`contact` is None for answers staff record on someone's behalf (no channel used);
    `recorded_by` marks them as such. An anonymous response waits in the pool
    (bot/followup/anonymity.py) and None is returned."""
    round_key = feedback_round(effect.instrument, effect.wave)
    if contact is not None and (effect.instrument == "feedback" or effect.anonymous):
        seen = session.exec(
            select(FeedbackRespondent).where(
                FeedbackRespondent.round == round_key, FeedbackRespondent.contact_id == contact.id
            )
        ).first()
        if seen is None:
            session.add(FeedbackRespondent(round=round_key, contact_id=contact.id))
    if effect.anonymous:
        anonymity.hold(session, effect, round_key, today)
        return None
    response = SurveyResponse(
        person_id=person.id,
        prompt_id=effect.prompt_id,
        instrument=effect.instrument,
        version=effect.version,
        wave=effect.wave,
        anonymous=False,
        language=person.language,
        scores=dict(effect.dimensions),
        composite=effect.composite,
        completed_on=today,
        recorded_by=recorded_by,
    )
    session.add(response)
    session.flush()
    anonymity.add_answers(session, response.id, effect.answers, effect.items)
    return response

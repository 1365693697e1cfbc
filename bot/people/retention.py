"""How long words are kept, enforced by housekeeping (bot/workers.py).

Two periods, both programme settings (content/programme.yaml `retention`):

- **Before consent**: someone who has not consented within `unconsented_hours` (72) keeps
  only what onboarding needs to start again: what they wrote, what was sent to them and
  their half-answered onboarding are erased, the way a refusal erases them (they are not
  opted out: writing again starts onboarding afresh).
- **Enrolled people**: their messages, the words of alerts about them and their free-text
  answers are kept for the programme's duration (`duration_months`) plus
  `months_after_programme` (12) from enrolment, then emptied. Counts, scores and choices
  stay.

Both are idempotent: a round only touches rows that still hold words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, false, null, or_, select, update
from sqlmodel import Session

from bot.audit import SYSTEM, audit
from bot.followup.responses import free_text_answers
from bot.models import (
    Alert,
    AlertMessage,
    Answer,
    Consent,
    Conversation,
    Inbound,
    Outbound,
    Person,
    SurveyResponse,
)
from bot.people.profile import PROFILE_FIELDS
from flows.content import Content
from flows.vocabulary import UNDER_WAY, OutboundStatus, PersonStatus

DEFAULT_UNCONSENTED_HOURS = 72
DEFAULT_MONTHS_AFTER = 12
DAYS_PER_MONTH = 30.44  # months of a period, not of a calendar
BATCH = 500


@dataclass(frozen=True)
class Retention:
    unconsented: timedelta
    enrolled: timedelta  # from enrolment

    @classmethod
    def of(cls, content: Content) -> Retention:
        programme = content.programme
        settings = programme.get("retention") or {}
        hours = float(settings.get("unconsented_hours", DEFAULT_UNCONSENTED_HOURS))
        months = float(programme.get("duration_months", 12)) + float(
            settings.get("months_after_programme", DEFAULT_MONTHS_AFTER)
        )
        return cls(timedelta(hours=hours), timedelta(days=months * DAYS_PER_MONTH))


def enforce(session: Session, content: Content, now: datetime) -> dict[str, int]:
    """One round; returns how many people had words erased, per rule."""
    retention = Retention.of(content)
    return {
        "unconsented": _unconsented(session, now - retention.unconsented, now),
        "enrolled": _enrolled(session, content, now - retention.enrolled, now),
    }


def _words_left(person_id_column):
    """SQL: something of this person's still holds words (a message either way)."""
    return or_(
        exists().where(
            Inbound.person_id == person_id_column,
            or_(Inbound.text.is_not(None), Inbound.choice.is_not(None)),
        ),
        exists().where(Outbound.person_id == person_id_column, Outbound.body != ""),
    )


def _unconsented(session: Session, cutoff: datetime, now: datetime) -> int:
    consented = exists().where(Consent.person_id == Person.id, Consent.granted.is_(True))
    ids = session.scalars(
        select(Person.id)
        .where(
            Person.status == PersonStatus.ONBOARDING,
            Person.erased_at.is_(None),
            Person.created_at <= cutoff,
            ~consented,
            _words_left(Person.id),
        )
        .limit(BATCH)
    ).all()
    for person_id in ids:
        person = session.get(Person, person_id)
        for name in PROFILE_FIELDS:
            setattr(person, name, None)
        _empty_messages(session, [person_id], cancel=True)
        # Their half-answered onboarding goes too, unless they are in it now (it holds what
        # onboarding needs, not what they said); writing again starts it afresh.
        session.execute(
            update(Conversation)
            .where(Conversation.person_id == person_id, Conversation.updated_at <= cutoff)
            .values(flow=None, step=None, state={}, updated_at=now)
        )
        audit(session, SYSTEM, "retention.unconsented", person_id, now)
    return len(ids)


def _enrolled(session: Session, content: Content, cutoff: datetime, now: datetime) -> int:
    free_text = _free_text(content)
    answers_left = exists().where(
        SurveyResponse.person_id == Person.id,
        Answer.response_id == SurveyResponse.id,
        _any_free_text(free_text),
        Answer.value.is_not(None),
    )
    alert_words = exists().where(
        Alert.person_id == Person.id, or_(Alert.detail.is_not(None), Alert.close_note.is_not(None))
    )
    ids = session.scalars(
        select(Person.id)
        .where(
            Person.enrolled_at.is_not(None),
            Person.enrolled_at <= cutoff,
            Person.erased_at.is_(None),
            or_(_words_left(Person.id), answers_left, alert_words),
        )
        .limit(BATCH)
    ).all()
    if not ids:
        return 0
    _empty_messages(session, ids, cancel=False)
    theirs = select(Alert.id).where(Alert.person_id.in_(ids)).scalar_subquery()
    session.execute(
        update(AlertMessage).where(AlertMessage.alert_id.in_(theirs)).values(detail=None)
    )
    session.execute(
        update(Alert).where(Alert.person_id.in_(ids)).values(detail=None, close_note=None)
    )
    for instrument, questions in free_text.items():
        responses = select(SurveyResponse.id).where(
            SurveyResponse.person_id.in_(ids), SurveyResponse.instrument == instrument
        )
        session.execute(
            update(Answer)
            .where(Answer.response_id.in_(responses.scalar_subquery()))
            .where(Answer.question_id.in_(questions))
            .values(value=null())  # SQL NULL, not JSON null: the round after finds none
        )
    for person_id in ids:
        audit(session, SYSTEM, "retention.enrolled", person_id, now)
    return len(ids)


def _empty_messages(session: Session, person_ids: list[int], cancel: bool) -> None:
    session.execute(
        update(Inbound).where(Inbound.person_id.in_(person_ids)).values(text=None, choice=None)
    )
    if cancel:
        # Not yet sent: nothing to keep, nothing to send (the person may start again).
        session.execute(
            update(Outbound)
            .where(Outbound.person_id.in_(person_ids), Outbound.status.in_(UNDER_WAY))
            .values(status=OutboundStatus.CANCELLED, error="retention")
        )
    session.execute(
        update(Outbound)
        .where(
            Outbound.person_id.in_(person_ids),
            and_(Outbound.status.not_in(UNDER_WAY), Outbound.body != ""),
        )
        .values(body="", choices=[])
    )


def _free_text(content: Content) -> dict[str, list[str]]:
    """Per survey, the answers that are the person's own words (bot/followup/responses.py)."""
    found: dict[str, list[str]] = {}
    for instrument, answer_id in sorted(free_text_answers(content)):
        found.setdefault(instrument, []).append(answer_id)
    return found


def _any_free_text(free_text: dict[str, list[str]]):
    """SQL over Answer joined to its SurveyResponse: the answer is one of `free_text`."""
    return or_(
        false(),
        *(
            and_(SurveyResponse.instrument == instrument, Answer.question_id.in_(questions))
            for instrument, questions in free_text.items()
        ),
    )

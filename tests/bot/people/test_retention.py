"""Retention under a frozen clock: before consent, words are kept 72 hours; for enrolled
people, the programme's duration plus 12 months from enrolment. Housekeeping empties what is
older; counts, choices and scores stay; a second round changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlmodel import select

from bot.db import transaction
from bot.models import Alert, Answer, Conversation, Inbound, Outbound, SurveyResponse
from bot.people import retention
from tests.builders import enrol_on_telegram

SECRET = "I am Awa from Thies, I came back from Libya, I owe 300000 to the smuggler"


def _enforce(stack) -> dict[str, int]:
    """What a housekeeping round does (bot/workers.py)."""
    return stack.services.enforce_retention()


def _texts(stack, person_id: int) -> list:
    with transaction(stack.engine) as session:
        inbound = session.exec(select(Inbound.text).where(Inbound.person_id == person_id)).all()
        outbound = session.exec(select(Outbound.body).where(Outbound.person_id == person_id)).all()
        return [t for t in inbound if t] + [b for b in outbound if b]


async def test_words_of_someone_who_never_consents_go_after_72_hours(stack):
    await stack.tg_says(701, "hi")
    await stack.tg_says(701, SECRET)  # not a language: asked again, the words are stored
    person = stack.person("telegram", "701")
    assert SECRET in _texts(stack, person.id)
    stack.clock.advance(hours=71)
    assert _enforce(stack)["unconsented"] == 0
    assert SECRET in _texts(stack, person.id)
    stack.clock.advance(hours=2)
    assert _enforce(stack)["unconsented"] == 1
    assert _texts(stack, person.id) == []
    assert stack.conversation(person.id).flow is None
    again = stack.person("telegram", "701")
    assert again.opted_out_at is None  # not a refusal: they may still come
    assert _enforce(stack) == {"unconsented": 0, "enrolled": 0}
    replies = await stack.tg_says(701, "hello")
    assert replies  # onboarding starts afresh


async def test_someone_who_consented_keeps_their_words(stack):
    person = await enrol_on_telegram(stack, 702, "2026-10-01")
    stack.clock.advance(hours=80)
    assert _enforce(stack)["unconsented"] == 0
    assert _texts(stack, person.id)


async def test_an_enrolled_persons_words_go_two_years_after_enrolment(stack):
    person = await enrol_on_telegram(stack, 703, "2026-10-01")
    await stack.tg_says(703, "he beat me again last night")
    with transaction(stack.engine) as session:
        response = SurveyResponse(
            person_id=person.id, instrument="feedback", version=1, completed_on=date(2026, 12, 1)
        )
        session.add(response)
        session.flush()
        session.add(Answer(response_id=response.id, question_id="comment", value=SECRET))
        session.add(Answer(response_id=response.id, question_id="satisfied", value=4, score=0.75))
    stack.clock.advance(days=700)
    assert _enforce(stack)["enrolled"] == 0
    assert _texts(stack, person.id)
    stack.clock.advance(days=40)  # 24 months (and a little) after enrolment
    assert _enforce(stack)["enrolled"] == 1
    assert _texts(stack, person.id) == []
    with transaction(stack.engine) as session:
        answers = dict(session.exec(select(Answer.question_id, Answer.value)).all())
        alerts = session.exec(select(Alert).where(Alert.person_id == person.id)).all()
        assert answers == {"comment": None, "satisfied": 4}  # the choice and score stay
        assert alerts and all(a.detail is None for a in alerts)
        assert session.exec(select(Conversation).where(Conversation.person_id == person.id)).one()
    assert _enforce(stack) == {"unconsented": 0, "enrolled": 0}


async def test_the_periods_are_programme_settings(sqlite_stack):
    stack = sqlite_stack
    content = stack.services.content
    programme = {**content.programme, "retention": {"unconsented_hours": 24}}
    stack.services.content = replace(content, programme=programme)
    assert retention.Retention.of(stack.services.content).unconsented == timedelta(hours=24)
    await stack.tg_says(704, "hi")
    await stack.tg_says(704, SECRET)
    stack.clock.advance(hours=25)
    assert _enforce(stack)["unconsented"] == 1


async def test_someone_in_the_middle_of_onboarding_keeps_their_place_not_their_words(stack):
    await stack.tg_says(705, "hi")
    stack.clock.advance(hours=80)
    await stack.tg_says(705, SECRET)  # still choosing a language, three days on
    person = stack.person("telegram", "705")
    before = stack.conversation(person.id)
    assert _enforce(stack)["unconsented"] == 1
    assert _texts(stack, person.id) == []
    after = stack.conversation(person.id)
    assert (after.flow, after.step) == (before.flow, before.step)

"""After erasure no table holds the person's name, phone, chat id, messages or answers;
anonymous aggregates stay, and the rest of the programme is untouched."""

from __future__ import annotations

from datetime import date

from sqlalchemy import inspect, text
from sqlmodel import select

from bot.broadcasts import send
from bot.casework.corrections import correct_profile
from bot.casework.erasure import erase_person
from bot.db import transaction
from bot.followup.responses import record_response
from bot.models import (
    Alert,
    Answer,
    Contact,
    FeedbackRespondent,
    Outbound,
    Person,
    ScheduledPrompt,
    SurveyResponse,
)
from bot.people.filters import PeopleFilter
from flows.followup.effects import RecordResponse
from tests.builders import add_staff

CHAT = 730_418_265_093  # a 64-bit Telegram chat id, unlike any other number in the tables
PHONE = "+221778642019"
NAME = "Zeynabou Thiam"
SECRETS = (
    NAME,
    str(CHAT),
    PHONE,
    PHONE.lstrip("+"),
    "Quartier Sangalkam-Ndiakhirate",  # the place they typed as "other"
    "my brother's debts at Ndiakhirate",  # a message to the team
    "the mentor was kind to my daughter Awa",  # a free-text feedback answer
    "trafficking",  # her plan's name, and the need it came from
)


async def onboard_someone(stack) -> int:
    """Zeynabou onboards on Telegram, names a place of her own, writes to the team, and
    also texts from her phone."""
    staff = add_staff(stack, "fatou@example.org", "facilitator")
    for said in ["hi", "1", "yes", "yes", NAME, "1", "6", "Quartier Sangalkam-Ndiakhirate",
                 "05/2026", "1", "3", "2", "1", "1"]:  # fmt: skip
        await stack.tg_says(CHAT, said)
    await stack.tg_says(CHAT, "my brother's debts at Ndiakhirate")
    person = stack.person("telegram", str(CHAT))
    assert person.status == "active" and person.district_other == "Quartier Sangalkam-Ndiakhirate"
    with transaction(stack.engine) as session:
        session.add(
            Contact(person_id=person.id, channel="sms", address=PHONE, created_at=stack.clock())
        )
    await stack.sms_says(PHONE, "Bonjour")
    with transaction(stack.engine) as session:
        me = session.get(Person, person.id)
        telegram = session.exec(select(Contact).where(Contact.address == str(CHAT))).one()
        record_response(
            session,
            me,
            telegram,
            RecordResponse(
                prompt_id=None,
                instrument="feedback",
                version=1,
                wave="m6",
                answers={
                    "satisfied": 4,
                    "helped": "mentor",
                    "comment": "the mentor was kind to my daughter Awa",
                },
                items={},
                dimensions={},
                composite=None,
            ),  # fmt: skip
            date(2026, 11, 24),
        )
        record_response(
            session,
            me,
            telegram,
            RecordResponse(
                prompt_id=None,
                instrument="reintegration",
                version=1,
                wave="m3",
                answers={"work": "sometimes", "safe": "yes"},
                items={"work": 0.5, "safe": 1.0},
                dimensions={"economic": 0.5, "social": 1.0},
                composite=0.75,
            ),  # fmt: skip
            date(2026, 11, 24),
        )
        session.add(Alert(person_id=me.id, reason="phrase", severity="high",
                          detail="said: my brother's debts at Ndiakhirate",
                          due_at=stack.clock(), created_at=stack.clock()))  # fmt: skip
        # Staff learnt in counselling that she survived trafficking: a denser plan.
        correct_profile(session, me, stack.services.content, staff, stack.clock(), {},
                        vulnerabilities=["trafficking"])  # fmt: skip
        # A broadcast found her by searching her name.
        filters = PeopleFilter(q=NAME)
        send(session, staff_id=staff, texts={"en": "The office is closed on Friday."},
             audience_filter=filters.as_dict(), conditions=filters.conditions(),
             content=stack.services.content, now=stack.clock())  # fmt: skip
    return person.id


def everything_stored(engine) -> str:
    """Every value of every column of every table, as text."""
    dump = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                dump.append(f"{table}: " + " | ".join(str(value) for value in row))
    return "\n".join(dump)


async def test_erasure_leaves_nothing_of_the_person_in_any_table(stack):
    person_id = await onboard_someone(stack)
    other = stack.person("telegram", "1")  # nobody: prove the scan sees real data first
    assert other is None
    before = everything_stored(stack.engine)
    for secret in SECRETS:
        assert secret in before, f"the test data should hold {secret!r} before erasure"
    with transaction(stack.engine) as session:
        erase_person(
            session,
            session.get(Person, person_id),
            stack.services.content,
            "staff:1",
            stack.clock(),
            stack.services.erasers,
        )
    after = everything_stored(stack.engine)
    for secret in SECRETS:
        assert secret not in after, f"{secret!r} survived erasure"
    with transaction(stack.engine) as session:
        person = session.get(Person, person_id)
        assert (person.status, person.display_name, person.erased_at) == (
            "erased",
            None,
            stack.clock(),
        )
        assert session.exec(select(FeedbackRespondent)).all() == []
        assert all(row.body == "" for row in session.exec(select(Outbound)).all())
        assert all(
            row.status in ("answered", "missed", "skipped", "cancelled", "superseded")
            for row in session.exec(
                select(ScheduledPrompt).where(ScheduledPrompt.person_id == person_id)
            ).all()
        )
        # Aggregates keep their anonymous, closed answers.
        responses = session.exec(select(SurveyResponse)).all()
        assert {(r.instrument, r.person_id, r.anonymous) for r in responses} == {
            ("feedback", None, True),
            ("reintegration", None, True),
        }
        assert {r.completed_on for r in responses} == {date(2026, 11, 1)}
        kept = {(a.question_id, str(a.value)) for a in session.exec(select(Answer)).all()}
        assert kept == {
            ("satisfied", "4"),
            ("helped", "mentor"),
            ("work", "sometimes"),
            ("safe", "yes"),
        }


async def test_writing_again_after_erasure_starts_afresh(sqlite_stack):
    stack = sqlite_stack
    person_id = await onboard_someone(stack)
    with transaction(stack.engine) as session:
        erase_person(
            session,
            session.get(Person, person_id),
            stack.services.content,
            "staff:1",
            stack.clock(),
            stack.services.erasers,
        )
    replies = await stack.tg_says(CHAT, "hello")
    assert replies and "language" in replies[0].lower()
    newcomer = stack.person("telegram", str(CHAT))
    assert newcomer.id != person_id and newcomer.display_name is None


async def test_erasing_twice_changes_nothing_more(sqlite_stack):
    stack = sqlite_stack
    person_id = await onboard_someone(stack)
    for _ in range(2):
        with transaction(stack.engine) as session:
            erase_person(
                session,
                session.get(Person, person_id),
                stack.services.content,
                "staff:1",
                stack.clock(),
                stack.services.erasers,
            )
    with transaction(stack.engine) as session:
        from bot.models import AuditLog

        erased = session.exec(select(AuditLog).where(AuditLog.action == "person.erased")).all()
        assert len(erased) == 1

"""A broadcast that asks for replies ("reply if you want to come"): what people write back
in its window reaches the inbox for a person to read, even when a check-in question was open
(which stays open); outside the window, or for a broadcast that asked nothing, the reply is
what it always was. A cry for help inside such a reply is still a cry for help."""

from __future__ import annotations

from sqlmodel import select

from bot import broadcasts
from bot.db import transaction
from bot.models import Alert, Inbound
from tests.builders import add_staff, reach_survey

CHAT = 9301
EVERYONE = [True]


async def _broadcast(stack, reply_days: int) -> None:
    staff_id = add_staff(stack, "admin@example.org", "admin")
    with transaction(stack.engine) as session:
        broadcasts.send(
            session, staff_id=staff_id,
            texts={"en": "A job fair on Saturday at 10. Reply if you want to come."},
            audience_filter={}, conditions=EVERYONE, content=stack.services.content,
            now=stack.clock(), reply_days=reply_days,
        )  # fmt: skip
    await stack.work()


def _inbox(stack) -> list[Inbound]:
    with transaction(stack.engine) as session:
        rows = session.exec(select(Inbound).where(Inbound.handoff.is_not(None))).all()
        session.expunge_all()
        return list(rows)


async def test_a_reply_to_a_broadcast_reaches_the_inbox_and_the_check_in_stays_open(stack):
    person_id = await reach_survey(stack, CHAT)
    await _broadcast(stack, reply_days=3)
    assert stack.telegram_api.sent_to(CHAT)[-1].text.startswith("A job fair on Saturday")
    said = await stack.tg_says(CHAT, "Yes I will come with my brother")
    assert said == ["Thank you! Your reply has been passed on to our team."]
    [reply] = _inbox(stack)
    assert reply.handoff == "broadcast_reply" and reply.text.startswith("Yes I will come")
    conversation = stack.conversation(person_id)
    assert conversation.flow == "followup" and conversation.step is not None
    # The next message is the survey's again: the reply window ended with the thanks.
    again = await stack.tg_says(CHAT, "2")
    assert again and "Thank you! Your reply" not in again[-1]


async def test_without_a_reply_window_a_broadcast_reply_is_read_as_before(stack):
    await reach_survey(stack, CHAT)
    await _broadcast(stack, reply_days=0)
    said = await stack.tg_says(CHAT, "Yes I will come")
    assert "passed on to our team" not in " ".join(said)
    assert not [r for r in _inbox(stack) if r.handoff == "broadcast_reply"]


async def test_after_the_window_the_reply_goes_where_it_always_went(stack):
    await reach_survey(stack, CHAT)
    await _broadcast(stack, reply_days=2)
    stack.clock.advance(days=3)
    said = await stack.tg_says(CHAT, "yes")
    assert "passed on to our team" not in " ".join(said)


async def test_a_cry_for_help_in_a_reply_is_still_a_cry_for_help(stack):
    await reach_survey(stack, CHAT)
    await _broadcast(stack, reply_days=3)
    await stack.tg_says(CHAT, "I can't come, I want to kill myself")
    assert "broadcast_reply" not in {r.handoff for r in _inbox(stack)}
    with transaction(stack.engine) as session:
        alerts = session.exec(select(Alert)).all()
    assert [a.severity for a in alerts] == ["high"]  # the cry for help, at once

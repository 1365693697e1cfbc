"""Refresher reminders: a month before a mentor's training lapses the mentor is told and
their facilitator gets a low alert; once per due date; again on the day it lapses."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.db import transaction
from bot.models import Alert, MentoringTask
from tests.builders import add_mentor, add_staff


async def test_a_refresher_falling_due_reminds_the_mentor_and_their_facilitator(sqlite_stack):
    stack = sqlite_stack
    facilitator = add_staff(stack, "fac@example.org", "facilitator")
    add_mentor(  # trained 2025-12-10: the refresher is due 2026-12-10, 16 days away
        stack, "Amina", trained_on=date(2025, 12, 10), facilitator_id=facilitator,
        address="+221770000301",
    )  # fmt: skip
    add_mentor(stack, "Fresh", trained_on=date(2026, 10, 1), address="+221770000302")
    assert stack.services.remind_refreshers() == 1
    assert stack.services.remind_refreshers() == 0  # once per due date
    await stack.tick()
    sent = [m.body for m in stack.twilio_api.sent_to("+221770000301")]
    assert any("2026-12-10" in body and "refresher" in body for body in sent)
    assert stack.twilio_api.sent_to("+221770000302") == []
    with transaction(stack.engine) as session:
        alert = session.exec(select(Alert).where(Alert.reason == "mentor_refresher_due")).one()
        assert (alert.severity, alert.owner_id) == ("low", facilitator)
    # The day it lapses: one more reminder.
    stack.clock.advance(days=17)
    assert stack.services.remind_refreshers() == 1
    with transaction(stack.engine) as session:
        keys = sorted(t.key for t in session.exec(select(MentoringTask)))
        assert [k.rsplit(":", 1)[1] for k in keys] == ["lapsed", "soon"]


async def test_a_task_that_fails_waits_an_hour_and_holds_back_no_other(sqlite_stack):
    stack = sqlite_stack
    now = stack.clock()
    with transaction(stack.engine) as session:
        session.add(MentoringTask(key="bad:1", kind="no such kind", due_at=now, created_at=now))
    add_mentor(stack, "Amina", trained_on=date(2025, 12, 10), address="+221770000401")
    stack.services.remind_refreshers()
    await stack.tick()
    assert stack.twilio_api.sent_to("+221770000401"), "the good row went"
    with transaction(stack.engine) as session:
        bad = session.exec(select(MentoringTask).where(MentoringTask.key == "bad:1")).one()
        assert bad.status == "pending" and bad.due_at > stack.clock()

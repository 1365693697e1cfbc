"""One daily cap over every programme-initiated message, whichever domain queued it: a
broadcast counts against follow-up prompts and prompts count against a broadcast. Replies
to what the person writes and safety messages are never capped."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot import broadcasts
from bot.db import transaction
from bot.followup.plans import enrol
from bot.models import Outbound, Person, ScheduledPrompt
from tests.builders import add_person, add_staff

MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Dakar is UTC: inside the window


def _enrolled(stack, name: str) -> int:
    person_id = add_person(stack, name, return_date=datetime(2026, 10, 1).date())
    with transaction(stack.engine) as session:
        person = session.get(Person, person_id)
        person.plan = None
        enrol(session, person, stack.services.content, stack.clock())
        # Two of their prompts fall due now.
        rows = session.exec(
            select(ScheduledPrompt)
            .where(ScheduledPrompt.person_id == person_id, ScheduledPrompt.status == "pending")
            .order_by(ScheduledPrompt.due_at)
        ).all()
        for row in rows[:2]:
            row.due_at = stack.clock()
    return person_id


def _broadcast(stack, staff_id: int, person_id: int) -> None:
    with transaction(stack.engine) as session:
        broadcasts.send(
            session,
            staff_id=staff_id,
            texts={"en": "The office is closed on Friday."},
            audience_filter={},
            conditions=[Person.id == person_id],
            content=stack.services.content,
            now=stack.clock(),
        )


def _initiated(stack, person_id: int) -> list[tuple[str, datetime]]:
    with transaction(stack.engine) as session:
        rows = session.exec(
            select(Outbound.origin, Outbound.initiated_at)
            .where(Outbound.person_id == person_id, Outbound.initiated_at.is_not(None))
            .order_by(Outbound.initiated_at, Outbound.id)
        ).all()
        return [(origin, at) for origin, at in rows]


def _prompt_times(stack, person_id: int) -> list[datetime | None]:
    with transaction(stack.engine) as session:
        return [
            row.fired_at
            for row in session.exec(
                select(ScheduledPrompt)
                .where(ScheduledPrompt.person_id == person_id)
                .order_by(ScheduledPrompt.due_at, ScheduledPrompt.id)
            ).all()
        ]


async def test_a_broadcast_counts_toward_the_cap_on_follow_up_prompts(sqlite_stack):
    stack = sqlite_stack
    stack.clock.now = MORNING
    staff = add_staff(stack, "admin@example.org", "admin")
    person_id = _enrolled(stack, "Awa")
    _broadcast(stack, staff, person_id)
    await stack.tick()
    # The broadcast and one prompt today (two a day is the most); the other prompt waits.
    sent = _initiated(stack, person_id)
    assert [origin for origin, _ in sent][:1] == ["broadcast"]
    assert len([at for _, at in sent if at.date() == MORNING.date()]) == 2
    with transaction(stack.engine) as session:
        held = session.exec(
            select(ScheduledPrompt).where(
                ScheduledPrompt.person_id == person_id,
                ScheduledPrompt.status == "pending",
                ScheduledPrompt.due_at > MORNING,
                ScheduledPrompt.due_at < datetime(2026, 11, 26, tzinfo=UTC),
            )
        ).all()
        assert [row.due_at for row in held] == [datetime(2026, 11, 25, 9, 0, tzinfo=UTC)]


async def test_prompts_count_toward_the_cap_on_a_broadcast(sqlite_stack):
    stack = sqlite_stack
    stack.clock.now = MORNING
    staff = add_staff(stack, "admin@example.org", "admin")
    person_id = _enrolled(stack, "Binta")
    await stack.tick()  # the first prompt fires (the second waits behind its conversation)
    with transaction(stack.engine) as session:
        # A reminder later today brings them to the cap.
        row = session.exec(
            select(ScheduledPrompt).where(
                ScheduledPrompt.person_id == person_id, ScheduledPrompt.status == "open"
            )
        ).one()
        row.reminder_due_at = MORNING.replace(hour=15)
    stack.clock.now = MORNING.replace(hour=15)
    await stack.tick()
    assert len(_initiated(stack, person_id)) == 2
    _broadcast(stack, staff, person_id)
    with transaction(stack.engine) as session:
        row = session.exec(select(Outbound).where(Outbound.origin == "broadcast")).one()
        # Not today: the first daytime moment of tomorrow.
        assert (row.next_attempt_at, row.initiated_at) == (
            datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
            datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        )


async def test_replies_are_never_capped(sqlite_stack):
    stack = sqlite_stack
    stack.clock.now = MORNING
    number = "+221770001122"
    for said in ("Bonjour", "2", "STOP", "START", "MENU"):
        await stack.sms_says(number, said)
    person = stack.person("sms", number)
    with transaction(stack.engine) as session:
        replies = session.exec(select(Outbound).where(Outbound.person_id == person.id)).all()
        assert len(replies) > 4
        assert all(row.initiated_at is None for row in replies)


async def test_a_message_never_sent_takes_no_room(sqlite_stack):
    stack = sqlite_stack
    stack.clock.now = MORNING
    staff = add_staff(stack, "admin@example.org", "admin")
    person_id = add_person(stack, "Coumba")
    for _ in range(2):
        _broadcast(stack, staff, person_id)
    with transaction(stack.engine) as session:
        sent = session.exec(select(Outbound).where(Outbound.person_id == person_id)).all()
        # Two broadcasts fill today; STOP then cancels what had not gone out yet.
        assert {row.initiated_at for row in sent} == {MORNING}
        for row in sent:
            row.status = "cancelled"
    _broadcast(stack, staff, person_id)
    with transaction(stack.engine) as session:
        latest = session.exec(select(Outbound).order_by(Outbound.id.desc())).first()
        assert latest.initiated_at == MORNING

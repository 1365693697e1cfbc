"""Two members answering the poll at the same instant are both counted, on SQLite and
PostgreSQL: each answer is its own row (an upsert per member and time), so neither
transaction waits for or overwrites the other's."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from bot.db import transaction
from bot.groups import polls
from bot.models import GroupMember
from tests.bot.groups import helpers as g
from tests.builders import add_person

TIMES = [datetime(2026, 12, 1, 17, tzinfo=UTC), datetime(2026, 12, 3, 10, tzinfo=UTC)]


async def test_two_members_answering_at_once_are_both_counted(stack):
    people = [add_person(stack, f"Member {n}") for n in range(2)]
    gid = g.create_group(stack)
    for person in people:
        g.invite(stack, gid, person)
    with transaction(stack.engine) as session:
        for member in session.query(GroupMember).all():
            member.status = "joined"
    poll = g.open_poll(stack, gid, TIMES)
    start = threading.Barrier(len(people))
    errors = []

    def answer(person_id: int, answers: dict[int, str]) -> None:
        try:
            start.wait()
            with transaction(stack.engine) as session:
                polls.record_answers(session, gid, poll, person_id, answers, stack.clock())
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)

    threads = [
        threading.Thread(target=answer, args=(people[0], {1: "yes", 2: "no"})),
        threading.Thread(target=answer, args=(people[1], {1: "yes", 2: "maybe"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    view = g.tally(stack, gid)
    assert [(s.tally.yes, s.tally.maybe, s.tally.no) for s in view.slots] == [(2, 0, 0), (0, 1, 1)]
    assert view.answered == 2 and view.best == 1


async def test_answering_again_replaces_the_earlier_answer(sqlite_stack):
    stack = sqlite_stack
    person = add_person(stack, "Awa")
    gid = g.create_group(stack)
    g.invite(stack, gid, person)
    with transaction(stack.engine) as session:
        session.query(GroupMember).one().status = "joined"
    poll = g.open_poll(stack, gid, TIMES)
    for answers in ({1: "yes", 2: "yes"}, {1: "no", 2: "maybe"}):
        with transaction(stack.engine) as session:
            polls.record_answers(session, gid, poll, person, answers, stack.clock())
    view = g.tally(stack, gid)
    assert [(s.tally.yes, s.tally.maybe, s.tally.no) for s in view.slots] == [(0, 0, 1), (0, 1, 0)]

"""The demo data (`serve --demo`): staff logins, people, and a mentor network where matching
has something to show: trained mentors, one still applying, people waiting."""

from __future__ import annotations

from sqlmodel import select

from bot.db import transaction
from bot.demo import seed_demo
from bot.mentoring.matching import run_matching
from bot.models import Mentor, MentorRequest, Person


async def test_the_demo_shows_matching_work_and_seeds_once(sqlite_stack):
    stack = sqlite_stack
    seed_demo(stack.services)
    seed_demo(stack.services)  # safe on every start
    with transaction(stack.engine) as session:
        mentors = session.exec(select(Mentor)).all()
        assert sorted(m.status for m in mentors) == ["applied", "approved", "approved"]
        assert len(session.exec(select(MentorRequest)).all()) == 2
        run = run_matching(session, stack.services.content, stack.clock(), actor="demo")
        names = {p.id: p.display_name for p in session.exec(select(Person))}
        by_person = {m.id: names[m.person_id] for m in mentors}
        pairs = {(names[p.mentee_id], by_person[p.mentor_id]) for p in run.assignment.proposals}
    assert pairs == {("Amina", "Grace"), ("Youssef", "Ibrahima")}


async def test_the_demo_has_a_forming_group_polling_and_an_active_one_with_meetings_held(
    sqlite_stack,
):
    from bot.groups import polls, views
    from bot.models import PeerGroup

    stack = sqlite_stack
    seed_demo(stack.services)
    seed_demo(stack.services)
    with transaction(stack.engine) as session:
        groups = {g.name: g for g in session.exec(select(PeerGroup))}
        assert len(groups) == 2
        forming = groups["Cercle de Dakar-Centre"]
        assert forming.status == "forming"
        poll = polls.view(session, forming.id, stack.clock())
        assert poll.open and poll.answered == 2 and poll.best == 1
        active = groups["Groupe du jeudi"]
        page = views.group_page(session, active, stack.services.content, stack.clock())
        assert active.status == "active" and active.leader_name
        held = [m for m in page.meetings if m.meeting.status == "held"]
        assert [(m.attended, m.absent) for m in held] == [(3, 0), (2, 1)]
        assert len([m for m in page.meetings if m.meeting.status == "scheduled"]) == 2

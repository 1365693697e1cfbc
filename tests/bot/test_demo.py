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


async def test_the_demo_has_a_savings_group_part_way_through_with_a_late_repayment(sqlite_stack):
    from bot.models import SavingsGroup
    from bot.savings import views

    stack = sqlite_stack
    seed_demo(stack.services)
    seed_demo(stack.services)
    with transaction(stack.engine) as session:
        (group,) = session.exec(select(SavingsGroup)).all()
        page = views.group_page(session, group, stack.services.content, stack.clock())
        held = [m for m in page.meetings if m.recorded_at is not None]
        ahead = [m for m in page.meetings if m.recorded_at is None]
        assert len(held) == 8 and ahead
        assert page.box.balances and page.box.total_savings > 0
        health = page.health
        # 3,000 over 3 months, flat: the first instalment paid, the second over 30 days late.
        assert health.repayment_rate is not None and health.repayment_rate < 1
        assert health.portfolio_at_risk is not None and health.portfolio_at_risk > 0
        assert health.attendance is not None and health.attendance < 1
        # Below the programme's threshold: the facilitator has an alert to offer support.
        from bot.models import Alert

        alerts = session.exec(select(Alert).where(Alert.reason == "savings_repayment")).all()
        assert len(alerts) == 1 and alerts[0].owner_id == group.facilitator_id


async def test_the_demo_crowd_fills_the_results_above_the_small_cell_threshold(sqlite_stack):
    from bot.models import SurveyResponse
    from bot.results.aggregates import MIN_CELL

    stack = sqlite_stack
    seed_demo(stack.services)
    seed_demo(stack.services)  # once
    with transaction(stack.engine) as session:
        crowd = session.exec(select(Person).where(Person.public_id.like("democrowd%"))).all()
        assert len(crowd) == 60
        waves = {}
        for response in session.exec(select(SurveyResponse)):
            waves[response.wave] = waves.get(response.wave, 0) + 1
    assert waves.get("m3", 0) >= 4 * MIN_CELL and waves.get("m6", 0) >= 2 * MIN_CELL
    assert waves.get("m12", 0) >= MIN_CELL

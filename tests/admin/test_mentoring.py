"""The Mentors and Matching pages as staff use them: register a volunteer from their page,
record screening and training, approve; run matching, read why each proposal was made and
why someone got none, approve; the mentor is asked. Facilitators see only their own
mentees' proposals."""

from __future__ import annotations

from sqlmodel import select

from bot.db import transaction
from bot.models import Mentor, MentoringTask, MentorMatch, MentorPulse, MentorRequest
from tests.builders import add_person, ask_for_mentor

TRAINED = {
    "status": "approved",
    "capacity": "2",
    "screened_on": "2026-10-01",
    "trained_on": "2026-10-05",
    "training_days": "3",
    "languages": "wo, fr",
    "skills": ["business", "job"],
}


async def _register(browser, stack, person_id: int) -> int:
    response = await browser.post(f"/admin/people/{person_id}/mentor")
    assert response.status_code == 303, response.text
    with transaction(stack.engine) as session:
        return session.exec(select(Mentor).where(Mentor.person_id == person_id)).one().id


async def test_a_volunteer_is_registered_trained_approved_and_matched(sqlite_stack, team, browsers):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    amina = add_person(stack, "Amina Diallo", facilitator_id=team.facilitator, district="north")
    awa = add_person(
        stack, "Awa Ndiaye", facilitator_id=team.facilitator, district="north", sector="trade"
    )
    mentor_id = await _register(fatou, stack, amina)

    # Not screened or trained yet: approval is refused with a reason.
    early = await fatou.post(f"/admin/mentors/{mentor_id}", {"status": "approved", "capacity": "2"})
    assert early.status_code == 400 and "screening" in early.text
    saved = await fatou.post(f"/admin/mentors/{mentor_id}", TRAINED)
    assert saved.status_code == 303, saved.text
    page = await fatou.get("/admin/mentors")
    assert "Amina Diallo" in page.text and "Current" in page.text and "0 / 2" in page.text
    # Mentors are a people filter, so a broadcast can go to them.
    listed = await fatou.get("/admin/people?flag=mentor_ready")
    assert "Amina Diallo" in listed.text and "Awa Ndiaye" not in listed.text

    # Asked for a mentor on Awa's behalf; matching proposes Amina and says why.
    asked = await fatou.post(f"/admin/people/{awa}/mentor-request", {"prefers_sector": "yes"})
    assert asked.status_code == 303
    ran = await fatou.post("/admin/matching/run", {"district": "north"})
    assert ran.status_code == 303
    page = await fatou.get("/admin/matching?district=north")
    assert "Awa Ndiaye" in page.text and "Amina Diallo" in page.text
    assert "can help with what they want" not in page.text  # Awa wants nothing in particular
    with transaction(stack.engine) as session:
        (match,) = session.exec(select(MentorMatch)).all()
    approved = await fatou.post(f"/admin/matches/{match.id}/approve", {"district": "north"})
    assert approved.status_code == 303
    with transaction(stack.engine) as session:
        assert session.get(MentorMatch, match.id).status == "offered"
        assert session.exec(select(MentoringTask)).one().kind == "offer"
    await stack.tick()
    offer = stack.twilio_api.sent_to(f"+22177{amina:07d}")[-1].body
    assert "Awa" in offer and "Ndiaye" not in offer
    person_page = await fatou.get(f"/admin/people/{awa}")
    assert "Mentor Amina Diallo: Mentor asked." in person_page.text


async def test_someone_without_a_mentor_is_told_why_in_plain_words(sqlite_stack, team, browsers):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    rania = add_person(
        stack, "Rania", facilitator_id=team.facilitator, district="north", language="ar"
    )
    ask_for_mentor(stack, rania)
    amina = add_person(stack, "Amina", facilitator_id=team.facilitator, district="north")
    mentor_id = await _register(fatou, stack, amina)
    await fatou.post(f"/admin/mentors/{mentor_id}", {**TRAINED, "languages": "fr"})
    await fatou.post("/admin/matching/run", {})
    page = await fatou.get("/admin/matching")
    assert "no trained mentor in North who speaks Arabic." in page.text


async def test_facilitators_review_only_their_own_mentees(sqlite_stack, team, browsers):
    stack = sqlite_stack
    admin = await browsers("admin@example.org")
    mine = add_person(stack, "Mine", facilitator_id=team.facilitator, district="north")
    theirs = add_person(stack, "Theirs", facilitator_id=team.other_facilitator, district="north")
    for person in (mine, theirs):
        ask_for_mentor(stack, person)
    mentor_id = await _register(admin, stack, add_person(stack, "Volunteer", district="north"))
    await admin.post(f"/admin/mentors/{mentor_id}", TRAINED)
    await admin.post("/admin/matching/run", {})
    fatou = await browsers("fatou@example.org")
    page = await fatou.get("/admin/matching")
    assert "Mine" in page.text and "Theirs" not in page.text
    with transaction(stack.engine) as session:
        theirs_match = session.exec(
            select(MentorMatch).where(MentorMatch.mentee_id == theirs)
        ).one()
    refused = await fatou.post(f"/admin/matches/{theirs_match.id}/approve", {})
    assert refused.status_code == 404
    everything = await fatou.post("/admin/matching/approve", {"match": [str(theirs_match.id)]})
    assert everything.status_code == 303
    with transaction(stack.engine) as session:
        assert session.get(MentorMatch, theirs_match.id).status == "proposed"
        assert session.exec(select(MentorRequest)).all()


async def test_a_proposal_is_edited_to_another_suitable_mentor(sqlite_stack, team, browsers):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    awa = add_person(
        stack, "Awa", facilitator_id=team.facilitator, district="north", sector="trade"
    )
    ask_for_mentor(stack, awa)
    best = await _register(
        fatou,
        stack,
        add_person(
            stack, "Best", facilitator_id=team.facilitator, district="north", sector="trade"
        ),
    )
    other = await _register(
        fatou, stack, add_person(stack, "Other", facilitator_id=team.facilitator, district="north")
    )
    far = await _register(
        fatou, stack, add_person(stack, "Far", facilitator_id=team.facilitator, district="south")
    )
    for mentor_id in (best, other, far):
        await fatou.post(f"/admin/mentors/{mentor_id}", TRAINED)
    await fatou.post("/admin/matching/run", {})
    with transaction(stack.engine) as session:
        (match,) = session.exec(select(MentorMatch)).all()
    assert match.mentor_id == best
    page = await fatou.get("/admin/matching")
    assert f'<option value="{other}">' in page.text and f'<option value="{far}">' not in page.text
    # A mentor in another district is refused; the one offered is taken, with its own score.
    refused = await fatou.post(f"/admin/matches/{match.id}/mentor", {"mentor": str(far)})
    assert "done=nothing" in refused.headers["location"]
    changed = await fatou.post(f"/admin/matches/{match.id}/mentor", {"mentor": str(other)})
    assert "done=changed" in changed.headers["location"]
    with transaction(stack.engine) as session:
        row = session.get(MentorMatch, match.id)
        # Same age band, not the same sector: the new pair's own parts.
        assert (row.mentor_id, row.score) == (other, 110)
        assert row.parts == [["matched", 100], ["age", 10]]


async def test_matches_under_way_show_their_pulses(sqlite_stack, team, browsers):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    awa = add_person(stack, "Awa", facilitator_id=team.facilitator, district="north")
    mentor_id = await _register(
        fatou, stack, add_person(stack, "Mentor", facilitator_id=team.facilitator, district="north")
    )
    with transaction(stack.engine) as session:
        match = MentorMatch(mentor_id=mentor_id, mentee_id=awa, status="active")
        session.add(match)
        session.flush()
        session.add(
            MentorPulse(
                match_id=match.id, kind="pulse", role="mentee", month=1, score=2,
                comment="She never answers", answered_at=stack.clock(),
            )
        )  # fmt: skip
    page = await fatou.get("/admin/matching")
    assert "m1: 2/5" in page.text and "She never answers" in page.text


async def test_results_show_pulses_and_evaluations_only_in_numbers_of_five_or_more(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    viewer = await browsers("victor@example.org")
    people = [
        (add_person(stack, f"Mentee {i}", district="north"), add_person(stack, f"Mentor {i}"))
        for i in range(6)
    ]
    with transaction(stack.engine) as session:
        for i, score in enumerate([4, 5, 3, 4, 4, 2]):
            mentee, mentor_person = people[i]
            mentor = Mentor(person_id=mentor_person)
            session.add(mentor)
            session.flush()
            match = MentorMatch(mentor_id=mentor.id, mentee_id=mentee, status="active")
            session.add(match)
            session.flush()
            session.add(MentorPulse(match_id=match.id, kind="pulse", role="mentee", month=1,
                                    score=score, answered_at=stack.clock()))  # fmt: skip
            if i < 2:  # two evaluations: too few to show
                session.add(MentorPulse(match_id=match.id, kind="evaluation", role="mentee",
                                        month=6, score=5, outcome="continue",
                                        answered_at=stack.clock()))  # fmt: skip
    page = await viewer.get("/admin/results")
    assert page.status_code == 200
    section = page.text.split('id="mentoring-h"', 1)[1]
    assert "Monthly pulse (mentees)" in section and "3.7" in section
    assert "End of cycle (mentees)" in section and "Hidden" in section.split("End of cycle")[1]
    assert "Mentee 0" not in page.text

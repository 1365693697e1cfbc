"""A matching run over the real tables, on SQLite and PostgreSQL: who is waiting, which
mentors are ready and have places, what was declined before; proposals written for staff
to review, every mentee left out told why."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.db import transaction
from bot.mentoring.matching import run_matching
from bot.models import Mentor, MentorConflict, MentorMatch, MentorRequest
from tests.builders import add_mentor, add_person, ask_for_mentor


def _run(stack, district=None):
    with transaction(stack.engine) as session:
        return run_matching(
            session, stack.services.content, stack.clock(), actor="test", district=district
        )


def _proposals(stack) -> set[tuple[int, int]]:
    with transaction(stack.engine) as session:
        return {
            (m.mentee_id, m.mentor_id)
            for m in session.exec(select(MentorMatch).where(MentorMatch.status == "proposed"))
        }


async def test_a_run_proposes_the_ready_mentors_and_says_why_for_the_rest(stack):
    amina = add_mentor(stack, "Amina", district="north", gender="woman", sector="trade")
    add_mentor(stack, "Lapsed", district="south", trained_on=date(2025, 1, 10))
    add_mentor(stack, "Applied", district="east", status="applied")
    fatou = add_person(stack, "Fatou", district="north", sector="trade")
    moussa = add_person(stack, "Moussa", district="south")
    awa = add_person(stack, "Awa", district="east")
    ibrahim = add_person(stack, "Ibrahim", district="north", language="ar")
    for person in (fatou, moussa, awa, ibrahim):
        ask_for_mentor(stack, person)

    run = _run(stack)

    assert _proposals(stack) == {(fatou, amina)}
    (proposal,) = run.assignment.proposals
    assert dict(proposal.parts)["same_sector"] == 25
    reasons = {u.mentee_id: (u.reason, u.params) for u in run.assignment.unmatched}
    assert reasons[moussa][0] == "no_mentor_in_area"  # only a mentor whose training lapsed
    assert reasons[awa][0] == "no_mentor_in_area"  # only one not yet approved
    assert reasons[ibrahim][0] == "no_shared_language"
    assert reasons[ibrahim][1]["language"] == "ar"
    with transaction(stack.engine) as session:
        row = session.exec(select(MentorMatch)).one()
        assert row.score == proposal.score and row.parts == [list(p) for p in proposal.parts]
        assert row.request_id is not None


async def test_a_new_run_replaces_what_staff_have_not_acted_on(stack):
    mentor = add_mentor(stack, "Amina", district="north", capacity=1)
    first = add_person(stack, "First", district="north")
    ask_for_mentor(stack, first)
    _run(stack)
    second = add_person(stack, "Second", district="north", sector="farming")
    ask_for_mentor(stack, second)
    # The first run's proposal holds no place: the mentor's one place goes to a new run.
    _run(stack)
    last = _run(stack, district="north")
    assert len(_proposals(stack)) == 1
    with transaction(stack.engine) as session:
        (row,) = session.exec(select(MentorMatch)).all()
        assert row.run == last.id and row.mentor_id == mentor


async def test_places_held_by_open_matches_and_past_refusals_count(stack):
    busy = add_mentor(stack, "Busy", district="north", capacity=1)
    other = add_mentor(stack, "Other", district="north", capacity=3)
    flagged = add_mentor(stack, "Flagged", district="west", capacity=3)
    paired = add_person(stack, "Paired", district="north")
    refused = add_person(stack, "Refused", district="north")
    feud = add_person(stack, "Feud", district="west")
    with transaction(stack.engine) as session:
        session.add(MentorMatch(mentor_id=busy, mentee_id=paired, status="active"))
        session.add(MentorMatch(mentor_id=other, mentee_id=refused, status="declined"))
        session.add(MentorConflict(mentor_id=flagged, person_id=feud))
    ask_for_mentor(stack, refused)
    ask_for_mentor(stack, feud)

    run = _run(stack)

    # Other was declined by this mentee before, and Busy, who would do, is full; Flagged is
    # the only mentor in the west, and in conflict with Feud.
    assert _proposals(stack) == set()
    reasons = {u.mentee_id: u.reason for u in run.assignment.unmatched}
    assert reasons == {refused: "all_full", feud: "declined_or_conflict"}


async def test_people_already_paired_or_gone_are_not_matched_again(stack):
    add_mentor(stack, "Amina", district="north", capacity=3)
    offered = add_person(stack, "Offered", district="north")
    stopped = add_person(stack, "Stopped", district="north", opted_out_at=stack.clock())
    ask_for_mentor(stack, offered)
    ask_for_mentor(stack, stopped)
    with transaction(stack.engine) as session:
        mentor = session.exec(select(Mentor)).one()
        session.add(MentorMatch(mentor_id=mentor.id, mentee_id=offered, status="offered"))
    run = _run(stack)
    assert run.assignment.proposals == () and run.assignment.unmatched == ()
    with transaction(stack.engine) as session:
        waiting = session.exec(select(MentorRequest).where(MentorRequest.status == "waiting"))
        assert len(waiting.all()) == 2

"""Erasing someone from the mentor network, as a mentee and as a mentor."""

from __future__ import annotations

from sqlmodel import select

from bot.casework.erasure import erase_person
from bot.db import transaction
from bot.models import Mentor, MentorConflict, MentorMatch, MentorRequest, Person
from tests.builders import add_mentor, add_person, ask_for_mentor


def _erase(stack, person_id: int) -> None:
    with transaction(stack.engine) as session:
        erase_person(
            session,
            session.get(Person, person_id),
            stack.services.content,
            "staff:1",
            stack.clock(),
            stack.services.erasers,
        )


async def test_a_mentee_erased_leaves_no_request_no_reasons_and_no_open_match(stack):
    mentor = add_mentor(stack, "Amina", district="north")
    mentee = add_person(stack, "Fatou", district="north")
    ask_for_mentor(stack, mentee, prefers_gender="woman", abroad_in="Libya")
    with transaction(stack.engine) as session:
        session.add(
            MentorMatch(
                mentor_id=mentor, mentee_id=mentee, status="active", parts=[["same_country", 15]]
            )
        )
        session.add(MentorConflict(mentor_id=mentor, person_id=mentee))
    _erase(stack, mentee)
    with transaction(stack.engine) as session:
        assert session.exec(select(MentorRequest)).all() == []
        assert session.exec(select(MentorConflict)).all() == []
        (match,) = session.exec(select(MentorMatch)).all()
        assert (match.status, match.parts, match.ended_at) == ("ended", [], stack.clock())


async def test_a_mentor_erased_is_withdrawn_and_emptied(stack):
    mentor = add_mentor(stack, "Amina", district="north", languages=("wo",), skills=("business",))
    mentee = add_person(stack, "Fatou", district="north")
    with transaction(stack.engine) as session:
        session.add(MentorMatch(mentor_id=mentor, mentee_id=mentee, status="offered"))
        row = session.get(Mentor, mentor)
        row.abroad_in, row.note = "Libya", "worked in Tripoli for three years"
        person_id = row.person_id
    _erase(stack, person_id)
    with transaction(stack.engine) as session:
        row = session.get(Mentor, mentor)
        assert (row.status, row.languages, row.skills, row.abroad_in, row.note) == (
            "withdrawn",
            [],
            [],
            None,
            None,
        )
        assert session.exec(select(MentorMatch)).one().status == "ended"

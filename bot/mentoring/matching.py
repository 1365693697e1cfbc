"""A matching run: the waiting mentees of a district (or of the whole programme) and every
mentor, through the optimal matching (flows/mentoring/match.py), into proposals staff
review. A new run replaces the proposals of its scope that staff have not acted on yet;
pairs already offered, accepted or active keep their places."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from bot.audit import audit
from bot.mentoring import load
from bot.mentoring.pairing import NotProposed
from bot.models import MentorMatch, MentorRequest, Person
from bot.models.mentoring import OPEN_MATCH
from bot.people.local_time import programme_today
from flows.content import Content
from flows.mentoring.cases import Assignment
from flows.mentoring.match import match as optimal
from flows.mentoring.scoring import score, suitable


@dataclass(frozen=True)
class Run:
    id: str
    district: str | None
    assignment: Assignment


def _in_scope(district: str | None):
    people = select(Person.id)
    if district:
        people = people.where(Person.district == district)
    return MentorMatch.mentee_id.in_(people.scalar_subquery())


def run_matching(
    session: Session,
    content: Content,
    now: datetime,
    *,
    actor: str,
    staff_id: int | None = None,
    district: str | None = None,
) -> Run:
    session.execute(
        delete(MentorMatch).where(MentorMatch.status == "proposed", _in_scope(district))
    )
    session.flush()
    busy = set(
        session.scalars(select(MentorMatch.mentee_id).where(MentorMatch.status.in_(OPEN_MATCH)))
    )
    mentees = [m for m in load.mentees(session, content, district) if m.id not in busy]
    today = programme_today(content, now)
    mentors = load.mentors(session, content, today)
    assignment = optimal(mentees, mentors, content.mentoring, load.barriers(session))
    run = secrets.token_hex(8)
    requests = dict(
        session.execute(
            select(MentorRequest.person_id, MentorRequest.id).where(
                MentorRequest.status == "waiting"
            )
        ).all()
    )
    for proposal in assignment.proposals:
        session.add(
            MentorMatch(
                mentor_id=proposal.mentor_id,
                mentee_id=proposal.mentee_id,
                request_id=requests.get(proposal.mentee_id),
                status="proposed",
                score=proposal.score,
                parts=[list(part) for part in proposal.parts],
                run=run,
                proposed_at=now,
                proposed_by=staff_id,
                updated_at=now,
            )
        )
    audit(
        session,
        actor,
        "mentoring.matched",
        None,
        now,
        run=run,
        district=district or "",
        proposals=len(assignment.proposals),
        unmatched=len(assignment.unmatched),
    )
    return Run(run, district, assignment)


class NotSuitable(ValueError):
    """The mentor staff chose breaks a hard constraint or has no place left."""


def alternatives(
    session: Session, content: Content, now: datetime, matches: list[MentorMatch]
) -> dict[int, list[tuple[int, int]]]:
    """For each proposal, the other mentors who would suit the mentee and have a place, best
    first: match id -> [(mentor id, score)]."""
    if not matches:
        return {}
    rules = content.mentoring
    mentors = load.mentors(session, content, programme_today(content, now))
    barriers = load.barriers(session)
    mentees = {
        m.id: m for m in load.mentees(session, content, person_ids=[m.mentee_id for m in matches])
    }
    found = {}
    for match in matches:
        mentee = mentees.get(match.mentee_id)
        options = []
        for mentor in mentors if mentee is not None else ():
            if (
                mentor.id != match.mentor_id
                and mentor.free > 0
                and suitable(mentee, mentor, rules, barriers)
            ):
                options.append((mentor.id, score(mentee, mentor, rules)[0]))
        found[match.id] = sorted(options, key=lambda o: (-o[1], o[0]))
    return found


def change_mentor(
    session: Session,
    content: Content,
    match: MentorMatch,
    mentor_id: int,
    now: datetime,
    *,
    actor: str,
) -> None:
    """Staff edit a proposal: another mentor, if they suit the mentee and have a place; the
    score and its parts are those of the new pair."""
    if match.status != "proposed":
        raise NotProposed(f"match {match.id} is {match.status}")
    options = dict(alternatives(session, content, now, [match])[match.id])
    if mentor_id not in options:
        raise NotSuitable(f"mentor {mentor_id} does not suit match {match.id}")
    (mentee,) = load.mentees(session, content, person_ids=[match.mentee_id])
    mentor = next(
        m
        for m in load.mentors(session, content, programme_today(content, now))
        if m.id == mentor_id
    )
    total, parts = score(mentee, mentor, content.mentoring)
    match.mentor_id, match.score, match.parts = mentor_id, total, [list(p) for p in parts]
    match.updated_at = now
    audit(session, actor, "mentoring.proposal_changed", match.mentee_id, now, match=match.id)

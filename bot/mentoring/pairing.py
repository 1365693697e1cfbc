"""Pairing, done: staff approve or reject a proposal; the mentor is offered the match, then
the mentee; each answer moves the match on; a decline or an answer that never came brings
the next best mentor (proposed to staff, or offered at once when the programme allows
automatic fallback); contacts go to both only when both have said yes.

proposed -(staff approve)-> offered -(mentor yes)-> accepted -(mentee yes)-> active
proposed -(staff reject)-> rejected;  offered/accepted -(no, or no answer)-> declined/expired
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session

from bot.audit import SYSTEM, audit
from bot.mentoring import load
from bot.messaging.outbox import enqueue
from bot.models import (
    Contact,
    Mentor,
    MentoringTask,
    MentorMatch,
    MentorPulse,
    MentorRequest,
    Person,
)
from bot.people.contacts import preferred_contact
from bot.people.local_time import programme_today
from flows.content import Content
from flows.dates import add_months
from flows.mentoring.match import match as best_match
from flows.types import Message

log = logging.getLogger(__name__)

# Whose answer each status waits for.
WAITING_FOR = {"offered": "mentor", "accepted": "mentee"}


class NotProposed(ValueError):
    """Only a proposal staff have not acted on can be approved or rejected."""


def approve(
    session: Session, match: MentorMatch, now: datetime, *, actor: str, staff_id: int | None
) -> None:
    if match.status != "proposed":
        raise NotProposed(f"match {match.id} is {match.status}")
    match.status, match.approved_by, match.updated_at = "offered", staff_id, now
    queue_offer(session, match, "mentor", now)
    audit(session, actor, "mentoring.approved", match.mentee_id, now, match=match.id)


def reject(
    session: Session, match: MentorMatch, now: datetime, *, actor: str, staff_id: int | None
) -> None:
    """Staff say no: this pair is never proposed again."""
    if match.status != "proposed":
        raise NotProposed(f"match {match.id} is {match.status}")
    match.status, match.declined_by, match.updated_at = "rejected", "staff", now
    audit(session, actor, "mentoring.rejected", match.mentee_id, now, match=match.id)


def queue_offer(session: Session, match: MentorMatch, role: str, now: datetime) -> None:
    """The pairing message to `role`, due now: the mentoring tick sends it when the person
    may be written to (daytime, the daily cap, not in the middle of a conversation)."""
    session.add(
        MentoringTask(
            key=f"offer:{match.id}:{role}",
            kind="offer",
            match_id=match.id,
            role=role,
            person_id=recipient(session, match, role),
            due_at=now,
            created_at=now,
        )
    )


def recipient(session: Session, match: MentorMatch, role: str) -> int:
    if role == "mentee":
        return match.mentee_id
    return session.get(Mentor, match.mentor_id).person_id


def answered(
    session: Session,
    content: Content,
    match: MentorMatch,
    role: str,
    accepted: bool,
    reach: str | None,
    now: datetime,
) -> None:
    """A pairing answer (the AnswerPairing effect); one that comes when the match no longer
    waits for it (it expired, staff closed it) changes nothing."""
    if WAITING_FOR.get(match.status) != role:
        log.info("pairing answer from the %s of match %s ignored: %s", role, match.id, match.status)
        return
    match.updated_at = now
    if not accepted:
        match.status, match.declined_by = "declined", role
        setattr(match, f"{role}_answered_at", now)
        audit(
            session, SYSTEM, f"mentoring.declined_by_{role}", match.mentee_id, now, match=match.id
        )
        next_best(session, content, match, now, offer=role == "mentor")
        return
    if role == "mentor":
        match.status, match.mentor_answered_at, match.mentor_reach = "accepted", now, reach
        queue_offer(session, match, "mentee", now)
        return
    match.status, match.mentee_answered_at, match.mentee_reach = "active", now, reach
    match.started_on = programme_today(content, now)
    match.ends_on = add_months(match.started_on, content.mentoring.cycle_months)
    session.execute(
        update(MentorRequest)
        .where(MentorRequest.person_id == match.mentee_id, MentorRequest.status == "waiting")
        .values(status="matched", closed_at=now)
    )
    audit(session, SYSTEM, "mentoring.paired", match.mentee_id, now, match=match.id)
    share_contacts(session, content, match, now)
    schedule_cycle(session, content, match, now, first_month=1)


def schedule_cycle(
    session: Session, content: Content, match: MentorMatch, now: datetime, *, first_month: int
) -> None:
    """The cycle's due rows from `now`: a pulse to the mentee and a contact log to the mentor
    each month, the evaluation to both at the end, and the close a fortnight after it if the
    mentee never said what next."""
    months = content.mentoring.cycle_months
    last = first_month + months - 1
    rows = []
    for month in range(first_month, last):
        at = _months_later(now, month - first_month + 1)
        rows += [("pulse", "mentee", month, at), ("log", "mentor", month, at)]
    end = _months_later(now, months)
    rows += [("evaluation", "mentee", last, end), ("evaluation", "mentor", last, end)]
    rows.append(("cycle_end", None, last, end + timedelta(days=14)))
    for kind, role, month, at in rows:
        session.add(
            MentoringTask(
                key=f"{kind}:{match.id}:{role or '-'}:{month}",
                kind=kind,
                match_id=match.id,
                role=role,
                person_id=recipient(session, match, role) if role else None,
                due_at=at,
                created_at=now,
            )
        )


def _months_later(moment: datetime, months: int) -> datetime:
    day = add_months(moment.date(), months)
    return moment.replace(year=day.year, month=day.month, day=day.day)


def record_pulse(
    session: Session, content: Content, match: MentorMatch, effect, now: datetime
) -> None:
    """A pulse, log or evaluation answered (once: a second answer to the same is ignored);
    the mentee's choice at the end of a cycle moves the match on."""
    exists = session.scalar(
        select(MentorPulse.id).where(
            MentorPulse.match_id == match.id,
            MentorPulse.kind == effect.kind,
            MentorPulse.role == effect.role,
            MentorPulse.month == effect.month,
        )
    )
    if exists is not None:
        return
    session.add(
        MentorPulse(
            match_id=match.id,
            kind=effect.kind,
            role=effect.role,
            month=effect.month,
            score=effect.score,
            comment=effect.comment,
            outcome=effect.outcome,
            answered_at=now,
        )
    )
    if effect.outcome and match.status == "active":
        end_cycle(session, content, match, effect.outcome, now)


def chose_next(session: Session, match: MentorMatch, month: int) -> bool:
    """The mentee said what next at the end of the cycle ending in `month`."""
    found = session.scalar(
        select(MentorPulse.id).where(
            MentorPulse.match_id == match.id,
            MentorPulse.kind == "evaluation",
            MentorPulse.role == "mentee",
            MentorPulse.month == month,
            MentorPulse.outcome.is_not(None),
        )
    )
    return found is not None


def end_cycle(
    session: Session, content: Content, match: MentorMatch, outcome: str, now: datetime
) -> None:
    """continue: another cycle; rematch: ended, and they wait for another mentor; close."""
    match.updated_at = now
    if outcome == "continue":
        match.ends_on = add_months(
            match.ends_on or programme_today(content, now), content.mentoring.cycle_months
        )
        last = session.scalar(
            select(func.max(MentorPulse.month)).where(MentorPulse.match_id == match.id)
        )
        schedule_cycle(session, content, match, now, first_month=(last or 0) + 1)
    else:
        match.status, match.outcome, match.ended_at = "ended", outcome, now
        session.execute(
            update(MentoringTask)
            .where(
                MentoringTask.match_id == match.id, MentoringTask.status.in_(("pending", "waiting"))
            )
            .values(status="cancelled", note=f"cycle ended: {outcome}")
        )
        if outcome == "rematch":
            old = session.get(MentorRequest, match.request_id) if match.request_id else None
            session.add(
                MentorRequest(
                    person_id=match.mentee_id,
                    via="chat",
                    requested_at=now,
                    prefers_gender=old.prefers_gender if old else None,
                    prefers_language=old.prefers_language if old else None,
                    prefers_sector=old.prefers_sector if old else False,
                    abroad_in=old.abroad_in if old else None,
                    years_abroad=old.years_abroad if old else None,
                )
            )
    match.outcome = outcome
    audit(session, SYSTEM, f"mentoring.cycle_{outcome}", match.mentee_id, now, match=match.id)


def expire(
    session: Session, content: Content, match: MentorMatch, role: str, now: datetime
) -> bool:
    """The time to answer ran out: as a decline (the pair is not proposed again)."""
    if WAITING_FOR.get(match.status) != role:
        return False
    match.status, match.declined_by, match.updated_at = "expired", "timeout", now
    audit(session, SYSTEM, f"mentoring.expired_{role}", match.mentee_id, now, match=match.id)
    next_best(session, content, match, now, offer=role == "mentor")
    return True


def next_best(
    session: Session, content: Content, match: MentorMatch, now: datetime, *, offer: bool
) -> MentorMatch | None:
    """The best mentor still available for this mentee, the others' matches kept: proposed to
    staff, or offered at once where the programme allows automatic fallback (after a mentor
    said no or never answered; after the mentee's own no, staff decide)."""
    waiting = load.mentees(session, content, person_ids=[match.mentee_id])
    if not waiting:
        return None
    mentee = waiting[0]
    session.flush()
    found = best_match(
        [mentee],
        load.mentors(session, content, programme_today(content, now)),
        content.mentoring,
        load.barriers(session),
    )
    if not found.proposals:
        return None
    (proposal,) = found.proposals
    nxt = MentorMatch(
        mentor_id=proposal.mentor_id,
        mentee_id=proposal.mentee_id,
        request_id=match.request_id,
        status="proposed",
        score=proposal.score,
        parts=[list(part) for part in proposal.parts],
        run=f"after:{match.id}",
        proposed_at=now,
        updated_at=now,
    )
    session.add(nxt)
    session.flush()
    if offer and content.mentoring.automatic_fallback:
        approve(session, nxt, now, actor=SYSTEM, staff_id=None)
    return nxt


def reach_text(
    session: Session, content: Content, person_id: int, reach: str | None, language: str
) -> str:
    """How the other may reach them, as they consented to share it."""
    if reach == "telegram":
        handle = session.scalar(
            select(Contact.handle).where(
                Contact.person_id == person_id,
                Contact.channel == "telegram",
                Contact.handle.is_not(None),
            )
        )
        if handle:
            return f"@{handle} (Telegram)"
    if reach == "phone":
        number = session.scalar(
            select(Contact.address).where(Contact.person_id == person_id, Contact.channel == "sms")
        )
        if number:
            return number
    if reach and reach not in ("phone", "telegram"):
        return reach  # a number they typed
    return content.catalog.text(language, "mentoring.reach_us")


def share_contacts(session: Session, content: Content, match: MentorMatch, now: datetime) -> None:
    """Both said yes: each gets the other's contact, in the form the other consented to.
    Not paced: each completes what the two of them just agreed to."""
    mentor = session.get(Mentor, match.mentor_id)
    people = {
        "mentor": (session.get(Person, mentor.person_id), match.mentor_reach),
        "mentee": (session.get(Person, match.mentee_id), match.mentee_reach),
    }
    for role, other in (("mentor", "mentee"), ("mentee", "mentor")):
        person, reach = people[role]
        them, their_reach = people[other]
        contact = preferred_contact(session, person.id)
        if contact is None:
            continue
        language = person.language or content.default_language
        text = content.catalog.text(
            language,
            "mentoring.paired",
            contact.channel,
            name=first_name(them, content, language),
            contact=reach_text(session, content, them.id, their_reach, language),
            reach=content.catalog.text(language, f"mentoring.reach.{_form(reach)}"),
        )
        enqueue(session, person, contact, Message(text=text, key="mentoring.paired"), now)


def _form(reach: str | None) -> str:
    return "telegram" if reach == "telegram" else "phone"


def first_name(person: Person, content: Content, language: str) -> str:
    """Only the first name ever goes to the other side."""
    name = (person.display_name or "").split()
    return name[0] if name else content.catalog.text(language, "mentoring.no_name")


def area_name(person: Person, content: Content, language: str) -> str:
    if person.district and person.district in content.option_sets.get("district", ()):
        return content.label(language, "district", person.district)
    return content.catalog.text(language, "mentoring.no_area")


def answer_by(content: Content, now: datetime) -> datetime:
    return now + timedelta(hours=content.mentoring.answer_hours)

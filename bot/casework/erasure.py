"""Erasing a person: every piece of personal data goes, from every table; what stays is a
tombstone row (so foreign keys and counts hold), the audit trail (which names no values),
and anonymous aggregates.

- person: every profile field emptied, status "erased";
- contacts: the phone number or chat id replaced by a placeholder, stopped (a new message
  from the same number starts afresh as someone new);
- inbound: text, choice and address removed; outbound: body and choices removed;
- conversations: state emptied (it can hold answers in progress);
- consents and feedback-round participation: deleted;
- survey answers: free text deleted; closed answers kept only unlinked from the person
  (anonymous, day of answer reduced to the month) so programme aggregates still add up;
- alerts: closed, the detail (which may quote them) removed; pending prompts cancelled, the
  plan's name (which tells their situation) removed;
- audit rows about them: who did what and when stay, their details are emptied.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlmodel import Session

from bot.models import (
    Alert,
    Answer,
    AuditLog,
    Consent,
    Contact,
    Conversation,
    FeedbackRespondent,
    Inbound,
    Outbound,
    Person,
    ScheduledPrompt,
    SurveyResponse,
)
from bot.people.contacts import audit
from flows.content import Content

# Questions whose answers are the person's own words.
FREE_TEXT = ("text",)
ERASED = "erased"


def _free_text_questions(content: Content) -> set[tuple[str, str]]:
    found = set()
    for name, survey in content.surveys.items():
        for question in survey.questions:
            if question.type in FREE_TEXT or question.other:
                found.add((name, question.id))
                found.add((name, f"{question.id}_other"))
    return found


def erase_person(
    session: Session, person: Person, content: Content, actor: str, now: datetime
) -> None:
    if person.erased_at is not None:
        return
    pid = person.id
    # The conversation lock is the one the runtime takes to process a message: a message
    # being processed right now finishes first, and none starts until erasure commits.
    session.execute(select(Conversation.id).where(Conversation.person_id == pid).with_for_update())
    contacts = session.execute(
        select(Contact.id, Contact.channel, Contact.address).where(Contact.person_id == pid)
    ).all()
    contact_ids = [row.id for row in contacts]
    # Messages in: whatever they wrote and where from, including rows stored but never
    # linked to them (a crash before processing, a message that failed to process).
    scrub = {"text": None, "choice": None, "address": ERASED, "error": None}
    session.execute(update(Inbound).where(Inbound.person_id == pid).values(**scrub))
    for row in contacts:
        session.execute(
            update(Inbound)
            .where(Inbound.channel == row.channel, Inbound.address == row.address)
            .values(**scrub)
        )
    # Messages out (also to their number before a person row existed: by contact).
    session.execute(
        update(Outbound)
        .where(Outbound.person_id == pid)
        .values(body="", choices=[], error=None, status="cancelled")
        .where(Outbound.status == "pending")
    )
    session.execute(
        update(Outbound).where(Outbound.person_id == pid).values(body="", choices=[], error=None)
    )
    if contact_ids:
        session.execute(
            delete(FeedbackRespondent).where(FeedbackRespondent.contact_id.in_(contact_ids))
        )
        for contact_id in contact_ids:
            session.execute(
                update(Contact)
                .where(Contact.id == contact_id)
                .values(
                    address=f"{ERASED}:{contact_id}",
                    stopped=True,
                    stopped_at=now,
                    stopped_reason=ERASED,
                    comeback_hint_at=None,
                    last_inbound_at=None,
                )
            )
    session.execute(
        update(Conversation)
        .where(Conversation.person_id == pid)
        .values(flow=None, step=None, state={}, updated_at=now)
    )
    session.execute(delete(Consent).where(Consent.person_id == pid))
    _unlink_answers(session, pid, content)
    # Their alerts: nothing left to act on; closing them keeps a new note from naming them.
    session.execute(
        update(Alert)
        .where(Alert.person_id == pid, Alert.status == "open")
        .values(status="closed", closed_at=now)
    )
    session.execute(
        update(Alert).where(Alert.person_id == pid).values(detail=None, close_note=None)
    )
    session.execute(
        update(ScheduledPrompt)
        .where(
            ScheduledPrompt.person_id == pid,
            ScheduledPrompt.status.in_(("pending", "waiting", "open")),
        )
        .values(status="cancelled")
    )
    # The plan's name tells their situation (a trafficking survivor's plan): gone too.
    session.execute(
        update(ScheduledPrompt)
        .where(ScheduledPrompt.person_id == pid)
        .values(plan=ERASED, note=None)
    )
    # The audit trail keeps who did what and when; details about them (a plan, an outcome,
    # the fields corrected) are emptied: erasure is the one change made to past audit rows.
    session.execute(update(AuditLog).where(AuditLog.person_id == pid).values(details={}))
    for name in (
        "language", "timezone", "display_name", "role", "district", "district_other",
        "return_date", "return_date_precision", "gender", "age_band", "sector", "sector_other",
        "interests", "preferred_time", "outcome", "plan",
    ):  # fmt: skip
        setattr(person, name, None)
    person.vulnerabilities = []
    person.status = ERASED
    person.erased_at = person.updated_at = now
    person.opted_out_at = person.opted_out_at or now
    person.unreachable_at = None
    audit(session, actor, "person.erased", pid, now)


def _unlink_answers(session: Session, person_id: int, content: Content) -> None:
    free_text = _free_text_questions(content)
    responses = session.scalars(
        select(SurveyResponse).where(SurveyResponse.person_id == person_id)
    ).all()
    for response in responses:
        for answer in session.scalars(select(Answer).where(Answer.response_id == response.id)):
            if (
                (response.instrument, answer.question_id) in free_text
                or isinstance(answer.value, str)
                and answer.question_id.endswith("_other")
            ):
                session.delete(answer)
        response.person_id = None
        response.prompt_id = None
        response.recorded_by = None
        response.anonymous = True
        response.completed_on = response.completed_on.replace(day=1)

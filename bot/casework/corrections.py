"""What staff do to a person's record: correct the profile, pause and resume follow-ups,
assign a facilitator. Every change is
audited by field name (values stay out of the log, which outlives an erasure)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import update
from sqlmodel import Session

from bot.audit import audit, staff_actor
from bot.followup.plans import PAUSED_NOTE, recompute
from bot.models import Person, ScheduledPrompt, Staff
from bot.people.profile import EDITABLE, FREE_TEXT_MAX, PLAN_FIELDS, VULNERABILITIES
from flows.content import Content


class CaseworkError(ValueError):
    """A change that cannot be made; the message is a key of the admin's catalog."""


# A return date before this is a typo (0202 for 2022): the plan could not even be stored.
EARLIEST_RETURN = date(1990, 1, 1)


def check_return_date(value: date, now: datetime) -> None:
    if value > now.date():
        raise CaseworkError("person.error.future_date")
    if value < EARLIEST_RETURN:
        raise CaseworkError("person.error.old_date")


def clean_field(content: Content, name: str, raw: str | None):
    value = (raw or "").strip()
    if not value:
        return None
    option_set = EDITABLE.get(name)
    if option_set is not None and value not in content.option_sets.get(option_set, ()):
        raise CaseworkError("person.error.option")
    if name in FREE_TEXT_MAX and len(value) > FREE_TEXT_MAX[name]:
        raise CaseworkError("person.error.too_long")
    return value


def correct_profile(
    session: Session,
    person: Person,
    content: Content,
    staff_id: int,
    now: datetime,
    values: dict[str, str | None],
    return_date: date | None = None,
    language: str | None = None,
    timezone: str | None = None,
    vulnerabilities: list[str] | None = None,
    actor: str | None = None,
) -> list[str]:
    """Applies the fields given; returns the names that changed. A change to the return
    date (or anything else a plan depends on) recomputes the pending part of the plan.
    `actor`: who it was, when not the staff member themselves (an integration's token)."""
    actor = actor or staff_actor(staff_id)
    changed: list[str] = []
    for name, raw in values.items():
        if name not in EDITABLE:
            continue
        value = clean_field(content, name, raw)
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if return_date is not None and return_date != person.return_date:
        check_return_date(return_date, now)
        person.return_date, person.return_date_precision = return_date, "day"
        changed.append("return_date")
    if language and language != person.language:
        if language not in content.languages:
            raise CaseworkError("person.error.option")
        person.language = language
        changed.append("language")
    if timezone and timezone != person.timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise CaseworkError("person.error.timezone") from error
        person.timezone = timezone
        changed.append("timezone")
    if vulnerabilities is not None:
        chosen = sorted(v for v in set(vulnerabilities) if v in VULNERABILITIES)
        if chosen != sorted(person.vulnerabilities or []):
            person.vulnerabilities = chosen
            changed.append("vulnerabilities")
    if not changed:
        return []
    person.updated_at = now
    audit(session, actor, "profile.corrected", person.id, now, fields=sorted(changed))
    replan = PLAN_FIELDS.intersection(changed) or "vulnerabilities" in changed
    if replan and person.status == "active" and person.outcome is None:
        recompute(session, person, content, now, actor)
    return changed


def set_paused(
    session: Session, person: Person, paused: bool, staff_id: int, now: datetime
) -> None:
    """Paused: nothing is sent (the scheduler holds due prompts). Resumed: what was held
    falls due at once, still inside the person's daytime window."""
    if person.followup_paused == paused:
        return
    person.followup_paused = paused
    person.updated_at = now
    if not paused:
        session.exec(
            update(ScheduledPrompt)
            .where(
                ScheduledPrompt.person_id == person.id,
                ScheduledPrompt.status.in_(("pending", "waiting")),
                ScheduledPrompt.note == PAUSED_NOTE,
                ScheduledPrompt.due_at > now,
            )
            .values(due_at=now, note=None)
        )
    audit(
        session,
        staff_actor(staff_id),
        "followup.paused" if paused else "followup.resumed",
        person.id,
        now,
    )


def assign_facilitator(
    session: Session, person: Person, facilitator_id: int | None, staff_id: int, now: datetime
) -> None:
    if facilitator_id is not None:
        staff = session.get(Staff, facilitator_id)
        if staff is None or not staff.active or staff.role != "facilitator":
            raise CaseworkError("person.error.facilitator")
    if person.facilitator_id == facilitator_id:
        return
    person.facilitator_id = facilitator_id
    audit(
        session,
        staff_actor(staff_id),
        "person.assigned",
        person.id,
        now,
        facilitator=facilitator_id,
    )

"""A person's plan as rows: one scheduled prompt per step, each with a unique (person, step,
plan revision) and a due time in UTC. Enrolment, recomputing after a correction, and bulk
enrolment write them; bot/followup/prompts.py fires them."""

from __future__ import annotations

import operator
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import bindparam
from sqlmodel import Session, select

from bot.audit import SYSTEM, audit
from bot.bulk import insert_many
from bot.models import Person, ScheduledPrompt
from bot.people.local_time import local_today, timezone_of
from bot.people.profile import RULE_FIELDS, rule_profile
from flows.content import Content
from flows.followup.plan import plan_prompts
from flows.vocabulary import TO_SEND, PromptStatus, Role

# Held, not lost: a paused person's due prompts wait with this note (casework set_paused).
PAUSED_NOTE = "paused by staff"


def enrol(session: Session, person: Person, content: Content, now: datetime) -> int:
    """Gives an enrolled returnee their plan; returns how many prompts it holds."""
    plans = content.plans
    if plans is None or person.plan is not None or person.role != Role.RETURNEE:
        return 0
    plan = plans.choose(rule_profile(person))
    person.plan, person.plan_revision, person.enrolled_at = plan.name, 1, now
    count = _insert_plan(session, person, content, now, done=set())
    audit(session, SYSTEM, "plan.created", person.id, now, plan=plan.name, prompts=count)
    return count


def recompute(session: Session, person: Person, content: Content, now: datetime, actor: str) -> int:
    """After a correction (return date, profile): pending prompts are replaced, done ones kept."""
    plans = content.plans
    if plans is None or person.plan is None:
        return enrol(session, person, content, now)
    rows = session.exec(select(ScheduledPrompt).where(ScheduledPrompt.person_id == person.id)).all()
    done = {
        row.step_key
        for row in rows
        if row.status in (PromptStatus.OPEN, PromptStatus.ANSWERED, PromptStatus.MISSED)
    }
    for row in rows:
        if (
            row.status in (*TO_SEND, PromptStatus.SKIPPED)
            and row.plan_revision == person.plan_revision
        ):
            row.status = PromptStatus.SUPERSEDED
    person.plan = plans.choose(rule_profile(person)).name
    person.plan_revision += 1
    count = _insert_plan(session, person, content, now, done)
    audit(
        session,
        actor,
        "plan.recomputed",
        person.id,
        now,
        plan=person.plan,
        revision=person.plan_revision,
    )
    return count


def enrol_many(session: Session, person_ids: list[int], content: Content, now: datetime) -> int:
    """Plans for many people at once (an import, a programme's first day), in bulk statements:
    the same decisions as `enrol`, without loading each person as an object."""
    plans = content.plans
    if plans is None or not person_ids:
        return 0
    names = ("id", "plan", "return_date", "timezone", "preferred_time", *RULE_FIELDS)
    columns = [getattr(Person, name) for name in dict.fromkeys(names)]
    found = session.execute(select(*columns).where(Person.id.in_(person_ids))).all()
    rows: list[tuple] = []
    chosen: list[dict] = []
    for record in found:
        if record.plan is not None or record.role != "returnee":
            continue
        # A plain record: building full Person objects would cost more than the plan itself.
        person = SimpleNamespace(**record._asdict(), plan_revision=1)
        person.vulnerabilities = person.vulnerabilities or []
        person.plan, person.plan_revision = plans.choose(rule_profile(person)).name, 1
        chosen.append({"person_id": record.id, "plan": person.plan})
        rows.extend(_plan_rows(person, content, now, done=frozenset()))
    if chosen:
        person_table = Person.__table__
        session.connection().execute(
            person_table.update()
            .where(person_table.c.id == bindparam("person_id"))
            .values(plan=bindparam("plan"), plan_revision=1, enrolled_at=now),
            chosen,
        )
    # Written in due order: a tick then finds one day's prompts of a cohort side by side
    # on a few pages instead of one page per person, and writes far fewer back.
    rows.sort(key=_DUE_AT)
    _insert_rows(session, rows)
    return len(rows)


PROMPT_COLUMNS = (
    "person_id", "plan", "plan_revision", "step_key", "kind", "instrument", "message", "wave",
    "status", "note", "due_at", "created_at",
)  # fmt: skip
_DUE_AT = operator.itemgetter(PROMPT_COLUMNS.index("due_at"))


def _insert_rows(session: Session, rows: list[tuple]) -> None:
    """One executemany straight to the driver: enrolling a cohort writes hundreds of
    thousands of rows, and per-row ORM processing would dominate."""
    insert_many(session.connection(), ScheduledPrompt.__table__, PROMPT_COLUMNS, rows)


def _insert_plan(
    session: Session, person: Person, content: Content, now: datetime, done: set[str]
) -> int:
    rows = _plan_rows(person, content, now, frozenset(done))
    _insert_rows(session, rows)
    return len(rows)


def _plan_rows(person, content: Content, now: datetime, done: frozenset[str]) -> list[tuple]:
    """Rows in PROMPT_COLUMNS order."""
    anchor = person.return_date or local_today(person, content, now)
    steps = _planned(
        content, person.plan, anchor, now, timezone_of(person, content), person.preferred_time
    )
    head = (person.id, person.plan, person.plan_revision)
    return [head + step + (now,) for key, step in steps if key not in done]


_PLANNED: dict[tuple, tuple] = {}


def _planned(
    content: Content, plan: str, anchor, now: datetime, timezone: str, preferred: str | None
):
    """Pure, so people who came back on the same day share one computation: each step as
    (step_key, kind, instrument, message, wave, status, note, due_at)."""
    key = (id(content.plans), plan, anchor, now, timezone, preferred)
    found = _PLANNED.get(key)
    if found is None:
        if len(_PLANNED) > 4096:
            _PLANNED.clear()
        plans = content.plans
        items = plan_prompts(plans.plans[plan], plans, anchor, now, timezone, preferred)
        found = _PLANNED[key] = tuple(
            (
                item.step.key,
                (
                    item.step.key, item.step.kind, item.step.instrument, item.step.message,
                    item.step.wave, item.status,
                    "late enrolment" if item.status == "skipped" else None, item.due_at,
                ),
            )
            for item in items
        )  # fmt: skip
    return found

"""The audit log, for admins: read-only. No route here (or anywhere) changes a row of it."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import func, or_, select

from admin.deps import AdminOnly, services
from admin.paging import PER_PAGE, Page, link_query, page_number
from admin.params import parse_id
from admin.render import render
from admin.staff_choices import staff_names
from bot.audit import staff_actor
from bot.db import transaction
from bot.models import AuditLog, Person

router = APIRouter(prefix="/admin")

# The "What" list: an action's first word ("savings" of "savings.record"), in staff words.
KINDS = (
    "person", "profile", "enrolled", "followup", "answers", "alert", "inbox", "broadcast",
    "feedback", "people", "results", "mentor", "mentoring", "group", "savings", "opt_out",
    "opt_in", "contact", "plan", "retention", "replies", "api", "programme", "staff", "demo",
)  # fmt: skip
PEOPLE_LISTED = 300  # the people offered in the person filter: the most recently audited


def _kind_condition(kind: str):
    if kind in KINDS:
        return or_(AuditLog.action == kind, AuditLog.action.startswith(f"{kind}.", autoescape=True))
    return AuditLog.action.startswith(kind, autoescape=True)  # a code typed in the address


_NUMBERED = re.compile(r"(?:^\s*|#)(\d+)\s*$")  # "12", "#12", or "Awa Diop #12" from the list


def _person_condition(person: str):
    """A person chosen from the list, a number, or part of a name as typed."""
    found = _NUMBERED.search(person)
    if found and parse_id(found.group(1)) is not None:
        return AuditLog.person_id == parse_id(found.group(1))
    pattern = person.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    ids = select(Person.id).where(Person.display_name.ilike(f"%{pattern}%", escape="\\"))
    return AuditLog.person_id.in_(ids)


@router.get("/audit")
async def audit_log(request: Request, ctx: AdminOnly) -> Response:
    svc = services(request)
    params = request.query_params
    person = (params.get("person") or "").strip()[:80]
    actor = (params.get("actor") or "").strip()[:80]
    action = (params.get("action") or "").strip()[:60]
    number = page_number(params.get("page"))

    def load():
        with transaction(svc.engine) as session:
            where = []
            if person:
                where.append(_person_condition(person))
            if actor:
                where.append(AuditLog.actor == actor)
            if action:
                where.append(_kind_condition(action))
            total = session.execute(
                select(func.count()).select_from(AuditLog).where(*where)
            ).scalar_one()
            rows = session.scalars(
                select(AuditLog)
                .where(*where)
                .order_by(AuditLog.id.desc())
                .limit(PER_PAGE)
                .offset((number - 1) * PER_PAGE)
            ).all()
            staff = staff_names(session)
            names = {staff_actor(i): n for i, n in staff.items()}
            people = dict(session.execute(
                select(Person.id, Person.display_name)
                .where(Person.id.in_({r.person_id for r in rows if r.person_id}))
            ).all())  # fmt: skip
            recent = (
                select(AuditLog.person_id, func.max(AuditLog.id).label("last"))
                .where(AuditLog.person_id.is_not(None))
                .group_by(AuditLog.person_id)
                .order_by(func.max(AuditLog.id).desc())
                .limit(PEOPLE_LISTED)
                .subquery()
            )
            listed = session.execute(
                select(Person.id, Person.display_name)
                .join(recent, recent.c.person_id == Person.id)
                .order_by(Person.display_name, Person.id)
            ).all()
            session.expunge_all()
            return Page(list(rows), number, total), names, people, staff, listed

    page, names, people, staff, listed = await run_in_threadpool(load)

    def who(actor_id: str) -> str:
        if actor_id in names:
            return names[actor_id]
        kind, _, number_ = actor_id.partition(":")
        said = ctx.t(f"audit.actor.{kind}", n=number_)
        return actor_id if said == f"audit.actor.{kind}" else said

    def sentence(row) -> str:
        """ "Fatou viewed Awa's record": who, did what, to whom."""
        person_name = people.get(row.person_id) or (f"#{row.person_id}" if row.person_id else "")
        key = f"audit.did.{row.action}"
        said = ctx.t(key, actor=who(row.actor), person=person_name)
        if said != key:
            return said
        action_words = row.action.replace(".", " ").replace("_", " ")
        return ctx.t("audit.did", actor=who(row.actor), action=action_words, person=person_name)

    def detail(key: str) -> str:
        said = ctx.t(f"audit.detail.{key}")
        return key if said == f"audit.detail.{key}" else said

    query = link_query({"person": person, "actor": actor, "action": action})

    return render(
        request,
        ctx,
        "audit.html",
        page=page,
        names=names,
        person=person,
        actor=actor,
        action=action,
        query=query,
        sentence=sentence,
        detail=detail,
        staff=staff,
        people=people,
        listed=listed,
        kinds=KINDS,
    )

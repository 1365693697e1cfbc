"""The audit log, for admins: read-only. No route here (or anywhere) changes a row of it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import func, select

from admin.deps import AdminOnly, services
from admin.paging import PER_PAGE, Page, link_query, page_number
from admin.params import parse_id
from admin.render import render
from admin.staff_choices import staff_names
from bot.audit import staff_actor
from bot.db import transaction
from bot.models import AuditLog, Person

router = APIRouter(prefix="/admin")


@router.get("/audit")
async def audit_log(request: Request, ctx: AdminOnly) -> Response:
    svc = services(request)
    params = request.query_params
    person = (params.get("person") or "").strip()
    actor = (params.get("actor") or "").strip()[:80]
    action = (params.get("action") or "").strip()[:60]
    number = page_number(params.get("page"))

    def load():
        with transaction(svc.engine) as session:
            where = []
            if parse_id(person) is not None:
                where.append(AuditLog.person_id == parse_id(person))
            if actor:
                where.append(AuditLog.actor == actor)
            if action:
                where.append(AuditLog.action.startswith(action, autoescape=True))
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
            session.expunge_all()
            return Page(list(rows), number, total), names, people, staff

    page, names, people, staff = await run_in_threadpool(load)

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
        staff=staff,
    )

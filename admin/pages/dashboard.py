"""The dashboard: who is where, what is due, what is open."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select, true

from admin.deps import AnyStaff, services
from admin.pages.groups import groups_condition
from admin.render import render
from admin.scope import alerts_condition, people_condition
from bot.casework.staff_links import linked_contacts, may_link
from bot.db import transaction
from bot.groups import views as group_views
from bot.models import Alert, Person, ScheduledPrompt

router = APIRouter(prefix="/admin")


@router.get("")
async def dashboard(request: Request, ctx: AnyStaff):
    svc = services(request)
    now = svc.clock()
    # Viewers see programme-wide counts (no person in them); facilitators their own people.
    everyone = ctx.staff.role in ("admin", "viewer")
    scope = true() if everyone else people_condition(ctx.staff)

    def numbers():
        with transaction(svc.engine) as session:
            by_status = dict(
                session.execute(
                    select(Person.status, func.count()).where(scope).group_by(Person.status)
                ).all()
            )
            prompts = select(func.count()).select_from(ScheduledPrompt)
            if everyone:
                scoped = true()  # no join: the count reads the (status, due_at) index alone
            else:
                prompts = prompts.join(Person, Person.id == ScheduledPrompt.person_id)
                scoped = scope
            due_week = session.execute(
                prompts.where(
                    scoped,
                    ScheduledPrompt.status.in_(("pending", "waiting")),
                    ScheduledPrompt.due_at < now + timedelta(days=7),
                )
            ).scalar_one()
            # Missed follow-ups that were due in the last 30 days (due_at is indexed).
            missed = session.execute(
                prompts.where(
                    scoped,
                    ScheduledPrompt.status == "missed",
                    ScheduledPrompt.due_at >= now - timedelta(days=30),
                )
            ).scalar_one()
            unreachable = session.execute(
                select(func.count()).where(scope, Person.unreachable_at.is_not(None))
            ).scalar_one()
            alerts = session.execute(
                select(Alert.severity, Alert.created_at, Alert.due_at).where(
                    Alert.status == "open",
                    alerts_condition(ctx.staff) if ctx.staff.role == "facilitator" else true(),
                )
            ).all()
            groups = group_views.activity(session, groups_condition(ctx.staff), now)
            # Someone who can own an alert and has nowhere to be told of one: say so here.
            unlinked = may_link(ctx.staff) and not linked_contacts(session, ctx.staff.id)
        ages = {"lt1d": 0, "1to7d": 0, "gt7d": 0}
        severities = {"high": 0, "medium": 0, "low": 0}
        overdue = 0
        for severity, created, due in alerts:
            severities[severity] = severities.get(severity, 0) + 1
            age = now - created
            ages[
                "lt1d"
                if age < timedelta(days=1)
                else "1to7d"
                if age < timedelta(days=7)
                else "gt7d"
            ] += 1
            overdue += due < now
        return {
            "unlinked": unlinked,
            "by_status": by_status,
            "due_week": due_week,
            "missed": missed,
            "unreachable": unreachable,
            "severities": severities,
            "ages": ages,
            "overdue": overdue,
            "groups": groups,
        }

    return render(request, ctx, "dashboard.html", **(await run_in_threadpool(numbers)))

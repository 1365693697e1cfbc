"""Peer-support groups in the admin: the list, a new group, and a group's page — members
(invite from proposals, with a reason when a rule is overridden), the community leader's
approval, the availability poll with its live tally and the suggested time, the meeting
calendar with RSVPs, attendance and pulse results, announcements, and the group's end."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import or_, true
from sqlmodel import select

from admin.deps import Casework, NotFound, StaffContext, services
from admin.params import Id
from admin.render import render
from admin.scope import people_condition
from bot.audit import staff_actor
from bot.db import transaction
from bot.groups import announcements, attendance, forming, lifecycle, meetings, polls, views
from bot.groups.errors import GroupError
from bot.groups.proposals import candidates
from bot.models import GroupMeeting, GroupMember, PeerGroup, Person, Staff

router = APIRouter(prefix="/admin")
DONE = ("created", "saved", "invited", "approved", "poll", "confirmed", "meeting", "changed",
        "cancelled", "attendance", "announced", "ended", "removed")  # fmt: skip


def groups_condition(staff: Staff):
    """Admins see every group; a facilitator the groups they lead or created."""
    if staff.role == "admin":
        return true()
    return or_(PeerGroup.facilitator_id == staff.id, PeerGroup.created_by == staff.id)


def _visible(session, staff: Staff, group_id: int, lock: bool = False) -> PeerGroup:
    group = session.get(PeerGroup, group_id, with_for_update=lock)
    if group is None:
        raise NotFound()
    if staff.role == "admin" or staff.id in (group.facilitator_id, group.created_by):
        return group
    raise NotFound()


def _local_time(request: Request, text) -> datetime:
    """A time typed in the programme's timezone (where groups meet), as UTC."""
    try:
        naive = datetime.fromisoformat(str(text or "").strip())
    except ValueError:
        raise GroupError("groups.error.slot_times") from None
    zone = meetings.group_zone(services(request).content)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _values(request: Request, form, staff: Staff) -> forming.GroupValues:
    content = services(request).content

    def number(name: str, default: int) -> int:
        try:
            return int(str(form.get(name) or default))
        except ValueError:
            raise GroupError(f"groups.error.{name}") from None

    person = str(form.get("facilitator_person") or "").strip()
    facilitator = str(form.get("facilitator") or "").strip()
    district = str(form.get("district") or "")
    return forming.GroupValues(
        name=str(form.get("name") or ""),
        district=district if district in content.option_sets["district"] else None,
        language=str(form.get("language") or content.default_language),
        facilitator_id=int(facilitator) if facilitator.isdigit() else staff.id,
        facilitator_person_id=int(person) if person.isdigit() else None,
        gender_mix=str(form.get("gender_mix") or "mixed"),
        target_size=number("target_size", 12),
        venues=tuple(v for v in str(form.get("venues") or "").splitlines() if v.strip()),
        series_meetings=number("series_meetings", 4),
    )


def _team(session) -> list[Staff]:
    return list(session.exec(select(Staff).where(Staff.active.is_(True), Staff.role != "viewer")))


def _back(group_id: int, done: str | None = None, error: str | None = None, extra: str = ""):
    query = f"done={done}" if done else f"error={quote(error or '')}{extra}"
    return RedirectResponse(f"/admin/groups/{group_id}?{query}", status_code=303)


# -- the list ---------------------------------------------------------------------------------


@router.get("/groups")
async def groups(request: Request, ctx: Casework) -> Response:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            rows = views.groups_list(session, groups_condition(ctx.staff), svc.clock())
            team = _team(session)
            session.expunge_all()
            return rows, team

    rows, team = await run_in_threadpool(load)
    error = request.query_params.get("error")
    return render(
        request, ctx, "groups.html", groups=rows, team=team, rules=svc.content.groups,
        error=error if error and error.startswith("groups.error.") else None,
    )  # fmt: skip


@router.post("/groups")
async def group_create(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    form = await request.form()

    def create():
        with transaction(svc.engine) as session:
            values = _values(request, form, ctx.staff)
            group = forming.create(
                session, values, svc.content, svc.clock(), actor=staff_actor(ctx.staff.id),
                by=ctx.staff.id,
            )  # fmt: skip
            return group.id

    try:
        group_id = await run_in_threadpool(create)
    except GroupError as error:
        return RedirectResponse(f"/admin/groups?error={quote(error.key)}", status_code=303)
    return _back(group_id, "created")


# -- a group's page ---------------------------------------------------------------------------


@router.get("/groups/{group_id}")
async def group_show(request: Request, ctx: Casework, group_id: Id) -> Response:
    svc = services(request)
    now = svc.clock()

    def load():
        with transaction(svc.engine) as session:
            group = _visible(session, ctx.staff, group_id)
            page = views.group_page(session, group, svc.content, now)
            proposed = candidates(
                session, group, svc.content, now, condition=people_condition(ctx.staff)
            )
            team = _team(session)
            session.expunge_all()
            return page, proposed, team

    page, proposed, team = await run_in_threadpool(load)
    error = request.query_params.get("error") or ""
    done = request.query_params.get("done")
    warned = [w for w in (request.query_params.get("warnings") or "").split(",") if w]
    return render(
        request, ctx, "group.html", page=page, proposed=proposed, team=team, now=now,
        rules=svc.content.groups, zone=meetings.group_zone(svc.content).key,
        error=error if error.startswith("groups.error.") else None, warned=warned,
        done=done if done in DONE else None,
    )  # fmt: skip


@router.get("/groups/{group_id}/tally")
async def group_tally(request: Request, ctx: Casework, group_id: Id) -> Response:
    """The poll's tally as it stands, for the page to refresh itself while members answer."""
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            _visible(session, ctx.staff, group_id)
            view = polls.view(session, group_id, svc.clock())
            if view is None:
                return {"poll": None}
            return {
                "poll": view.poll,
                "best": view.best,
                "answered": view.answered,
                "members": view.members,
                "open": view.open,
                "slots": [
                    {
                        "position": s.slot.position,
                        "yes": s.tally.yes,
                        "maybe": s.tally.maybe,
                        "no": s.tally.no,
                    }
                    for s in view.slots
                ],
            }

    return JSONResponse(await run_in_threadpool(load))


async def _act(request: Request, ctx: StaffContext, group_id: int, done: str, action) -> Response:
    """Runs `action(session, group, form, now)` on the locked group; a GroupError comes back
    to the page with its words."""
    svc = services(request)
    form = await request.form()

    def run():
        with transaction(svc.engine) as session:
            group = _visible(session, ctx.staff, group_id, lock=True)
            action(session, group, form, svc.clock())

    try:
        await run_in_threadpool(run)
    except GroupError as error:
        extra = f"&warnings={','.join(error.warnings)}" if error.warnings else ""
        return _back(group_id, error=error.key, extra=extra)
    return _back(group_id, done)


@router.post("/groups/{group_id}")
async def group_update(request: Request, ctx: Casework, group_id: Id) -> Response:
    svc = services(request)

    def update(session, group, form, now):
        forming.update(
            session, group, _values(request, form, ctx.staff), svc.content, now,
            actor=staff_actor(ctx.staff.id),
        )  # fmt: skip

    return await _act(request, ctx, group_id, "saved", update)


@router.post("/groups/{group_id}/invite")
async def group_invite(request: Request, ctx: Casework, group_id: Id) -> Response:
    svc = services(request)

    def invite(session, group, form, now):
        ids = [int(v) for v in form.getlist("person") if str(v).isdigit()]
        if not ids:
            raise GroupError("groups.error.nobody")
        override = str(form.get("override") or "")
        visible = people_condition(ctx.staff)
        for person_id in ids:
            person = session.exec(select(Person).where(Person.id == person_id, visible)).first()
            if person is None:
                raise GroupError("groups.error.not_active")
            forming.invite(
                session, group, person, svc.content, now, actor=staff_actor(ctx.staff.id),
                by=ctx.staff.id, override=override, community=bool(form.get("community")),
            )  # fmt: skip

    return await _act(request, ctx, group_id, "invited", invite)


@router.post("/groups/{group_id}/members/{person_id}/remove")
async def group_remove(request: Request, ctx: Casework, group_id: Id, person_id: Id) -> Response:
    def remove(session, group, form, now):
        member = session.exec(
            select(GroupMember).where(
                GroupMember.group_id == group.id, GroupMember.person_id == person_id
            )
        ).first()
        if member is None:
            raise NotFound()
        forming.remove(session, member, now, actor=staff_actor(ctx.staff.id))

    return await _act(request, ctx, group_id, "removed", remove)


@router.post("/groups/{group_id}/approval")
async def group_approval(request: Request, ctx: Casework, group_id: Id) -> Response:
    def approve(session, group, form, now):
        try:
            on = date.fromisoformat(str(form.get("approved_on") or ""))
        except ValueError:
            raise GroupError("groups.error.approval_date") from None
        forming.record_approval(
            session, group, str(form.get("leader") or ""), on, now,
            actor=staff_actor(ctx.staff.id), by=ctx.staff.id,
        )  # fmt: skip

    return await _act(request, ctx, group_id, "approved", approve)


@router.post("/groups/{group_id}/poll")
async def group_poll(request: Request, ctx: Casework, group_id: Id) -> Response:
    svc = services(request)

    def open_poll(session, group, form, now):
        times = []
        for n in range(1, svc.content.groups.slots_max + 1):
            raw = str(form.get(f"time{n}") or "").strip()
            if raw:
                times.append((_local_time(request, raw), str(form.get(f"venue{n}") or "")))
        polls.open_poll(session, group, times, svc.content, now, actor=staff_actor(ctx.staff.id))

    return await _act(request, ctx, group_id, "poll", open_poll)


@router.post("/groups/{group_id}/confirm")
async def group_confirm(request: Request, ctx: Casework, group_id: Id) -> Response:
    svc = services(request)

    def confirm(session, group, form, now):
        try:
            position, count = int(str(form.get("position"))), int(str(form.get("count") or 0))
        except ValueError:
            raise GroupError("groups.error.slot") from None
        polls.confirm(
            session, group, position, svc.content, now, actor=staff_actor(ctx.staff.id),
            meetings_count=count or None,
        )  # fmt: skip

    return await _act(request, ctx, group_id, "confirmed", confirm)


@router.post("/groups/{group_id}/meetings")
async def group_meeting_add(request: Request, ctx: Casework, group_id: Id) -> Response:
    svc = services(request)

    def add(session, group, form, now):
        meetings.add_meeting(
            session, group, _local_time(request, form.get("starts_at")),
            str(form.get("venue") or ""), svc.content, now, actor=staff_actor(ctx.staff.id),
        )  # fmt: skip

    return await _act(request, ctx, group_id, "meeting", add)


def _meeting(session, group: PeerGroup, meeting_id: int) -> GroupMeeting:
    meeting = session.get(GroupMeeting, meeting_id)
    if meeting is None or meeting.group_id != group.id:
        raise NotFound()
    return meeting


@router.post("/groups/{group_id}/meetings/{meeting_id}")
async def group_meeting_change(
    request: Request, ctx: Casework, group_id: Id, meeting_id: Id
) -> Response:
    svc = services(request)
    form = await request.form()
    cancelling = form.get("action") == "cancel"

    def change(session, group, form, now):
        meeting = _meeting(session, group, meeting_id)
        if cancelling:
            meetings.cancel(session, group, meeting, now, actor=staff_actor(ctx.staff.id))
            return
        meetings.change(
            session, group, meeting, _local_time(request, form.get("starts_at")),
            str(form.get("venue") or ""), svc.content, now, actor=staff_actor(ctx.staff.id),
        )  # fmt: skip

    return await _act(request, ctx, group_id, "cancelled" if cancelling else "changed", change)


@router.post("/groups/{group_id}/meetings/{meeting_id}/attendance")
async def group_attendance(
    request: Request, ctx: Casework, group_id: Id, meeting_id: Id
) -> Response:
    svc = services(request)

    def record(session, group, form, now):
        present = [int(v) for v in form.getlist("present") if str(v).isdigit()]
        attendance.record_attendance(
            session, group, _meeting(session, group, meeting_id), present, svc.content, now,
            actor=staff_actor(ctx.staff.id),
        )  # fmt: skip

    return await _act(request, ctx, group_id, "attendance", record)


@router.post("/groups/{group_id}/announce")
async def group_announce(request: Request, ctx: Casework, group_id: Id) -> Response:
    def announce(session, group, form, now):
        announcements.announce(
            session, group, str(form.get("text") or ""), now, actor=staff_actor(ctx.staff.id)
        )

    return await _act(request, ctx, group_id, "announced", announce)


@router.post("/groups/{group_id}/end")
async def group_end(request: Request, ctx: Casework, group_id: Id) -> Response:
    def end(session, group, form, now):
        if form.get("confirm") != "yes":
            raise GroupError("groups.error.confirm_end")
        lifecycle.end(session, group, "stopped", now, actor=staff_actor(ctx.staff.id))

    return await _act(request, ctx, group_id, "ended", end)

"""Savings groups in the admin: the list and a new group (type, constitution, members and
officers), and a group's page — members with their figures, officers with their history, the
constitution, meetings and their records (entered here with a check before they count), the
ledger with every correction beside what it corrects, health figures, and the share-out.
Amounts are shown to admins and the group's own facilitator only, and each look is audited."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import or_, true
from sqlmodel import select

from admin.deps import Casework, NotFound, StaffContext, services
from admin.params import Id
from admin.render import render
from admin.scope import people_condition
from admin.scope import sees_savings_amounts as sees_amounts
from bot.audit import audit, staff_actor
from bot.db import transaction
from bot.models import Person, SavingsEntry, SavingsGroup, SavingsMeeting, SavingsMember, Staff
from bot.savings import book, closing, health, receipts, registry, views
from bot.savings.errors import SavingsError
from bot.savings.registry import SavingsGroupValues
from flows.content import Content
from flows.savings.constitution import CADENCES, INTEREST_METHODS, OFFICES, TYPES, Constitution
from flows.savings.money import parse_amount, plain_amount
from flows.savings.recording import MeetingReport

router = APIRouter(prefix="/admin")
DONE = ("created", "saved", "member", "left", "officer", "recorded", "entry", "corrected",
        "proposed", "shared_out", "choices")  # fmt: skip
# Entries staff may add outside a meeting's record.
LOOSE_ENTRIES = ("social_payout", "fine", "repayment")


def savings_condition(staff: Staff):
    """Admins see every group; a facilitator the groups they facilitate or registered."""
    if staff.role == "admin":
        return true()
    return or_(SavingsGroup.facilitator_id == staff.id, SavingsGroup.created_by == staff.id)


def _visible(session, staff: Staff, group_id: int, lock: bool = False) -> SavingsGroup:
    group = session.get(SavingsGroup, group_id, with_for_update=lock)
    if group is None:
        raise NotFound()
    if staff.role == "admin" or staff.id in (group.facilitator_id, group.created_by):
        return group
    raise NotFound()


def _back(group_id: int, done: str | None = None, error: str | None = None) -> Response:
    query = f"done={done}" if done else f"error={quote(error or '')}"
    return RedirectResponse(f"/admin/savings/{group_id}?{query}", status_code=303)


# -- reading forms ----------------------------------------------------------------------------


def _int(form, name: str, default: int) -> int:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise SavingsError("savings.error.number")
    return int(raw)


def _money(form, name: str, default: int, decimals: int) -> int:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return default
    value = parse_amount(raw, decimals)
    if value is None:
        raise SavingsError("savings.error.amount_typed")
    return value


def _date(form, name: str, default: date | None) -> date | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SavingsError("savings.error.cycle") from None


def _constitution(form, content: Content, base: Constitution | None = None) -> Constitution:
    """The constitution typed in the form, over `base` (the group's own, or the defaults)."""
    rules = content.savings
    start = _date(form, "cycle_start", base.cycle_start if base else None)
    if start is None:
        raise SavingsError("savings.error.cycle")
    base = base or rules.constitution(start)
    currency = str(form.get("currency") or base.currency).strip().upper()
    decimals = rules.decimals(currency)
    end = _date(form, "cycle_end", base.cycle_end)
    try:
        multiple = Decimal(str(form.get("loan_multiple") or base.loan_multiple).replace(",", "."))
        interest = Decimal(
            str(form.get("interest_percent") or base.interest_percent).replace(",", ".")
        )
        clock = time.fromisoformat(str(form.get("meeting_time") or base.meeting_time.isoformat()))
    except (InvalidOperation, ValueError):
        raise SavingsError("savings.error.loan_rules") from None
    dates = (
        tuple(sorted({d for line in str(form.get("dates") or "").split() if (d := _day(line))}))
        or base.dates
    )
    return Constitution(
        cadence=str(form.get("cadence") or base.cadence), dates=dates, currency=currency,
        share_value=_money(form, "share_value", base.share_value, decimals),
        min_shares=_int(form, "min_shares", base.min_shares),
        max_shares=_int(form, "max_shares", base.max_shares),
        social_fund=_money(form, "social_fund", base.social_fund, decimals),
        loan_multiple=multiple, interest_percent=interest,
        interest_method=str(form.get("interest_method") or base.interest_method),
        loan_term_months=_int(form, "loan_term_months", base.loan_term_months),
        fines=bool(form.get("fines")) if "fines_shown" in form else base.fines,
        fine_late=_money(form, "fine_late", base.fine_late, decimals),
        fine_absent=_money(form, "fine_absent", base.fine_absent, decimals),
        cycle_start=start, cycle_end=end,
        share_out_on=_date(form, "share_out_on", base.share_out_on if base.cycle_end == end else end),
        keep_in_social_fund=_money(form, "keep_in_social_fund", base.keep_in_social_fund, decimals),
        meeting_time=clock,
    )  # fmt: skip


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip().rstrip(","))
    except ValueError:
        raise SavingsError("savings.error.dates") from None


def _team(session) -> list[Staff]:
    return list(session.exec(select(Staff).where(Staff.active.is_(True), Staff.role != "viewer")))


def _people(session, staff: Staff) -> list[Person]:
    """Enrolled people this staff member may place in a group."""
    return list(
        session.exec(
            select(Person)
            .where(Person.status == "active", Person.erased_at.is_(None), people_condition(staff))
            .order_by(Person.display_name)
            .limit(500)
        )
    )


# -- the list ---------------------------------------------------------------------------------


@router.get("/savings")
async def savings_groups(request: Request, ctx: Casework) -> Response:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            rows = views.groups_list(session, savings_condition(ctx.staff), svc.clock())
            team, people = _team(session), _people(session, ctx.staff)
            session.expunge_all()
            return rows, team, people

    rows, team, people = await run_in_threadpool(load)
    error = request.query_params.get("error") or ""
    today = registry.today_in(svc.content, svc.clock())
    return render(
        request, ctx, "savings.html", groups=rows, team=team, people=people,
        defaults=svc.content.savings.constitution(today), rules=svc.content.savings,
        types=TYPES, cadences=CADENCES, methods=INTEREST_METHODS, offices=OFFICES,
        plain=plain_amount,
        error=error if error.startswith(("savings.error.", "groups.error.")) else None,
    )  # fmt: skip


@router.post("/savings")
async def savings_create(request: Request, ctx: Casework) -> Response:
    svc = services(request)
    form = await request.form()

    def create():
        with transaction(svc.engine) as session:
            allowed = {p.id for p in _people(session, ctx.staff)}
            members = [int(v) for v in form.getlist("person") if str(v).isdigit()]
            if not members or any(m not in allowed for m in members):
                raise SavingsError("savings.error.person")
            officers = {}
            for office in OFFICES:
                raw = str(form.get(office) or "")
                if raw.isdigit():
                    officers[office] = int(raw)
            facilitator = str(form.get("facilitator") or "")
            district = str(form.get("district") or "")
            values = SavingsGroupValues(
                name=str(form.get("name") or ""), kind=str(form.get("kind") or ""),
                district=district if district in svc.content.option_sets["district"] else None,
                language=str(form.get("language") or svc.content.default_language),
                facilitator_id=int(facilitator) if facilitator.isdigit() else ctx.staff.id,
                constitution=_constitution(form, svc.content),
            )  # fmt: skip
            community = {int(v) for v in form.getlist("community") if str(v).isdigit()}
            group = registry.register(
                session, values, [(m, m in community) for m in members], officers, svc.content,
                svc.clock(), actor=staff_actor(ctx.staff.id), by=ctx.staff.id,
            )  # fmt: skip
            return group.id

    try:
        group_id = await run_in_threadpool(create)
    except SavingsError as error:
        return RedirectResponse(f"/admin/savings?error={quote(error.key)}", status_code=303)
    return _back(group_id, "created")


# -- a group's page ---------------------------------------------------------------------------


@router.get("/savings/{savings_id}")
async def savings_show(request: Request, ctx: Casework, savings_id: Id) -> Response:
    svc = services(request)
    now = svc.clock()

    def load():
        with transaction(svc.engine) as session:
            group = _visible(session, ctx.staff, savings_id)
            page = views.group_page(session, group, svc.content, now)
            amounts = sees_amounts(ctx.staff, group)
            if amounts:
                audit(session, staff_actor(ctx.staff.id), "savings.viewed", None, now,
                      group=group.id)  # fmt: skip
            people = _people(session, ctx.staff)
            session.expunge_all()
            return page, amounts, people

    page, amounts, people = await run_in_threadpool(load)
    error = request.query_params.get("error") or ""
    done = request.query_params.get("done")
    return render(
        request, ctx, "savings_group.html", page=page, amounts=amounts, people=people, now=now,
        types=TYPES, cadences=CADENCES, methods=INTEREST_METHODS, offices=OFFICES,
        loose=LOOSE_ENTRIES, rules=svc.content.savings, plain=plain_amount,
        error=error if error.startswith(("savings.error.", "groups.error.")) else None,
        done=done if done in DONE else None,
    )  # fmt: skip


async def _act(request: Request, ctx: StaffContext, group_id: int, done: str, action) -> Response:
    """Runs `action(session, group, form, now)` on the locked group; a SavingsError comes
    back to the page with its words. Changing money needs the right to see it."""
    svc = services(request)
    form = await request.form()

    def run():
        with transaction(svc.engine) as session:
            group = _visible(session, ctx.staff, group_id, lock=True)
            if not sees_amounts(ctx.staff, group):
                raise SavingsError("savings.error.not_facilitator")
            action(session, group, form, svc.clock())

    try:
        await run_in_threadpool(run)
    except SavingsError as error:
        return _back(group_id, error=error.key)
    return _back(group_id, done)


def _member(session, group: SavingsGroup, member_id: int) -> SavingsMember:
    member = session.get(SavingsMember, member_id)
    if member is None or member.group_id != group.id:
        raise NotFound()
    return member


def _actor(ctx: StaffContext) -> str:
    return staff_actor(ctx.staff.id)


@router.post("/savings/{savings_id}/constitution")
async def savings_constitution(request: Request, ctx: Casework, savings_id: Id) -> Response:
    svc = services(request)

    def change(session, group, form, now):
        base = registry.constitution_of(group, svc.content)
        registry.update_constitution(
            session, group, _constitution(form, svc.content, base), svc.content, now,
            actor=_actor(ctx),
        )  # fmt: skip

    return await _act(request, ctx, savings_id, "saved", change)


@router.post("/savings/{savings_id}/members")
async def savings_member_add(request: Request, ctx: Casework, savings_id: Id) -> Response:
    svc = services(request)

    def add(session, group, form, now):
        raw = str(form.get("person") or "")
        allowed = {p.id for p in _people(session, ctx.staff)}
        if not raw.isdigit() or int(raw) not in allowed:
            raise SavingsError("savings.error.person")
        registry.add_member(session, group, int(raw), now, actor=_actor(ctx),
                            community=bool(form.get("community")))  # fmt: skip
        registry.schedule_cycle(session, group, svc.content, now)

    return await _act(request, ctx, savings_id, "member", add)


@router.post("/savings/{savings_id}/members/{member_id}/leave")
async def savings_member_leave(
    request: Request, ctx: Casework, savings_id: Id, member_id: Id
) -> Response:
    svc = services(request)

    def leave(session, group, form, now):
        if form.get("confirm") != "yes":
            raise SavingsError("savings.error.confirm")
        closing.leave(session, group, _member(session, group, member_id), svc.content, now,
                      actor=_actor(ctx))  # fmt: skip

    return await _act(request, ctx, savings_id, "left", leave)


@router.post("/savings/{savings_id}/members/{member_id}")
async def savings_member_choices(
    request: Request, ctx: Casework, savings_id: Id, member_id: Id
) -> Response:
    """What the member asked for: amounts in their messages, a receipt after each meeting."""

    def choose(session, group, form, now):
        member = _member(session, group, member_id)
        member.details, member.receipts = bool(form.get("details")), bool(form.get("receipts"))
        audit(session, _actor(ctx), "savings.member_choices", member.person_id, now,
              group=group.id, fields=["details", "receipts"])  # fmt: skip

    return await _act(request, ctx, savings_id, "choices", choose)


@router.post("/savings/{savings_id}/officers")
async def savings_officer(request: Request, ctx: Casework, savings_id: Id) -> Response:
    def appoint(session, group, form, now):
        raw = str(form.get("member") or "")
        if not raw.isdigit():
            raise SavingsError("savings.error.officer_member")
        registry.appoint(session, group, str(form.get("office") or ""),
                         _member(session, group, int(raw)), now, actor=_actor(ctx),
                         by=ctx.staff.id)  # fmt: skip

    return await _act(request, ctx, savings_id, "officer", appoint)


def _report(form, session, group: SavingsGroup, content: Content) -> MeetingReport:
    decimals = content.savings.decimals(registry.constitution_of(group, content).currency)
    members = registry.members_of(session, group.id, active_only=True)
    report: dict = {"present": [], "shares": {}, "social": [], "loans": {}, "repayments": {},
                    "fines": {}}  # fmt: skip
    for m in members:
        if form.get(f"present_{m.id}"):
            report["present"].append(m.id)
        if form.get(f"social_{m.id}"):
            report["social"].append(m.id)
        shares = _int(form, f"shares_{m.id}", 0)
        if shares:
            report["shares"][m.id] = shares
        for kind in ("loans", "repayments", "fines"):
            amount = _money(form, f"{kind}_{m.id}", 0, decimals)
            if amount:
                report[kind][m.id] = amount
    return MeetingReport.from_dict(report)


@router.post("/savings/{savings_id}/meetings/{savings_meeting_id}/record")
async def savings_record(
    request: Request, ctx: Casework, savings_id: Id, savings_meeting_id: Id
) -> Response:
    """The facilitator enters a meeting's record: shown back to check (`check`), then kept."""
    svc = services(request)
    form = await request.form()
    now = svc.clock()

    def run():
        with transaction(svc.engine) as session:
            group = _visible(session, ctx.staff, savings_id, lock=True)
            if not sees_amounts(ctx.staff, group):
                raise SavingsError("savings.error.not_facilitator")
            meeting = session.get(SavingsMeeting, savings_meeting_id)
            if meeting is None or meeting.group_id != group.id:
                raise NotFound()
            report = _report(form, session, group, svc.content)
            if form.get("action") != "confirm":
                page = views.group_page(session, group, svc.content, now)
                session.expunge_all()
                return page, meeting, report
            book.record_meeting(session, group, meeting, report, svc.content, now,
                                actor=_actor(ctx))  # fmt: skip
            receipts.send(session, group, meeting, svc.content, now)
            health.check(session, group, svc.content, now)
            return None

    try:
        checking = await run_in_threadpool(run)
    except SavingsError as error:
        return _back(savings_id, error=error.key)
    if checking is None:
        return _back(savings_id, "recorded")
    page, meeting, report = checking
    return render(request, ctx, "savings_record.html", page=page, meeting=meeting, report=report,
                  form=form, plain=plain_amount)  # fmt: skip


@router.post("/savings/{savings_id}/entries")
async def savings_entry(request: Request, ctx: Casework, savings_id: Id) -> Response:
    svc = services(request)

    def add(session, group, form, now):
        kind = str(form.get("kind") or "")
        if kind not in LOOSE_ENTRIES:
            raise SavingsError("savings.error.entry")
        member = _member(session, group, _int(form, "member", 0))
        decimals = svc.content.savings.decimals(
            registry.constitution_of(group, svc.content).currency
        )
        amount = _money(form, "amount", 0, decimals)
        if amount <= 0:
            raise SavingsError("savings.error.amount_typed")
        on = _date(form, "on", registry.today_in(svc.content, now))
        if kind == "social_payout":
            book.add_entry(session, group, kind, amount, on, now, actor=_actor(ctx),
                           member_id=member.id, note=str(form.get("note") or ""))  # fmt: skip
            return
        # A repayment or a fine brought between meetings: checked as a record is.
        field = "repayments" if kind == "repayment" else "fines"
        book.write_report(session, group, MeetingReport(**{field: {member.id: amount}}), on,
                          svc.content, now, actor=_actor(ctx))  # fmt: skip

    return await _act(request, ctx, savings_id, "entry", add)


@router.post("/savings/{savings_id}/entries/{entry_id}/correct")
async def savings_correct(
    request: Request, ctx: Casework, savings_id: Id, entry_id: Id
) -> Response:
    svc = services(request)

    def correct(session, group, form, now):
        entry = session.get(SavingsEntry, entry_id)
        if entry is None or entry.group_id != group.id:
            raise NotFound()
        decimals = svc.content.savings.decimals(
            registry.constitution_of(group, svc.content).currency
        )
        shares = _int(form, "shares", entry.shares) if entry.kind == "shares" else None
        amount = _money(form, "amount", entry.amount, decimals)
        note = str(form.get("note") or "").strip()
        if not note:
            raise SavingsError("savings.error.note")
        book.correct(session, group, entry.id, amount, now, actor=_actor(ctx), content=svc.content,
                     shares=shares, note=note)  # fmt: skip

    return await _act(request, ctx, savings_id, "corrected", correct)


@router.post("/savings/{savings_id}/share-out")
async def savings_share_out(request: Request, ctx: Casework, savings_id: Id) -> Response:
    svc = services(request)

    def propose(session, group, form, now):
        closing.propose(session, group, svc.content, now, actor=_actor(ctx),
                        on=_date(form, "on", None))  # fmt: skip

    return await _act(request, ctx, savings_id, "proposed", propose)


@router.post("/savings/{savings_id}/share-out/confirm")
async def savings_share_out_confirm(request: Request, ctx: Casework, savings_id: Id) -> Response:
    svc = services(request)

    def confirm(session, group, form, now):
        if form.get("confirm") != "yes":
            raise SavingsError("savings.error.confirm")
        share_out = views.group_page(session, group, svc.content, now).share_out
        if share_out is None:
            raise SavingsError("savings.error.no_share_out")
        leaving = {int(v) for v in form.getlist("leaving") if str(v).isdigit()}
        closing.confirm(session, group, share_out, svc.content, now, actor=_actor(ctx),
                        leaving=leaving)  # fmt: skip

    return await _act(request, ctx, savings_id, "shared_out", confirm)

"""The end of a cycle, and a member leaving before it. The share-out is computed from the
ledger (flows/savings/shareout.py), kept as a proposal the officers check with their
facilitator, then confirmed: the netted loans closed, each payout written to the ledger, the
members told (discreetly) and the next cycle started with those who stay, the social fund
carried into it."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from bot.audit import audit
from bot.messaging.outbox import enqueue
from bot.models import Person, SavingsGroup, SavingsMember, SavingsShareOut
from bot.people.consents import consents_of
from bot.people.contacts import preferred_contact
from bot.people.reach import why_not
from bot.savings import book, registry, reminders
from bot.savings.errors import SavingsError
from flows.content import Content
from flows.context import spoken_language
from flows.dates import add_months
from flows.savings.money import format_amount
from flows.savings.shareout import compute, settlements
from flows.savings.statement import savings_key, shows_details
from flows.types import Message


def propose(
    session: Session, group: SavingsGroup, content: Content, now: datetime, *, actor: str,
    on: date | None = None,
) -> SavingsShareOut:  # fmt: skip
    """The share-out table as the ledger stands (proposed again, it is computed afresh)."""
    constitution = registry.constitution_of(group, content)
    on = on or constitution.share_out_on or registry.today_in(content, now)
    box = book.box_of(session, group)
    members = [m.id for m in registry.members_of(session, group.id)]
    share_out = compute(box, members, constitution.keep_in_social_fund, on)
    row = session.scalar(
        select(SavingsShareOut).where(
            SavingsShareOut.group_id == group.id, SavingsShareOut.cycle == group.cycle
        )
    )
    if row is not None and row.status == "confirmed":
        raise SavingsError("savings.error.shared_out")
    if row is None:
        row = SavingsShareOut(group_id=group.id, cycle=group.cycle, on=on)
        session.add(row)
    row.on, row.pot, row.kept, row.remainder = (
        on,
        share_out.pot,
        share_out.kept,
        share_out.remainder,
    )
    row.rows = [asdict(r) for r in share_out.rows]
    row.proposed_at = now
    session.flush()
    _show_officers(session, group, share_out, constitution.currency, content, now)
    audit(
        session, actor, "savings.share_out_proposed", None, now, group=group.id, cycle=group.cycle
    )
    return row


def confirm(
    session: Session, group: SavingsGroup, share_out: SavingsShareOut, content: Content,
    now: datetime, *, actor: str, leaving: set[int] = frozenset(),
) -> SavingsGroup:  # fmt: skip
    """Records the share-out as proposed, if the ledger has not moved since (else it must
    be proposed again), tells each member their own payout and starts the next cycle with
    the members who stay (`leaving`: member ids who do not)."""
    if share_out.status == "confirmed" or share_out.group_id != group.id:
        raise SavingsError("savings.error.shared_out")
    box = book.box_of(session, group)
    constitution = registry.constitution_of(group, content)
    members = [m.id for m in registry.members_of(session, group.id)]
    fresh = compute(box, members, constitution.keep_in_social_fund, share_out.on)
    if [asdict(r) for r in fresh.rows] != share_out.rows or fresh.pot != share_out.pot:
        raise SavingsError("savings.error.share_out_moved")
    for row in fresh.rows:
        for loan, principal in settlements(box, row):
            book.add_entry(session, group, "settle", principal, share_out.on, now, actor=actor,
                           member_id=row.member, loan_id=loan, note="netted at share-out")  # fmt: skip
        if row.entitlement + row.credit:
            book.add_entry(session, group, "share_out", row.entitlement + row.credit, share_out.on,
                           now, actor=actor, member_id=row.member)  # fmt: skip
    share_out.status, share_out.confirmed_at, share_out.confirmed_by = "confirmed", now, actor
    left_in_box = book.box_of(session, group).cash
    _tell_members(session, group, fresh.rows, constitution.currency, content, now)
    reminders.cancel(session, "cycle over", group_id=group.id)
    # The next cycle: the same rules over the same length of time, from the day after.
    start = share_out.on + timedelta(days=1)
    months = max(1, round((constitution.cycle_end - constitution.cycle_start).days / 30.44))
    end = add_months(start, months) - timedelta(days=1)
    dates = tuple(
        add_months(d, months) for d in constitution.dates
    ) if constitution.cadence == "dates" else ()  # fmt: skip
    nxt = replace(constitution, cycle_start=start, cycle_end=end, share_out_on=end, dates=dates)
    for member in registry.members_of(session, group.id, active_only=True):
        if member.id in leaving:
            member.status, member.left_at = "left", now
    group.cycle += 1
    group.constitution, group.updated_at = nxt.as_dict(), now
    session.flush()
    if left_in_box > 0:
        book.add_entry(session, group, "opening", left_in_box, start, now, actor=actor,
                       note="carried from the last cycle")  # fmt: skip
    registry.schedule_cycle(session, group, content, now)
    audit(session, actor, "savings.share_out", None, now, group=group.id, cycle=group.cycle - 1,
          leaving=len(leaving))  # fmt: skip
    return group


def _show_officers(session, group, share_out, currency: str, content: Content, now) -> None:
    """The table goes to the group's officers to check (off SMS in full; over SMS, where a
    list of everyone's money has no place, that it is ready)."""
    decimals = content.savings.decimals(currency)
    names = {}
    for m in registry.members_of(session, group.id):
        person = session.get(Person, m.person_id) if m.person_id else None
        first = (person.display_name or "").split() if person else []
        names[m.id] = first[0] if first else f"#{m.number}"
    for officer in registry.current_officers(session, group.id).values():
        member = session.get(SavingsMember, officer.member_id)
        if member.person_id is None or member.status != "active":
            continue
        person = session.get(Person, member.person_id)
        contact = preferred_contact(session, person.id)
        if contact is None or why_not(person, consents_of(session, person.id)) is not None:
            continue
        language = spoken_language(person.language, content)
        detailed = shows_details(member.details, contact.channel)
        key = savings_key("share_out_ready", detailed)
        text = content.catalog.text(
            language, key, contact.channel, date=f"{share_out.on.day}/{share_out.on.month}",
            pot=format_amount(share_out.pot, currency, decimals), count=len(share_out.rows),
        )  # fmt: skip
        if detailed and contact.channel != "sms":
            text += "\n" + "\n".join(
                f"{names.get(r.member, '?')}: {format_amount(r.payout, currency, decimals)}"
                for r in share_out.rows
            )
        enqueue(session, person, contact, Message(text, (), key), now, initiated=True)


def _tell_members(session, group, rows, currency: str, content: Content, now: datetime) -> None:
    decimals = content.savings.decimals(currency)
    by_member = {m.id: m for m in registry.members_of(session, group.id)}
    for row in rows:
        member = by_member.get(row.member)
        if member is None or member.person_id is None or member.status != "active":
            continue
        person = session.get(Person, member.person_id)
        contact = preferred_contact(session, person.id)
        if contact is None or why_not(person, consents_of(session, person.id)) is not None:
            continue
        key = savings_key("shared_out", shows_details(member.details, contact.channel))
        text = content.catalog.text(
            spoken_language(person.language, content), key, contact.channel,
            amount=format_amount(row.payout, currency, decimals),
        )  # fmt: skip
        enqueue(session, person, contact, Message(text, (), key), now, initiated=True)


def leave(
    session: Session, group: SavingsGroup, member: SavingsMember, content: Content,
    now: datetime, *, actor: str, on: date | None = None,
) -> int:  # fmt: skip
    """A member leaves before the share-out and takes their savings: what they still owe on
    loans is netted from them first. Returns what they take (minor units)."""
    if member.group_id != group.id or member.status != "active":
        raise SavingsError("savings.error.not_member")
    on = on or registry.today_in(content, now)
    box = book.box_of(session, group)
    savings, shares = box.savings.get(member.id, 0), box.shares.get(member.id, 0)
    left = savings
    for loan, state in sorted(box.loans.items()):
        if box.borrower[loan] == member.id and state.outstanding > 0 and left > 0:
            take = min(left, state.outstanding)
            book.add_entry(session, group, "settle", take, on, now, actor=actor,
                           member_id=member.id, loan_id=loan, note="netted on leaving")  # fmt: skip
            left -= take
    if savings:
        book.add_entry(session, group, "withdrawal", savings, on, now, actor=actor,
                       member_id=member.id, shares=shares, note="left the group")  # fmt: skip
    member.status, member.left_at = "left", now
    for officer in registry.current_officers(session, group.id).values():
        if officer.member_id == member.id:
            officer.until = now
    reminders.cancel(session, "left", member_id=member.id)
    audit(session, actor, "savings.member_left", member.person_id, now, group=group.id)
    return left

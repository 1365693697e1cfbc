"""What the admin shows of savings groups: the list, and a group's page (members with their
figures, officers and their history, the constitution, meetings, the ledger with each
correction beside what it corrects, health figures and the share-out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from bot.models import (
    Person,
    SavingsEntry,
    SavingsGroup,
    SavingsMeeting,
    SavingsMember,
    SavingsOfficer,
    SavingsShareOut,
    Staff,
)
from bot.savings import book, registry
from bot.savings.health import health_of
from bot.savings.standing import figures
from flows.content import Content
from flows.savings.constitution import Constitution
from flows.savings.health import Health
from flows.savings.ledger import Box
from flows.savings.money import format_amount
from flows.savings.statement import Figures


@dataclass
class GroupRow:
    group: SavingsGroup
    members: int
    next_meeting: datetime | None
    facilitator: str | None


def groups_list(session: Session, condition, now: datetime) -> list[GroupRow]:
    groups = session.scalars(
        select(SavingsGroup).where(condition).order_by(SavingsGroup.name)
    ).all()
    ids = [g.id for g in groups]
    counts = dict(
        session.execute(
            select(SavingsMember.group_id, func.count())
            .where(SavingsMember.group_id.in_(ids), SavingsMember.status == "active")
            .group_by(SavingsMember.group_id)
        ).all()
    )
    nxt = dict(
        session.execute(
            select(SavingsMeeting.group_id, func.min(SavingsMeeting.starts_at))
            .where(
                SavingsMeeting.group_id.in_(ids),
                SavingsMeeting.status == "scheduled",
                SavingsMeeting.starts_at > now,
            )
            .group_by(SavingsMeeting.group_id)
        ).all()
    )
    names = dict(session.execute(select(Staff.id, Staff.name)).all())
    return [
        GroupRow(g, counts.get(g.id, 0), nxt.get(g.id), names.get(g.facilitator_id)) for g in groups
    ]


@dataclass
class MemberRow:
    member: SavingsMember
    name: str | None
    offices: list[str]
    figures: Figures


@dataclass
class EntryRow:
    entry: SavingsEntry
    member: str | None
    corrected_by: int | None  # the entry that corrects this one
    counts: bool  # the last of its chain


@dataclass
class GroupPage:
    group: SavingsGroup
    constitution: Constitution
    decimals: int
    facilitator: str | None
    members: list[MemberRow]
    officers: list[tuple[SavingsOfficer, str | None]]  # every holder, newest first
    meetings: list[SavingsMeeting]
    entries: list[EntryRow]
    box: Box
    health: Health
    share_out: SavingsShareOut | None
    names: dict[int, str | None] = field(default_factory=dict)  # member id -> name

    def money(self, minor: int | None) -> str:
        return format_amount(minor or 0, self.constitution.currency, self.decimals)


def group_page(session: Session, group: SavingsGroup, content: Content, now: datetime) -> GroupPage:
    constitution = registry.constitution_of(group, content)
    members = registry.members_of(session, group.id)
    people = dict(
        session.execute(
            select(Person.id, Person.display_name).where(
                Person.id.in_([m.person_id for m in members if m.person_id])
            )
        ).all()
    )
    names = {m.id: people.get(m.person_id) if m.person_id else None for m in members}
    officers = session.scalars(
        select(SavingsOfficer)
        .where(SavingsOfficer.group_id == group.id)
        .order_by(SavingsOfficer.since.desc(), SavingsOfficer.id.desc())
    ).all()
    offices: dict[int, list[str]] = {}
    for o in officers:
        if o.until is None:
            offices.setdefault(o.member_id, []).append(o.office)
    box = book.box_of(session, group)
    rows = book.rows_of(session, group.id, group.cycle)
    corrected = {r.corrects_id: r.id for r in rows if r.corrects_id is not None}
    entries = [
        EntryRow(r, names.get(r.member_id), corrected.get(r.id), r.id not in corrected)
        for r in rows
    ]
    facilitator = session.get(Staff, group.facilitator_id) if group.facilitator_id else None
    return GroupPage(
        group=group, constitution=constitution,
        decimals=content.savings.decimals(constitution.currency),
        facilitator=facilitator.name if facilitator else None,
        members=[MemberRow(m, names[m.id], offices.get(m.id, []), figures(box, m.id)) for m in members],
        officers=[(o, names.get(o.member_id)) for o in officers],
        meetings=registry.meetings_of(session, group.id, group.cycle),
        entries=entries, box=box, health=health_of(session, group, content, now),
        share_out=session.scalar(
            select(SavingsShareOut).where(
                SavingsShareOut.group_id == group.id, SavingsShareOut.cycle == group.cycle
            )
        ),
        names=names,
    )  # fmt: skip


@dataclass
class PersonSavings:
    group: SavingsGroup
    member: SavingsMember
    offices: list[str]
    figures: Figures | None  # None: not for this staff member's eyes
    currency: str
    decimals: int

    def money(self, minor: int) -> str:
        return format_amount(minor, self.currency, self.decimals)


def of_person(
    session: Session, person_id: int, content: Content, today: date, amounts_for
) -> list[PersonSavings]:
    """The person's savings groups; `amounts_for(group)`: may this staff member see amounts."""
    out = []
    for member in session.scalars(
        select(SavingsMember).where(SavingsMember.person_id == person_id).order_by(SavingsMember.id)
    ):
        group = session.get(SavingsGroup, member.group_id)
        c = registry.constitution_of(group, content)
        shown = (
            figures(book.box_of(session, group, until=today), member.id)
            if amounts_for(group)
            else None
        )
        out.append(
            PersonSavings(
                group,
                member,
                sorted(registry.offices_of(session, member.id)),
                shown,
                c.currency,
                content.savings.decimals(c.currency),
            )  # fmt: skip
        )
    return out

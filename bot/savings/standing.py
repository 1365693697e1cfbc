"""A member's standing in their savings groups, read from the ledger: their figures for the
statement (BALANCE), and the group's totals for its officers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from bot.models import SavingsGroup, SavingsMember
from bot.savings.book import box_of
from bot.savings.registry import constitution_of, offices_of
from flows.content import Content
from flows.savings.balance import Membership
from flows.savings.ledger import Box
from flows.savings.statement import Figures, GroupFigures


def memberships(session: Session, person_id: int) -> list[tuple[SavingsMember, SavingsGroup]]:
    """The person's active memberships of active groups."""
    return list(
        session.execute(
            select(SavingsMember, SavingsGroup)
            .join(SavingsGroup, SavingsGroup.id == SavingsMember.group_id)
            .where(
                SavingsMember.person_id == person_id,
                SavingsMember.status == "active",
                SavingsGroup.status == "active",
            )
            .order_by(SavingsGroup.id)
        ).all()
    )


def figures(box: Box, member_id: int) -> Figures:
    owed, next_on, next_amount = box.owed_by(member_id), None, 0
    for state in box.member_loans(member_id):
        due = state.next_due()
        if due is not None and (next_on is None or due.due_on < next_on):
            next_on, next_amount = due.due_on, state.left_on(due)
    return Figures(box.shares.get(member_id, 0), box.savings.get(member_id, 0), owed, next_on,
                   next_amount)  # fmt: skip


def group_figures(box: Box, members: int) -> GroupFigures:
    return GroupFigures(box.total_savings, box.cash, box.loans_outstanding, box.social_fund,
                        members)  # fmt: skip


def standing_of(
    session: Session, person_id: int, content: Content, today: date
) -> list[Membership]:
    out = []
    for member, group in memberships(session, person_id):
        box = box_of(session, group, until=today)
        constitution = constitution_of(group, content)
        officer = bool(offices_of(session, member.id))
        active = session.scalars(
            select(SavingsMember.id).where(
                SavingsMember.group_id == group.id, SavingsMember.status == "active"
            )
        ).all()
        out.append(
            Membership(
                member.details, constitution.currency,
                content.savings.decimals(constitution.currency), figures(box, member.id),
                group_figures(box, len(active)) if officer else None,
            )
        )  # fmt: skip
    return out

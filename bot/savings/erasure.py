"""Erasing a person from the savings groups: their membership rows stay as tombstones (no
person, no choices), so the group's ledger, attendance and share-outs still balance; their
reminders are cancelled."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.casework.erasure import Eraser, ErasureContext
from bot.models import SavingsMember, SavingsTask
from bot.savings.reminders import TO_DO


def _erase_savings(ctx: ErasureContext) -> None:
    session, pid = ctx.session, ctx.person_id
    members = list(session.scalars(select(SavingsMember.id).where(SavingsMember.person_id == pid)))
    if members:
        session.execute(
            update(SavingsTask)
            .where(SavingsTask.member_id.in_(members), SavingsTask.status.in_(TO_DO))
            .values(status="cancelled", note="erased")
        )
    session.execute(
        update(SavingsMember)
        .where(SavingsMember.person_id == pid)
        .values(person_id=None, details=False, receipts=False)
    )


ERASERS = (
    Eraser(
        "savings",
        frozenset(
            {
                ("savings_member", "person_id"),
                # The group's own rows, which the member's point into: they stay (the
                # ledger balances), and hold nothing of the person once unlinked above.
                ("savings_attendance", "member_id"),
                ("savings_entry", "member_id"),
                ("savings_officer", "member_id"),
                ("savings_task", "member_id"),
                ("savings_task", "loan_id"),
                ("savings_entry", "loan_id"),
                ("savings_entry", "corrects_id"),
            }
        ),
        _erase_savings,
    ),
)

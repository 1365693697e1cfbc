"""Savings groups: the group and its constitution, its members and officers (with history),
its meetings and who came, the ledger (append-only), share-outs and the due rows of its
reminders. Money is integer minor units (BigInteger), never a float."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import _json, _utc
from bot.timeutil import utcnow


def _money(nullable: bool = False):
    return Field(default=0, sa_column=Column(BigInteger, nullable=nullable, default=0))


class SavingsGroup(SQLModel, table=True):
    """A savings group: active through its cycles (cycle 1, 2, ...); closed when it stops.
    The constitution is the group's own (flows/savings/constitution.py), stored as JSON
    with amounts as integers and rates as text."""

    __tablename__ = "savings_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    kind: str = Field(default="savings_and_loan", max_length=24)
    district: str | None = Field(default=None, max_length=64, index=True)
    language: str = Field(default="en", max_length=8)
    status: str = Field(default="active", max_length=16, index=True)  # active, closed
    facilitator_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    cycle: int = 1
    constitution: dict = _json(dict)
    note: str | None = Field(default=None, max_length=500)
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)
    updated_at: datetime = _utc(default_factory=utcnow, nullable=False)


class SavingsMember(SQLModel, table=True):
    """A person in a savings group: number 1.. as the officers' lists show them. An erased
    member's row stays with no person (a tombstone), so the ledger still balances."""

    __tablename__ = "savings_member"
    __table_args__ = (UniqueConstraint("group_id", "number", name="uq_savings_member_number"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="savings_group.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    number: int
    status: str = Field(default="active", max_length=16)  # active, left
    community: bool = False  # a community member rather than a returnee
    details: bool = False  # chose to see amounts in their messages
    receipts: bool = False  # chose a short receipt of their own entry after each meeting
    joined_at: datetime = _utc(default_factory=utcnow, nullable=False)
    left_at: datetime | None = _utc()


class SavingsOfficer(SQLModel, table=True):
    """Who held an office (chair, treasurer, secretary) and when: the current holder has no
    end; a change closes one row and opens another."""

    __tablename__ = "savings_officer"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="savings_group.id", index=True)
    member_id: int = Field(foreign_key="savings_member.id", index=True)
    office: str = Field(max_length=16)
    since: datetime = _utc(nullable=False)
    until: datetime | None = _utc()
    appointed_by: int | None = Field(default=None, foreign_key="staff.id")


class SavingsMeeting(SQLModel, table=True):
    """One meeting of a cycle. `recorded_at`: when its record was confirmed (by the officer
    in the chat, or entered in the admin)."""

    __tablename__ = "savings_meeting"
    __table_args__ = (
        UniqueConstraint("group_id", "cycle", "number", name="uq_savings_meeting_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="savings_group.id", index=True)
    cycle: int = 1
    number: int
    on: date
    starts_at: datetime = _utc(nullable=False, index=True)
    status: str = Field(default="scheduled", max_length=16)  # scheduled, cancelled
    recorded_at: datetime | None = _utc()
    recorded_by: str | None = Field(default=None, max_length=40)  # staff:<id> | person:<id>


class SavingsAttendance(SQLModel, table=True):
    __tablename__ = "savings_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_savings_attendance"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="savings_meeting.id", index=True)
    member_id: int = Field(foreign_key="savings_member.id", index=True)
    present: bool = True


class SavingsEntry(SQLModel, table=True):
    """The ledger, append-only: what came into the box and went out of it. A correction is
    a new row naming the one it corrects (`corrects_id`); no row is ever changed."""

    __tablename__ = "savings_entry"
    __table_args__ = (Index("ix_savings_entry_group_cycle", "group_id", "cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="savings_group.id")
    cycle: int = 1
    meeting_id: int | None = Field(default=None, foreign_key="savings_meeting.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="savings_member.id", index=True)
    kind: str = Field(max_length=16)  # flows/savings/ledger.py KINDS
    amount: int = _money()
    on: date
    shares: int = 0
    loan_id: int | None = Field(default=None, foreign_key="savings_entry.id")
    interest_percent: str | None = Field(default=None, max_length=12)  # a Decimal, as text
    method: str | None = Field(default=None, max_length=12)
    term_months: int | None = None
    corrects_id: int | None = Field(default=None, foreign_key="savings_entry.id")
    recorded_by: str = Field(max_length=40)  # staff:<id> | person:<id> | system
    recorded_at: datetime = _utc(default_factory=utcnow, nullable=False)
    note: str | None = Field(default=None, max_length=300)


class SavingsShareOut(SQLModel, table=True):
    """A cycle's share-out: proposed (the table shown to the officers), then confirmed
    (recorded in the ledger, the next cycle started)."""

    __tablename__ = "savings_share_out"
    __table_args__ = (UniqueConstraint("group_id", "cycle", name="uq_savings_share_out"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="savings_group.id", index=True)
    cycle: int
    on: date
    status: str = Field(default="proposed", max_length=16)  # proposed, confirmed
    pot: int = _money()
    kept: int = _money()
    remainder: int = _money()
    rows: list[dict] = _json(list)
    proposed_at: datetime = _utc(default_factory=utcnow, nullable=False)
    confirmed_at: datetime | None = _utc()
    confirmed_by: str | None = Field(default=None, max_length=40)


class SavingsTask(SQLModel, table=True):
    """The savings groups' due rows, claimed by the savings tick: a meeting reminder, a
    repayment reminder, the share-out countdown, the officer's report; one row per key."""

    __tablename__ = "savings_task"
    __table_args__ = (
        UniqueConstraint("key", name="uq_savings_task_key"),
        Index("ix_savings_task_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    kind: str = Field(max_length=16)
    group_id: int = Field(foreign_key="savings_group.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="savings_member.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="savings_meeting.id")
    loan_id: int | None = Field(default=None, foreign_key="savings_entry.id")
    instalment: int | None = None
    status: str = Field(default="pending", max_length=16)  # pending, waiting, done, ...
    due_at: datetime = _utc(nullable=False)
    fired_at: datetime | None = _utc()
    note: str | None = Field(default=None, max_length=300)
    created_at: datetime = _utc(default_factory=utcnow, nullable=False)

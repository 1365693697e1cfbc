"""Savings groups: groups and their constitutions, members and officers (with history),
meetings and attendance, the append-only ledger, share-outs and the reminders' due rows.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:01:13.255437
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "savings_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("constitution", sa.JSON(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("savings_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_savings_group_district"), ["district"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_savings_group_facilitator_id"), ["facilitator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_savings_group_status"), ["status"], unique=False)

    op.create_table(
        "savings_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("starts_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("recorded_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["savings_group.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "cycle", "number", name="uq_savings_meeting_number"),
    )
    with op.batch_alter_table("savings_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_savings_meeting_group_id"), ["group_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_savings_meeting_starts_at"), ["starts_at"], unique=False
        )

    op.create_table(
        "savings_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("community", sa.Boolean(), nullable=False),
        sa.Column("details", sa.Boolean(), nullable=False),
        sa.Column("receipts", sa.Boolean(), nullable=False),
        sa.Column("joined_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("left_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["savings_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "number", name="uq_savings_member_number"),
    )
    with op.batch_alter_table("savings_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_savings_member_group_id"), ["group_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_savings_member_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "savings_share_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("pot", sa.BigInteger(), nullable=False),
        sa.Column("kept", sa.BigInteger(), nullable=False),
        sa.Column("remainder", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("proposed_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("confirmed_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["savings_group.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "cycle", name="uq_savings_share_out"),
    )
    with op.batch_alter_table("savings_share_out", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_savings_share_out_group_id"), ["group_id"], unique=False
        )

    op.create_table(
        "savings_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["savings_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["savings_member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "member_id", name="uq_savings_attendance"),
    )
    with op.batch_alter_table("savings_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_savings_attendance_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_savings_attendance_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "savings_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("interest_percent", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("term_months", sa.Integer(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("recorded_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["savings_entry.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["savings_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["savings_entry.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["savings_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["savings_member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("savings_entry", schema=None) as batch_op:
        batch_op.create_index("ix_savings_entry_group_cycle", ["group_id", "cycle"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_savings_entry_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_savings_entry_member_id"), ["member_id"], unique=False)

    op.create_table(
        "savings_officer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("office", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("since", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("until", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("appointed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointed_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["savings_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["savings_member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("savings_officer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_savings_officer_group_id"), ["group_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_savings_officer_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "savings_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("instalment", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("due_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("fired_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["savings_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["savings_entry.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["savings_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["savings_member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_savings_task_key"),
    )
    with op.batch_alter_table("savings_task", schema=None) as batch_op:
        batch_op.create_index("ix_savings_task_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_savings_task_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_savings_task_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("savings_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_task_member_id"))
        batch_op.drop_index(batch_op.f("ix_savings_task_group_id"))
        batch_op.drop_index("ix_savings_task_due")

    op.drop_table("savings_task")
    with op.batch_alter_table("savings_officer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_officer_member_id"))
        batch_op.drop_index(batch_op.f("ix_savings_officer_group_id"))

    op.drop_table("savings_officer")
    with op.batch_alter_table("savings_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_entry_member_id"))
        batch_op.drop_index(batch_op.f("ix_savings_entry_meeting_id"))
        batch_op.drop_index("ix_savings_entry_group_cycle")

    op.drop_table("savings_entry")
    with op.batch_alter_table("savings_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_attendance_member_id"))
        batch_op.drop_index(batch_op.f("ix_savings_attendance_meeting_id"))

    op.drop_table("savings_attendance")
    with op.batch_alter_table("savings_share_out", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_share_out_group_id"))

    op.drop_table("savings_share_out")
    with op.batch_alter_table("savings_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_member_person_id"))
        batch_op.drop_index(batch_op.f("ix_savings_member_group_id"))

    op.drop_table("savings_member")
    with op.batch_alter_table("savings_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_meeting_starts_at"))
        batch_op.drop_index(batch_op.f("ix_savings_meeting_group_id"))

    op.drop_table("savings_meeting")
    with op.batch_alter_table("savings_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_group_status"))
        batch_op.drop_index(batch_op.f("ix_savings_group_facilitator_id"))
        batch_op.drop_index(batch_op.f("ix_savings_group_district"))

    op.drop_table("savings_group")

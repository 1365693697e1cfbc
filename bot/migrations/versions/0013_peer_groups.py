"""Peer-support groups: groups, members, requests to join, availability polls and their
answers, meetings with RSVPs, attendance and pulses, and the groups' due rows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 06:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("requested_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("closed_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("group_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_request_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "uq_group_request_open",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        )

    op.create_table(
        "peer_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("facilitator_person_id", sa.Integer(), nullable=True),
        sa.Column("gender_mix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target_size", sa.Integer(), nullable=False),
        sa.Column("venues", sa.JSON(), nullable=False),
        sa.Column("series_meetings", sa.Integer(), nullable=False),
        sa.Column("leader_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("leader_approved_on", sa.Date(), nullable=True),
        sa.Column("approval_recorded_by", sa.Integer(), nullable=True),
        sa.Column("first_meeting_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("ends_by", sa.Date(), nullable=True),
        sa.Column("vote_open_until", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("ended_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_recorded_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("peer_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_peer_group_district"), ["district"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_peer_group_facilitator_id"), ["facilitator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_peer_group_status"), ["status"], unique=False)

    op.create_table(
        "group_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("series", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("attendance_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("attendance_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["peer_group.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("group_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_meeting_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_meeting_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "group_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("community", sa.Boolean(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("override", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("missed_in_row", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("invited_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("answered_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("left_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("vote", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["peer_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "person_id", name="uq_group_member"),
    )
    with op.batch_alter_table("group_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_member_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_member_person_id"), ["person_id"], unique=False)

    op.create_table(
        "group_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("poll", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("starts_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("closes_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["peer_group.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "poll", "position", name="uq_group_slot"),
    )
    with op.batch_alter_table("group_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_slot_group_id"), ["group_id"], unique=False)

    op.create_table(
        "group_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("due_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("fired_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["peer_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["group_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_group_task_key"),
    )
    with op.batch_alter_table("group_task", schema=None) as batch_op:
        batch_op.create_index("ix_group_task_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_task_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_task_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_task_person_id"), ["person_id"], unique=False)

    op.create_table(
        "meeting_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("rsvp", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("rsvp_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["group_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "person_id", name="uq_meeting_attendance"),
    )
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_attendance_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_attendance_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "slot_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("answered_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["group_slot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slot_id", "person_id", name="uq_slot_answer"),
    )
    with op.batch_alter_table("slot_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slot_answer_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_slot_answer_slot_id"), ["slot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slot_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slot_answer_slot_id"))
        batch_op.drop_index(batch_op.f("ix_slot_answer_person_id"))

    op.drop_table("slot_answer")
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendance_person_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_attendance_meeting_id"))

    op.drop_table("meeting_attendance")
    with op.batch_alter_table("group_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_task_person_id"))
        batch_op.drop_index(batch_op.f("ix_group_task_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_group_task_group_id"))
        batch_op.drop_index("ix_group_task_due")

    op.drop_table("group_task")
    with op.batch_alter_table("group_slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_slot_group_id"))

    op.drop_table("group_slot")
    with op.batch_alter_table("group_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_member_person_id"))
        batch_op.drop_index(batch_op.f("ix_group_member_group_id"))

    op.drop_table("group_member")
    with op.batch_alter_table("group_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_meeting_starts_at"))
        batch_op.drop_index(batch_op.f("ix_group_meeting_group_id"))

    op.drop_table("group_meeting")
    with op.batch_alter_table("peer_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peer_group_status"))
        batch_op.drop_index(batch_op.f("ix_peer_group_facilitator_id"))
        batch_op.drop_index(batch_op.f("ix_peer_group_district"))

    op.drop_table("peer_group")
    with op.batch_alter_table("group_request", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_group_request_open",
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        )
        batch_op.drop_index(batch_op.f("ix_group_request_person_id"))

    op.drop_table("group_request")

"""The mentor network: mentors, requests for a mentor, matches, conflict flags, the
mentoring due rows and the answers of pulses and evaluations; the Telegram username a person
may share with their mentor.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:20:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mentor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("availability", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("abroad_in", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("years_abroad", sa.Integer(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("screened_on", sa.Date(), nullable=True),
        sa.Column("screened_by", sa.Integer(), nullable=True),
        sa.Column("trained_on", sa.Date(), nullable=True),
        sa.Column("training_days", sa.Integer(), nullable=True),
        sa.Column("refreshed_on", sa.Date(), nullable=True),
        sa.Column("approved_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["screened_by"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id"),
    )
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentor_status"), ["status"], unique=False)

    op.create_table(
        "mentor_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("prefers_gender", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("prefers_language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("prefers_sector", sa.Boolean(), nullable=False),
        sa.Column("abroad_in", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("years_abroad", sa.Integer(), nullable=True),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("requested_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("closed_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mentor_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_request_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "uq_mentor_request_open",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        )

    op.create_table(
        "mentor_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentor.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mentor_id", "person_id", name="uq_mentor_conflict"),
    )
    with op.batch_alter_table("mentor_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_conflict_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "mentor_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("run", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("proposed_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("offered_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("answer_due_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("mentor_answered_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("mentee_answered_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("declined_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("mentor_reach", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("mentee_reach", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("ended_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("updated_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentor.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["mentor_request.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mentor_match", schema=None) as batch_op:
        batch_op.create_index("ix_mentor_match_mentor", ["mentor_id", "status"], unique=False)
        batch_op.create_index(
            "uq_mentor_match_open",
            ["mentee_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('proposed', 'offered', 'accepted', 'active')"),
            postgresql_where=sa.text("status IN ('proposed', 'offered', 'accepted', 'active')"),
        )

    op.create_table(
        "mentor_pulse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("answered_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["mentor_match.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("match_id", "kind", "role", "month", name="uq_mentor_pulse"),
    )
    op.create_table(
        "mentoring_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("due_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("fired_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["mentor_match.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_mentoring_task_key"),
    )
    with op.batch_alter_table("mentoring_task", schema=None) as batch_op:
        batch_op.create_index("ix_mentoring_task_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_mentoring_task_match_id"), ["match_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mentoring_task_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handle", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )

    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handle", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.drop_column("handle")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("handle")

    with op.batch_alter_table("mentoring_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentoring_task_person_id"))
        batch_op.drop_index(batch_op.f("ix_mentoring_task_match_id"))
        batch_op.drop_index("ix_mentoring_task_due")

    op.drop_table("mentoring_task")
    op.drop_table("mentor_pulse")
    with op.batch_alter_table("mentor_match", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_mentor_match_open",
            sqlite_where=sa.text("status IN ('proposed', 'offered', 'accepted', 'active')"),
            postgresql_where=sa.text("status IN ('proposed', 'offered', 'accepted', 'active')"),
        )
        batch_op.drop_index("ix_mentor_match_mentor")

    op.drop_table("mentor_match")
    with op.batch_alter_table("mentor_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_conflict_person_id"))

    op.drop_table("mentor_conflict")
    with op.batch_alter_table("mentor_request", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_mentor_request_open",
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        )
        batch_op.drop_index(batch_op.f("ix_mentor_request_person_id"))

    op.drop_table("mentor_request")
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_status"))

    op.drop_table("mentor")

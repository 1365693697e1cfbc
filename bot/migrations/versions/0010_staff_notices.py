"""Staff notices: linked staff contacts, one-time link codes, notices in the outbox, and
when an alert's owner was told and its lead was told it is overdue.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 03:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("linked_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("stopped_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("stopped_reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "address", name="uq_staff_contact_channel_address"),
    )
    op.create_index("ix_staff_contact_staff_id", "staff_contact", ["staff_id"])
    op.create_table(
        "staff_link_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("expires_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("used_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_index("ix_staff_link_code_staff_id", "staff_link_code", ["staff_id"])
    with op.batch_alter_table("outbound") as batch:
        batch.alter_column("contact_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("staff_contact_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_outbound_staff_contact_id", "staff_contact", ["staff_contact_id"], ["id"]
        )
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("owner_noticed_at", bot.timeutil.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("escalated_at", bot.timeutil.UTCDateTime(), nullable=True))
    # Alerts from before notices existed are not announced to their owner now, hours or days
    # late; the lead still hears of those left open past their due time (in one notice).
    op.execute("UPDATE alert SET owner_noticed_at = created_at")
    op.execute("UPDATE alert SET escalated_at = due_at WHERE status <> 'open'")


def downgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("escalated_at")
        batch.drop_column("owner_noticed_at")
    op.execute("DELETE FROM outbound WHERE contact_id IS NULL")
    with op.batch_alter_table("outbound") as batch:
        batch.drop_constraint("fk_outbound_staff_contact_id", type_="foreignkey")
        batch.drop_column("staff_contact_id")
        batch.alter_column("contact_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_staff_link_code_staff_id", table_name="staff_link_code")
    op.drop_table("staff_link_code")
    op.drop_index("ix_staff_contact_staff_id", table_name="staff_contact")
    op.drop_table("staff_contact")

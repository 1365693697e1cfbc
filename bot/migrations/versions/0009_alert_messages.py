"""Every message an alert holds (the first and each repeat), kept with its severity.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"]),
        sa.ForeignKeyConstraint(["inbound_id"], ["inbound.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_message_alert_id", "alert_message", ["alert_id"])
    # Alerts raised before this revision keep their one detail as their first message.
    op.execute(
        "INSERT INTO alert_message (alert_id, reason, severity, detail, at)"
        " SELECT id, reason, severity, detail, created_at FROM alert"
    )


def downgrade() -> None:
    op.drop_index("ix_alert_message_alert_id", table_name="alert_message")
    op.drop_table("alert_message")

"""The outbox knows who claimed a row and when its provider call began, so that a crash
leaves only the rows actually in flight uncertain.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 16:45:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "outbound",
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column("outbound", sa.Column("attempted_at", bot.timeutil.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbound") as batch:
        batch.drop_column("attempted_at")
        batch.drop_column("claimed_by")

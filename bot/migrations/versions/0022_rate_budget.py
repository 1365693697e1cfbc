"""Provider rate limits shared by every instance on one PostgreSQL database.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 17:20:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_budget",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("paused_until", bot.timeutil.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("rate_budget")

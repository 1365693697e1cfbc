"""Broadcasts scheduled for a later date and time.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:09:18.984301
"""

import sqlalchemy as sa
from alembic import op

import bot.timeutil

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_at", bot.timeutil.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_column("send_at")

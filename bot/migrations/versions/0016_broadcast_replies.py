"""Broadcasts that ask for replies: for how many days what people write back goes to the
inbox.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 13:55:30.837243
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        # Existing broadcasts asked for no replies.
        batch_op.add_column(
            sa.Column("reply_days", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_column("reply_days")

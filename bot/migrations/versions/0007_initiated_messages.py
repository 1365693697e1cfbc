"""Programme-initiated messages marked on the outbox, for a daily cap over every domain.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00
"""

import sqlalchemy as sa
from alembic import op

import bot.timeutil

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound") as batch:
        batch.add_column(sa.Column("initiated_at", bot.timeutil.UTCDateTime(), nullable=True))
    # What the old cap counted keeps counting: broadcasts, and the first message of each prompt
    # fired or reminded (queued at that very moment), so nobody gets a second day's worth.
    op.execute("UPDATE outbound SET initiated_at = next_attempt_at WHERE origin = 'broadcast'")
    op.execute(
        "UPDATE outbound SET initiated_at = created_at WHERE id IN ("
        " SELECT MIN(o.id) FROM outbound o JOIN scheduled_prompt p ON p.person_id = o.person_id"
        " AND (o.created_at = p.fired_at OR o.created_at = p.reminded_at)"
        " GROUP BY p.id, o.created_at)"
    )
    op.create_index(
        "ix_outbound_initiated",
        "outbound",
        ["person_id", "initiated_at"],
        sqlite_where=sa.text("initiated_at IS NOT NULL"),
        postgresql_where=sa.text("initiated_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_initiated", table_name="outbound")
    with op.batch_alter_table("outbound") as batch:
        batch.drop_column("initiated_at")

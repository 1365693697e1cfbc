"""Anonymous responses wait in a pool and are released among others of their round.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 07:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anonymous_pool",
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("round", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("instrument", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("wave", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("composite", sa.Float(), nullable=True),
        sa.Column("held_since", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("token"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("anonymous_pool", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anonymous_pool_round"), ["round"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("anonymous_pool", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anonymous_pool_round"))
    op.drop_table("anonymous_pool")

"""API tokens for case-management systems: hashed, scoped, revocable.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 14:12:08.551423
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )


def downgrade() -> None:
    op.drop_table("api_token")

"""Programme settings changed by admins in the page (over content/programme.yaml).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:20:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("updated_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("programme_setting")

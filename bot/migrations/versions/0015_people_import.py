"""People imports: the uploaded file, its mapping and progress; who took a consent recorded
elsewhere.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:44:22.458099
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.timeutil

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("existing", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.timeutil.UTCDateTime(), nullable=False),
        sa.Column("started_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("updated_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.Column("finished_at", bot.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("people_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_import_status"), ["status"], unique=False)

    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("taken_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_column("taken_by")

    with op.batch_alter_table("people_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_import_status"))

    op.drop_table("people_import")

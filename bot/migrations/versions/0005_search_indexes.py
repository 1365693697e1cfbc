"""People search: a covering index of the living for counts, pages and names; contact numbers;
open handoffs for the inbox; a broadcast's one-time token.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 08:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_live_name",
            ["id", "display_name", "public_id"],
            unique=False,
            sqlite_where=sa.text("erased_at IS NULL"),
            postgresql_where=sa.text("erased_at IS NULL"),
        )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index("ix_contact_address_person", ["address", "person_id"], unique=False)
    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_open_handoff",
            ["person_id", "received_at"],
            unique=False,
            sqlite_where=sa.text("handoff IS NOT NULL AND handled_at IS NULL"),
            postgresql_where=sa.text("handoff IS NOT NULL AND handled_at IS NULL"),
        )
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nonce", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_broadcast_nonce", ["nonce"])


def downgrade() -> None:
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_constraint("uq_broadcast_nonce", type_="unique")
        batch_op.drop_column("nonce")
    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_open_handoff")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_address_person")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_live_name")

"""outbox bodies in their own table, outbox_bodies (issue 8)

Revision ID: 0012_outbox_bodies
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_outbox_bodies"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
# The outbox as 0006 left it (message_id, lease_until): this one comes after.
depends_on: str | Sequence[str] | None = "0006_delivery"


def upgrade() -> None:
    op.create_table(
        "outbox_bodies",
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_outbox_bodies_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("outbox_id", name=op.f("pk_outbox_bodies")),
    )
    op.execute("INSERT INTO outbox_bodies (outbox_id, message) SELECT id, message FROM outbox")
    # SQLite 3.35+ drops a plain column in place. Recreating the table (batch's
    # default on SQLite) would drop ``outbox`` while deliveries and level raises
    # point to it, which foreign keys (on in every connection) refuse.
    with op.batch_alter_table("outbox", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("message")


def downgrade() -> None:
    # Nullable on the way back: SQLite adds a NOT NULL column only with a default.
    with op.batch_alter_table("outbox", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("message", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE outbox SET message = (SELECT b.message FROM outbox_bodies b WHERE b.outbox_id = outbox.id)"
    )
    op.drop_table("outbox_bodies")

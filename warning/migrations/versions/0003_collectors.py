"""collectors: notification_links

Revision ID: 0003_collectors
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_collectors"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_links",
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=50), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_links_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_id"],
            ["notifications.id"],
            name=op.f("fk_notification_links_related_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("notification_id", "related_id", name=op.f("pk_notification_links")),
    )
    op.create_index(
        op.f("ix_notification_links_related_id"), "notification_links", ["related_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notification_links_related_id"), table_name="notification_links")
    op.drop_table("notification_links")

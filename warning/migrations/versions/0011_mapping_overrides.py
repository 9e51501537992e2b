"""analysts' overrides of the ICS mapping and the sectors, with their history; an index
for the notification list's product filters (issue 7)

Revision ID: 0011_mapping_overrides
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_mapping_overrides"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ics_overrides",
        sa.Column("ics", sa.String(length=40), nullable=False),
        sa.Column("hs_prefixes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("ics", name=op.f("pk_ics_overrides")),
    )
    op.create_table(
        "sector_overrides",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("hs_prefixes", sa.JSON(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sector_overrides")),
    )
    op.create_table(
        "mapping_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("hs_prefixes", sa.JSON(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mapping_versions")),
        sa.UniqueConstraint("kind", "key", "version", name="uq_mapping_versions_kind"),
    )
    # The notification list's product filters probe matches by notification and code.
    op.create_index(
        "ix_product_matches_notification_hs", "product_matches", ["notification_id", "hs_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_product_matches_notification_hs", table_name="product_matches")
    op.drop_table("mapping_versions")
    op.drop_table("sector_overrides")
    op.drop_table("ics_overrides")

"""classifier rules with their version history (issue 4)

Revision ID: 0004_classifier_rules
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_classifier_rules"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classifier_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("hs_codes", sa.JSON(), nullable=False),
        sa.Column("exclusions", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifier_rules")),
    )
    op.create_table(
        "classifier_rule_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("hs_codes", sa.JSON(), nullable=False),
        sa.Column("exclusions", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["classifier_rules.id"],
            name=op.f("fk_classifier_rule_versions_rule_id_classifier_rules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifier_rule_versions")),
        sa.UniqueConstraint("rule_id", "version", name="uq_classifier_rule_versions_rule_id"),
    )
    with op.batch_alter_table("classifier_rule_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classifier_rule_versions_rule_id"), ["rule_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("classifier_rule_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classifier_rule_versions_rule_id"))
    op.drop_table("classifier_rule_versions")
    op.drop_table("classifier_rules")

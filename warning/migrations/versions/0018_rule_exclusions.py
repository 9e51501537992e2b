"""classifier rules that exclude: a suppress flag on rules and their versions (issue 20)

Revision ID: 0018_rule_exclusions
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_rule_exclusions"
# Like every migration here, a branch from 0001 after the tables it changes.
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0004_classifier_rules"

TABLES = ("classifier_rules", "classifier_rule_versions")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.add_column(sa.Column("suppress", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("suppress")

"""staff accounts get a language: officials' emails in one language each (issue 18)

Revision ID: 0023_staff_language
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_staff_language"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
# staff_account_state is 0020's.
depends_on: str | Sequence[str] | None = "0020"


def upgrade() -> None:
    op.add_column("staff_account_state", sa.Column("language", sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_account_state") as batch:
        batch.drop_column("language")

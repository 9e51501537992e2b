"""sign-up requests counted by the shared limiter: drop signup_attempts

Sign-up (``/exporter/apply``) now counts its requests in ``rate_limit_hits``
through :mod:`warning.web.limits` (a budget of its own, the client address read
from trusted proxies like sign-in), so 0019's table of its own is unused.
Its rows are one window of counters: nothing is lost by dropping them.

Revision ID: 0024_signup_limits
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_signup_limits"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0019"


def upgrade() -> None:
    op.drop_index("ix_signup_attempts_key_created_at", table_name="signup_attempts")
    op.drop_table("signup_attempts")


def downgrade() -> None:
    op.create_table(
        "signup_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_attempts")),
    )
    op.create_index("ix_signup_attempts_key_created_at", "signup_attempts", ["key", "created_at"], unique=False)

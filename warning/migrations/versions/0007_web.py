"""web app: staff users, indexes for the notification filters

Revision ID: 0007_web
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_web"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=300), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_comment_deadline", ["comment_deadline"], unique=False)
    with op.batch_alter_table("notification_symbols", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_symbols_symbol_notification", ["symbol", "notification_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_symbols", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_symbols_symbol_notification")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_comment_deadline")
    op.drop_table("staff_users")

"""web: server-side sessions, single-use sign-in links, shared sign-in limits (issue 14)

Revision ID: 0014
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
# A branch from 0001 like the others (heads are all applied): chained after
# 0012_outbox_bodies, upgrading this head would drag 0012 along, which
# tests/warning/test_outbox_bodies.py holds back to test its upgrade.
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
# staff_users (web_sessions.user_id points to it) comes from 0007.
depends_on: str | Sequence[str] | None = "0007_web"


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("exporter_email", sa.String(length=320), nullable=True),
        sa.Column("user_stamp", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_web_sessions_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_sessions_exporter_email"), ["exporter_email"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_sessions_expires_at"), ["expires_at"], unique=False)
    op.create_table(
        "signin_links",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("nonce_hash", name=op.f("pk_signin_links")),
    )
    with op.batch_alter_table("signin_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signin_links_expires_at"), ["expires_at"], unique=False)
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=400), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hits")),
    )
    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_hits_at"), ["at"], unique=False)
        batch_op.create_index("ix_rate_limit_hits_bucket_at", ["bucket", "at"], unique=False)


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
    op.drop_table("signin_links")
    op.drop_table("web_sessions")

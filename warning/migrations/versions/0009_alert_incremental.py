"""incremental alerting: alert_inputs, alert_exporter_inputs, alert_state; alerts/deliveries indexes; level_raises

Revision ID: 0009_alert_incremental
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_alert_incremental"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
# The deliveries index needs the table of 0006 (another branch from 0001).
depends_on: str | Sequence[str] | None = "0006_delivery"


def upgrade() -> None:
    op.create_table(
        "alert_inputs",
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("thread_key", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_alert_inputs_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("notification_id", name=op.f("pk_alert_inputs")),
    )
    op.create_index(op.f("ix_alert_inputs_thread_key"), "alert_inputs", ["thread_key"], unique=False)
    op.create_table(
        "alert_exporter_inputs",
        sa.Column("exporter_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("hs_codes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("exporter_id", name=op.f("pk_alert_exporter_inputs")),
    )
    op.create_table(
        "alert_state",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_alert_state")),
    )
    op.create_index("ix_alerts_exporter_id", "alerts", ["exporter_id"], unique=False)
    op.create_table(
        "level_raises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("from_level", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_level_raises_alert_id_alerts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_level_raises_outbox_id_outbox")),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscriptions.id"], name=op.f("fk_level_raises_subscription_id_subscriptions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_level_raises")),
        sa.UniqueConstraint("alert_id", "subscription_id", "level", name="uq_level_raises_alert_id"),
    )
    op.create_index(
        op.f("ix_level_raises_subscription_id"), "level_raises", ["subscription_id"], unique=False
    )
    op.create_index("ix_deliveries_alert_id", "deliveries", ["alert_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_level_raises_subscription_id"), table_name="level_raises")
    op.drop_table("level_raises")
    op.drop_index("ix_deliveries_alert_id", table_name="deliveries")
    op.drop_index("ix_alerts_exporter_id", table_name="alerts")
    op.drop_table("alert_state")
    op.drop_table("alert_exporter_inputs")
    op.drop_index(op.f("ix_alert_inputs_thread_key"), table_name="alert_inputs")
    op.drop_table("alert_inputs")

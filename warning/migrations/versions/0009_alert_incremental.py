"""incremental alerting: alert_inputs, alert_exporter_inputs, alert_state; alerts/deliveries indexes

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
    op.create_index("ix_deliveries_alert_id", "deliveries", ["alert_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deliveries_alert_id", table_name="deliveries")
    op.drop_index("ix_alerts_exporter_id", table_name="alerts")
    op.drop_table("alert_state")
    op.drop_table("alert_exporter_inputs")
    op.drop_index(op.f("ix_alert_inputs_thread_key"), table_name="alert_inputs")
    op.drop_table("alert_inputs")

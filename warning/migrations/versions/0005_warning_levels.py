"""warning levels: exporter product names, exposure, notification warnings, alert threads

Revision ID: 0005_warning_levels
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005_warning_levels"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exporter_products",
        sa.Column("exporter_id", sa.Integer(), nullable=False),
        sa.Column("hs_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exporter_id"],
            ["exporters.id"],
            name=op.f("fk_exporter_products_exporter_id_exporters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exporter_id", "hs_code", name=op.f("pk_exporter_products")),
    )
    op.create_table(
        "exposure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exporter_id", sa.Integer(), nullable=True),
        sa.Column("hs_code", sa.String(length=6), nullable=False),
        sa.Column("market", sa.String(length=10), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exporter_id"], ["exporters.id"], name=op.f("fk_exposure_exporter_id_exporters"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exposure")),
    )
    with op.batch_alter_table("exposure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exposure_exporter_id"), ["exporter_id"], unique=False)
    op.create_table(
        "notification_warnings",
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("thread_key", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("alerts", sa.JSON(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_warnings_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("notification_id", name=op.f("pk_notification_warnings")),
    )
    with op.batch_alter_table("notification_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_warnings_thread_key"), ["thread_key"], unique=False)
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_key", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("level_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("previous_level", sa.String(length=10), nullable=True))
        batch_op.create_index(batch_op.f("ix_alerts_thread_key"), ["thread_key"], unique=False)
    # Alerts made before threads existed belong to their notification's measure.
    op.execute(
        "UPDATE alerts SET thread_key = (SELECT COALESCE(n.base_symbol, n.key) FROM notifications n "
        "WHERE n.id = alerts.notification_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_thread_key"))
        batch_op.drop_column("previous_level")
        batch_op.drop_column("level_changed_at")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("thread_key")
    with op.batch_alter_table("notification_warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_warnings_thread_key"))
    op.drop_table("notification_warnings")
    with op.batch_alter_table("exposure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exposure_exporter_id"))
    op.drop_table("exposure")
    op.drop_table("exporter_products")

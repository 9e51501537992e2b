"""The database schema (SQLAlchemy Core). Alembic migrations create it.

``tests/test_storage.py`` checks that the migrations and this module agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.types.TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


raw_records = sa.Table(
    "raw_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_name", sa.String(100), nullable=False),
    sa.Column("locator", sa.Text, nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("fetched_at", UtcDateTime, nullable=False),
    #: Set in the transaction that stores what the payload held; NULL means
    #: not yet parsed (e.g. after a crash), so the next run parses it.
    sa.Column("parsed_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("source_name", "sha256", name="uq_raw_records_source_sha256"),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(300), nullable=False, unique=True),
    sa.Column("base_symbol", sa.String(100), nullable=True, index=True),
    sa.Column("area", sa.String(3), nullable=False),
    sa.Column("member_codes", sa.JSON, nullable=False),
    sa.Column("member_name", sa.Text, nullable=False),
    sa.Column("notification_type", sa.String(100), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("products", sa.Text, nullable=False),
    sa.Column("distribution_date", sa.Date, nullable=True, index=True),
    sa.Column("comment_deadline", sa.Date, nullable=True),
    sa.Column("proposed_adoption_date", sa.Date, nullable=True),
    sa.Column("proposed_entry_into_force_date", sa.Date, nullable=True),
    sa.Column("hs_codes", sa.JSON, nullable=False),
    sa.Column("ics_codes", sa.JSON, nullable=False),
    sa.Column("objectives", sa.JSON, nullable=False),
    sa.Column("links", sa.JSON, nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    #: The content_hash the current product matches were computed from.
    sa.Column("classified_hash", sa.String(64), nullable=True),
    sa.Column("first_seen_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

#: Every symbol of a notification (joint notifications have several); the
#: key of a notification without symbols is stored here too, so lookups by
#: identity need one table.
notification_symbols = sa.Table(
    "notification_symbols",
    metadata,
    sa.Column("symbol", sa.String(300), primary_key=True),
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)

notification_sources = sa.Table(
    "notification_sources",
    metadata,
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("source_name", sa.String(100), primary_key=True),
    sa.Column("source_id", sa.String(300), primary_key=True),
    sa.Column("raw_id", sa.Integer, sa.ForeignKey("raw_records.id"), nullable=True),
    sa.Column("seen_at", UtcDateTime, nullable=False),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_name", sa.String(100), nullable=False),
    sa.Column("raw_id", sa.Integer, sa.ForeignKey("raw_records.id"), nullable=True),
    sa.Column("position", sa.String(200), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw_text", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("raw_id", "position", name="uq_quarantine_raw_position"),
)

source_state = sa.Table(
    "source_state",
    metadata,
    sa.Column("source_name", sa.String(100), primary_key=True),
    #: Source-specific resume point (latest date seen, ETag...), as JSON.
    sa.Column("cursor", sa.JSON, nullable=False),
    sa.Column("last_success_at", UtcDateTime, nullable=True),
    sa.Column("last_error_at", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("consecutive_failures", sa.Integer, nullable=False),
)

product_matches = sa.Table(
    "product_matches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("hs_code", sa.String(6), nullable=False, index=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("method", sa.String(50), nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
)

exporters = sa.Table(
    "exporters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(300), nullable=False, unique=True),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("emails", sa.JSON, nullable=False),
    sa.Column("hs_codes", sa.JSON, nullable=False),
    sa.Column("markets", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    #: (recipient, digest period or alert): the same key is never sent twice.
    sa.Column("idempotency_key", sa.String(300), nullable=False, unique=True),
    sa.Column("recipient", sa.String(300), nullable=False),
    sa.Column("exporter_id", sa.Integer, sa.ForeignKey("exporters.id"), nullable=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("message", sa.LargeBinary, nullable=False),
    #: pending, sent or failed.
    sa.Column("status", sa.String(10), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=True),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("exporter_id", sa.Integer, sa.ForeignKey("exporters.id"), nullable=False),
    #: The product matches that met the exporter's codes, as JSON.
    sa.Column("matches", sa.JSON, nullable=False),
    sa.Column("level", sa.String(10), nullable=True),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    #: The email that carried it; NULL while not yet in a digest.
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), nullable=True, index=True),
    sa.UniqueConstraint("notification_id", "exporter_id", name="uq_alerts_notification_exporter"),
)

# --- scheduler (issue 8)

#: One row per scheduled job of the daemon: what it last did, so a run missed
#: while the machine was off is made up once on start.
job_runs = sa.Table(
    "job_runs",
    metadata,
    sa.Column("job_id", sa.String(200), primary_key=True),
    #: Scheduled times up to this instant are handled (the start of the last
    #: run, or when the job was first registered).
    sa.Column("covered_until", UtcDateTime, nullable=False),
    sa.Column("last_started_at", UtcDateTime, nullable=True),
    sa.Column("last_finished_at", UtcDateTime, nullable=True),
    sa.Column("last_success_at", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("runs", sa.Integer, nullable=False),
)

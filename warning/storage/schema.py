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
    # 统一社会信用代码 (GB 32100-2015), when known: sign-ups match on it (issue 17).
    sa.Column("credit_code", sa.String(18), nullable=True, index=True),
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
    # The MIME bytes are in ``outbox_bodies`` (issue 8): the row is updated at
    # every claim and send, and listed by status, without them.
    #: pending, sent or failed.
    sa.Column("status", sa.String(10), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=True),
    #: The stable Message-ID header, to reconcile after a crash (issue 6).
    sa.Column("message_id", sa.String(300), nullable=True),
    #: While ``sending``: when the claim lapses and another run may decide (issue 6).
    sa.Column("lease_until", UtcDateTime, nullable=True),
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
    # Which emails carried it is in ``deliveries`` (issue 6), one row per contact.
    # (issue 5) One alert per measure thread and exporter: the base symbol
    # (or the key of a notification that is no follow-up). Follow-ups update
    # the thread's alert instead of adding one.
    sa.Column("thread_key", sa.String(300), nullable=True, index=True),
    #: (issue 5) When level or reasons were last recomputed.
    sa.Column("updated_at", UtcDateTime, nullable=True),
    #: (issue 5) When the level last changed, and what it was before.
    sa.Column("level_changed_at", UtcDateTime, nullable=True),
    sa.Column("previous_level", sa.String(10), nullable=True),
    sa.UniqueConstraint("notification_id", "exporter_id", name="uq_alerts_notification_exporter"),
)

# --- warning levels (issue 5)

#: The exporter's own names for its HS codes (optional register column).
exporter_products = sa.Table(
    "exporter_products",
    metadata,
    sa.Column("exporter_id", sa.Integer, sa.ForeignKey("exporters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("hs_code", sa.String(6), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)

#: Yearly export value per HS code and market; exporter NULL = zone-wide figure.
exposure = sa.Table(
    "exposure",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "exporter_id",
        sa.Integer,
        sa.ForeignKey("exporters.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    sa.Column("hs_code", sa.String(6), nullable=False),
    sa.Column("market", sa.String(10), nullable=False),
    sa.Column("value_usd", sa.Float, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

#: The zone-wide warning of each notification and its per-exporter levels,
#: recomputed on every alerting run (days left change daily).
notification_warnings = sa.Table(
    "notification_warnings",
    metadata,
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("thread_key", sa.String(300), nullable=False, index=True),
    #: red/orange/yellow/blue; NULL when no exporter matches.
    sa.Column("level", sa.String(10), nullable=True),
    sa.Column("score", sa.Float, nullable=True),
    #: JSON list of {"code", "en", "zh"}.
    sa.Column("reasons", sa.JSON, nullable=False),
    #: JSON list of {"exporter", "level", "reasons": [{"code", "en", "zh"}]}.
    sa.Column("alerts", sa.JSON, nullable=False),
    #: What the document did to its measure (adopted, withdrawn...); NULL for a base.
    sa.Column("event", sa.String(20), nullable=True),
    sa.Column("computed_at", UtcDateTime, nullable=False),
)


# --- collectors: links between notifications of the same measure (issue 3)

#: A notification related to another: a US Federal Register proposed rule and
#: the later WTO notification of the same measure. One row per pair;
#: ``related_notifications`` reads it in both directions.
notification_links = sa.Table(
    "notification_links",
    metadata,
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "related_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    #: ``same_measure``: the two records are one measure seen at two stages.
    sa.Column("relation", sa.String(50), nullable=False),
    #: What showed it: ``FR document 2024-12345 named in the WTO notification``...
    sa.Column("evidence", sa.Text, nullable=False),
)


# --- subscriptions, deliveries, feedback and digest reviews (issue 6)

#: What each contact of an exporter wants; defaults come from the export register.
subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("exporter_id", sa.Integer, sa.ForeignKey("exporters.id"), nullable=False),
    sa.Column("email", sa.String(300), nullable=False, index=True),
    sa.Column("language", sa.String(2), nullable=False),
    #: Sector keys (``classifiers.sectors``); empty: no sector filter.
    sa.Column("sectors", sa.JSON, nullable=False),
    #: HS prefixes; empty: no product filter beyond the exporter's alerts.
    sa.Column("hs_prefixes", sa.JSON, nullable=False),
    #: Member codes; ``["*"]`` for all markets.
    sa.Column("markets", sa.JSON, nullable=False),
    sa.Column("min_level", sa.String(10), nullable=False),
    #: immediate, daily or weekly.
    sa.Column("frequency", sa.String(10), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    #: Set once the contact changed something: register updates leave it alone.
    sa.Column("customised", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("exporter_id", "email", name="uq_subscriptions_exporter_email"),
)

#: Which email carried which alert to which contact: each pair exactly once.
deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("subscription_id", sa.Integer, sa.ForeignKey("subscriptions.id"), nullable=False, index=True),
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), nullable=False, index=True),
    #: The level announced (a later, higher level may be re-announced deliberately).
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("alert_id", "subscription_id", name="uq_deliveries_alert_subscription"),
)

#: "Relevant / not relevant" clicks from emails; the latest click per contact counts.
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("notification_id", sa.Integer, nullable=False, index=True),
    sa.Column("exporter_id", sa.Integer, nullable=False),
    sa.Column("email", sa.String(300), nullable=False),
    sa.Column("relevant", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("alert_id", "email", name="uq_feedback_alert_email"),
)

#: Officials' approval of a weekly digest before exporters' weekly digests go out.
digest_reviews = sa.Table(
    "digest_reviews",
    metadata,
    #: ISO week, ``2026-W27``.
    sa.Column("period", sa.String(10), primary_key=True),
    #: pending or approved.
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("approved_by", sa.String(200), nullable=True),
    sa.Column("approved_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)


# --- web app (issue 7)

#: Staff accounts of the web app; passwords are argon2 hashes.
staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(300), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    #: official, analyst or admin.
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_login_at", UtcDateTime, nullable=True),
)

# The notification list filters on "open for comments" and the dashboard
# lists upcoming deadlines; both read comment_deadline ranges.
sa.Index("ix_notifications_comment_deadline", notifications.c.comment_deadline)
# The member filter reads symbol ranges (G/TBT/N/KEN/...); with the id in the
# index it never visits the table.
sa.Index(
    "ix_notification_symbols_symbol_notification",
    notification_symbols.c.symbol,
    notification_symbols.c.notification_id,
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


# --- mapping overrides (issue 7)

# The list's product filters (hs, sector) probe each notification's matches
# while walking the date order: with the code in the index the probe never
# reads the table (member=JPN&hs=85 at 50,000 notifications: 8.9 -> 4.2 ms).
sa.Index(
    "ix_product_matches_notification_hs",
    product_matches.c.notification_id,
    product_matches.c.hs_code,
)

# --- incremental alerting (issue 8)

#: What each notification's warning was last computed from, so that an
#: alerting run recomputes only the measures whose inputs changed.
alert_inputs = sa.Table(
    "alert_inputs",
    metadata,
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    #: The measure thread the notification belonged to at that time.
    sa.Column("thread_key", sa.String(300), nullable=False, index=True),
    #: sha256 of its content hash and its product matches at or above the alert threshold.
    sa.Column("fingerprint", sa.String(64), nullable=False),
)

#: What each exporter's alerts were last computed from (register row and export figures).
alert_exporter_inputs = sa.Table(
    "alert_exporter_inputs",
    metadata,
    sa.Column("exporter_id", sa.Integer, primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    #: Its HS codes and those of its export figures then: a change concerns
    #: the measures matching the old codes as well as the new.
    sa.Column("hs_codes", sa.JSON, nullable=False),
)

#: One row per incremental computation (``alerting``): the day and the
#: settings (warning config, threshold, zone-wide figures) it was done with;
#: a new day or other settings recompute everything.
alert_state = sa.Table(
    "alert_state",
    metadata,
    sa.Column("name", sa.String(50), primary_key=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# Composing reads an exporter's alerts; deliveries are looked up per alert.
sa.Index("ix_alerts_exporter_id", alerts.c.exporter_id)
sa.Index("ix_deliveries_alert_id", deliveries.c.alert_id)

#: Re-announcements: an alert whose level rose above what a contact was told
#: is sent to that contact again, once per level reached.
level_raises = sa.Table(
    "level_raises",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("subscription_id", sa.Integer, sa.ForeignKey("subscriptions.id"), nullable=False, index=True),
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), nullable=False),
    #: The level the contact had been told, and the one announced now.
    sa.Column("from_level", sa.String(10), nullable=False),
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("alert_id", "subscription_id", "level", name="uq_level_raises_alert_id"),
)

# --- outbox bodies (issue 8)

#: Each outbox message's full MIME bytes, written once with the message and
#: read only to send it: SQLite rewrites a whole record (overflow pages
#: included) on every UPDATE, and the outbox row is updated at each claim,
#: send and failure.
outbox_bodies = sa.Table(
    "outbox_bodies",
    metadata,
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), primary_key=True),
    sa.Column("message", sa.LargeBinary, nullable=False),
)

# --- Tables of capabilities kept in their own modules, on this metadata (imported
# here so that the metadata is complete): job leases (issue 21), web sessions and
# sign-in limits (issue 14), sign-up (issue 17),
# translations (issue 16), officials' review and staff accounts (issue 18),
# responses to measures (issue 19), the analysts' rules and mappings (issues 4, 7).
from warning.storage import (  # noqa: E402, F401
    lease_tables,
    mapping_tables,
    response_tables,
    review_tables,
    session_tables,
    signup_tables,
    staff_tables,
    translation_tables,
)

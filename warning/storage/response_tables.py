"""Tables of the zone's responses to measures (issue 19): concerns, requests, drafts, events.

Defined on :data:`warning.storage.schema.metadata`; migration ``0022_responses``
creates them. ``response_concerns`` and ``concern_attachments`` are what
companies submitted: rows are inserted, never updated (the migration adds a
trigger refusing any UPDATE of a concern, on SQLite and PostgreSQL alike).
``response_events`` is append-only: every status change, assignment, draft,
approval, concern and STC mark is a row with who, when, before and after.
"""

from __future__ import annotations

import sqlalchemy as sa

from warning.storage.schema import UtcDateTime, metadata

#: One per notification that has concerns or full-text requests: the zone's response file.
response_files = sa.Table(
    "response_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    #: open, drafting, approved, sent, answered, closed (warning.types.RESPONSE_STATUSES).
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("assigned_name", sa.String(200), nullable=False),
    sa.Column("assigned_email", sa.String(320), nullable=False),
    #: The last day to send comments to the national enquiry point.
    sa.Column("enquiry_date", sa.Date, nullable=True, index=True),
    sa.Column("approved_version", sa.Integer, nullable=True),
    sa.Column("closed_reason", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

#: What a company's contact submitted about a measure. Never updated.
response_concerns = sa.Table(
    "response_concerns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "response_id",
        sa.Integer,
        sa.ForeignKey("response_files.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("notification_id", sa.Integer, nullable=False),
    sa.Column("exporter_id", sa.Integer, sa.ForeignKey("exporters.id"), nullable=False, index=True),
    sa.Column("contact_email", sa.String(320), nullable=False),
    sa.Column("hs_codes", sa.JSON, nullable=False),
    sa.Column("markets", sa.JSON, nullable=False),
    sa.Column("cost_usd", sa.Float, nullable=True),
    sa.Column("lost_sales_usd", sa.Float, nullable=True),
    sa.Column("months_to_comply", sa.Integer, nullable=True),
    sa.Column("export_value_usd", sa.Float, nullable=True),
    sa.Column("requested_change", sa.Text, nullable=False),
    sa.Column("effect_note", sa.Text, nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

#: Files attached to a concern; the bytes are on disk under ``[responses] attachments_dir``.
concern_attachments = sa.Table(
    "concern_attachments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "concern_id",
        sa.Integer,
        sa.ForeignKey("response_concerns.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("filename", sa.String(300), nullable=False),
    sa.Column("content_type", sa.String(120), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

#: A company asking for a measure's full text: one per company and response file.
full_text_requests = sa.Table(
    "full_text_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "response_id", sa.Integer, sa.ForeignKey("response_files.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("notification_id", sa.Integer, nullable=False),
    sa.Column("exporter_id", sa.Integer, sa.ForeignKey("exporters.id"), nullable=False, index=True),
    sa.Column("contact_email", sa.String(320), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    #: When the staff side sent it to the enquiry point.
    sa.Column("sent_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("response_id", "exporter_id", name="uq_full_text_requests_response_id"),
)

#: Versions of the zone's comment (written by staff), in both languages.
comment_drafts = sa.Table(
    "comment_drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "response_id", sa.Integer, sa.ForeignKey("response_files.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("text_zh", sa.Text, nullable=False),
    sa.Column("text_en", sa.Text, nullable=False),
    sa.Column("author", sa.String(320), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("response_id", "version", name="uq_comment_drafts_response_id"),
)

#: Measures raised as specific trade concerns at the TBT Committee; the latest row counts.
stc_marks = sa.Table(
    "stc_marks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("stc_number", sa.String(40), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("marked_by", sa.String(320), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

#: Every change to a response file (and STC marks), append-only.
response_events = sa.Table(
    "response_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "response_id",
        sa.Integer,
        sa.ForeignKey("response_files.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    sa.Column("notification_id", sa.Integer, nullable=False, index=True),
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("before", sa.Text, nullable=False),
    sa.Column("after", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

#: Documents staff keep in a response file: the notifying member's reply (status
#: ``answered``), the comment as sent... The bytes are on disk like attachments.
response_documents = sa.Table(
    "response_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "response_id",
        sa.Integer,
        sa.ForeignKey("response_files.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    #: ``reply``, ``comment``, ``other``.
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("filename", sa.String(300), nullable=False),
    sa.Column("content_type", sa.String(120), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("author", sa.String(320), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

"""responses to measures: response files, concerns and their attachments, full-text
requests, comment drafts, STC marks, documents and the event log (issue 19)

Revision ID: 0022_responses
Revises: 0001 (needs 0007_web for nothing; notifications and exporters are 0001's)

A trigger refuses any UPDATE of ``response_concerns``: what a company submitted
is never edited, whoever holds a connection.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_responses"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
# The newest revision these tables' neighbours need (job leases: the latest head).
depends_on: str | Sequence[str] | None = "0021_job_leases"

_SQLITE_TRIGGER = """
CREATE TRIGGER response_concerns_immutable BEFORE UPDATE ON response_concerns
BEGIN SELECT RAISE(ABORT, 'a submitted concern is never edited'); END
"""
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION response_concerns_immutable() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'a submitted concern is never edited'; END
$$ LANGUAGE plpgsql
"""
_PG_TRIGGER = """
CREATE TRIGGER response_concerns_immutable BEFORE UPDATE ON response_concerns
FOR EACH ROW EXECUTE FUNCTION response_concerns_immutable()
"""


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _response_fk(table: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["response_id"],
        ["response_files.id"],
        name=op.f(f"fk_{table}_response_id_response_files"),
        ondelete=ondelete,
    )


def _stored_file_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "response_files",
        _id(),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("assigned_name", sa.String(length=200), nullable=False),
        sa.Column("assigned_email", sa.String(length=320), nullable=False),
        sa.Column("enquiry_date", sa.Date(), nullable=True),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_response_files_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_files")),
        sa.UniqueConstraint("notification_id", name=op.f("uq_response_files_notification_id")),
    )
    op.create_index(op.f("ix_response_files_status"), "response_files", ["status"], unique=False)
    op.create_index(op.f("ix_response_files_enquiry_date"), "response_files", ["enquiry_date"], unique=False)
    op.create_table(
        "response_concerns",
        _id(),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("exporter_id", sa.Integer(), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("hs_codes", sa.JSON(), nullable=False),
        sa.Column("markets", sa.JSON(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("lost_sales_usd", sa.Float(), nullable=True),
        sa.Column("months_to_comply", sa.Integer(), nullable=True),
        sa.Column("export_value_usd", sa.Float(), nullable=True),
        sa.Column("requested_change", sa.Text(), nullable=False),
        sa.Column("effect_note", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exporter_id"], ["exporters.id"], name=op.f("fk_response_concerns_exporter_id_exporters")
        ),
        _response_fk("response_concerns"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_concerns")),
    )
    op.create_index(
        op.f("ix_response_concerns_response_id"), "response_concerns", ["response_id"], unique=False
    )
    op.create_index(
        op.f("ix_response_concerns_exporter_id"), "response_concerns", ["exporter_id"], unique=False
    )
    op.create_table(
        "concern_attachments",
        _id(),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        *_stored_file_columns(),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["response_concerns.id"],
            name=op.f("fk_concern_attachments_concern_id_response_concerns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_attachments")),
    )
    op.create_index(
        op.f("ix_concern_attachments_concern_id"), "concern_attachments", ["concern_id"], unique=False
    )
    op.create_table(
        "full_text_requests",
        _id(),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("exporter_id", sa.Integer(), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exporter_id"], ["exporters.id"], name=op.f("fk_full_text_requests_exporter_id_exporters")
        ),
        _response_fk("full_text_requests"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_full_text_requests")),
        sa.UniqueConstraint("response_id", "exporter_id", name="uq_full_text_requests_response_id"),
    )
    op.create_index(
        op.f("ix_full_text_requests_exporter_id"), "full_text_requests", ["exporter_id"], unique=False
    )
    op.create_table(
        "comment_drafts",
        _id(),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _response_fk("comment_drafts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_drafts")),
        sa.UniqueConstraint("response_id", "version", name="uq_comment_drafts_response_id"),
    )
    op.create_table(
        "stc_marks",
        _id(),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("stc_number", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("marked_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_stc_marks_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stc_marks")),
    )
    op.create_index(op.f("ix_stc_marks_notification_id"), "stc_marks", ["notification_id"], unique=False)
    op.create_table(
        "response_events",
        _id(),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _response_fk("response_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_events")),
    )
    op.create_index(op.f("ix_response_events_response_id"), "response_events", ["response_id"], unique=False)
    op.create_index(
        op.f("ix_response_events_notification_id"), "response_events", ["notification_id"], unique=False
    )
    op.create_table(
        "response_documents",
        _id(),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        *_stored_file_columns(),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _response_fk("response_documents"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_documents")),
    )
    op.create_index(
        op.f("ix_response_documents_response_id"), "response_documents", ["response_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    else:
        op.execute(_SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS response_concerns_immutable ON response_concerns")
        op.execute("DROP FUNCTION IF EXISTS response_concerns_immutable()")
    else:
        op.execute("DROP TRIGGER IF EXISTS response_concerns_immutable")
    for table in (
        "response_documents",
        "response_events",
        "stc_marks",
        "comment_drafts",
        "full_text_requests",
    ):
        op.drop_table(table)
    op.drop_table("concern_attachments")
    op.drop_table("response_concerns")
    op.drop_table("response_files")

"""Tables of the translation capability (issue 16), on the schema's metadata."""

from __future__ import annotations

import sqlalchemy as sa

from warning.storage.schema import UtcDateTime, metadata

#: A notification's title, description or products in another language, by an
#: engine or by staff. One row per (notification, field, language); the
#: source's hash tells whether it still translates the stored text, and finds
#: a translation of the same text made for another notification.
translations = sa.Table(
    "translations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "notification_id", sa.Integer, sa.ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("field", sa.String(20), nullable=False),
    sa.Column("language", sa.String(10), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("source_language", sa.String(10), nullable=False),
    sa.Column("source_sha256", sa.String(64), nullable=False),
    #: ``machine`` or ``reviewed``.
    sa.Column("origin", sa.String(10), nullable=False),
    #: The engine (``libretranslate``, ``openai/<model>``) or the staff member's email.
    sa.Column("made_by", sa.String(300), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("notification_id", "field", "language", name="uq_translations_notification_id"),
)
sa.Index("ix_translations_source_sha256", translations.c.source_sha256, translations.c.language)

"""Tables of the officials' review (issue 18): changes to what exporters receive.

``review_actions`` is append-only: every suppression, level change, expert
note and the lifting of each is a row with who, when, why and the value
before. The state in force is the latest row of each (notification,
exporter, kind); it is applied when emails and pages are made, so it
survives reclassification and level recomputation (an override wins until
an official lifts it).
"""

from __future__ import annotations

import sqlalchemy as sa

from warning.storage.schema import UtcDateTime, metadata

review_actions = sa.Table(
    "review_actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "notification_id",
        sa.Integer,
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    #: The exporter whose alert it changes; None: the whole notification (every exporter).
    sa.Column("exporter_id", sa.Integer, sa.ForeignKey("exporters.id", ondelete="CASCADE"), nullable=True),
    #: suppress, restore, level, level_lift, note, note_remove.
    sa.Column("action", sa.String(20), nullable=False),
    #: The level set (action ``level``).
    sa.Column("level", sa.String(10), nullable=True),
    #: The expert note (action ``note``), in both languages, and the office that wrote it.
    sa.Column("note_zh", sa.Text, nullable=True),
    sa.Column("note_en", sa.Text, nullable=True),
    sa.Column("office", sa.String(200), nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    #: What was in force before (a level, "suppressed", the former note), for the history.
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("by_email", sa.String(300), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

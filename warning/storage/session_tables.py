"""Tables of the web app's server-side state: sessions, single-use sign-in links and
sign-in rate-limit counters (issue 14, migration 0014).

Kept in the database, not in a process, so every worker (``serve --workers N``)
and every machine behind a load balancer sees the same sessions and counts.
Secrets are never stored: a session id or a link nonce is kept as its SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa

from warning.storage.schema import UtcDateTime, metadata

#: One row per signed-in browser. The signed cookie names its row; deleting the
#: row ends the session at once (sign-out, account removed or disabled...).
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    #: SHA-256 (hex) of the random session id the cookie carries.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    #: A staff session's account, or None for an exporter contact's session.
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=True, index=True
    ),
    #: An exporter contact's session: the contact's email (lower case).
    sa.Column("exporter_email", sa.String(320), nullable=True, index=True),
    #: A digest of the account's role and password hash at sign-in: changing
    #: either ends the session even when nobody calls ``revoke_user_sessions``.
    sa.Column("user_stamp", sa.String(64), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
)

#: The emailed sign-in links of exporter contacts, each usable once.
signin_links = sa.Table(
    "signin_links",
    metadata,
    #: SHA-256 (hex) of the nonce the signed link carries.
    sa.Column("nonce_hash", sa.String(64), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
    #: When the link started a session; a used link starts no other.
    sa.Column("used_at", UtcDateTime, nullable=True),
)

#: One row per counted sign-in attempt in a bucket (``staff-ip:<address>``,
#: ``staff-account:<email>``, ``exporter-ip:<address>``, ``exporter-email:<email>``);
#: rows older than the window are deleted as new ones come.
rate_limit_hits = sa.Table(
    "rate_limit_hits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("bucket", sa.String(400), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Index("ix_rate_limit_hits_bucket_at", "bucket", "at"),
)

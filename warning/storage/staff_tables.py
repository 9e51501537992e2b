"""Tables of staff account management and API tokens (issue 18).

``api_tokens`` keeps each token's SHA-256 (the token itself is shown once,
when issued), its name, scope, expiry and revocation. ``staff_account_state``
holds what account management adds to ``staff_users`` without altering it:
whether the account is disabled, the moment before which its sessions
no longer count, and the language of its emails. ``staff_audit`` records every account and token change.
"""

from __future__ import annotations

import sqlalchemy as sa

from warning.storage.schema import UtcDateTime, metadata

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    #: Hex SHA-256 of the token (tokens are long random strings: no salt or slow hash needed).
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    #: ``read``: GET on /api/ routes only.
    sa.Column("scope", sa.String(20), nullable=False),
    sa.Column("created_by", sa.String(300), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
    sa.Column("revoked_by", sa.String(300), nullable=True),
)

staff_account_state = sa.Table(
    "staff_account_state",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("disabled_at", UtcDateTime, nullable=True),
    #: Sessions started before this moment are refused (a change ended them).
    sa.Column("sessions_ended_at", UtcDateTime, nullable=True),
    #: The language of the official's emails (``zh`` or ``en``); None: ``zh``.
    sa.Column("language", sa.String(5), nullable=True),
)

staff_audit = sa.Table(
    "staff_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    #: The account (or token, ``token:<name>``) changed.
    sa.Column("subject", sa.String(300), nullable=False),
    #: add, disable, enable, role, reset-password, remove, token-issue, token-revoke.
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("by_email", sa.String(300), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

"""Tables of exporters' sign-up (issue 17): applications and their decisions.

Defined on :data:`warning.storage.schema.metadata`; migration 0019 creates them.
(0019's ``signup_attempts`` is dropped by 0024: sign-up requests are counted by
the shared limiter, :mod:`warning.web.limits`, in ``rate_limit_hits``.)
"""

from __future__ import annotations

import sqlalchemy as sa

from warning.storage.schema import UtcDateTime, metadata

#: One company's request to join the register, from sign-up to the officials' decision.
applications = sa.Table(
    "applications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    #: unverified, verified (waiting for an official), changes (asked to edit),
    #: approved, rejected.
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("company_zh", sa.Text, nullable=False),
    sa.Column("company_en", sa.Text, nullable=False),
    sa.Column("credit_code", sa.String(18), nullable=False, index=True),
    sa.Column("contact_name", sa.Text, nullable=False),
    sa.Column("email", sa.String(320), nullable=False, index=True),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("hs_codes", sa.JSON, nullable=False),
    sa.Column("markets", sa.JSON, nullable=False),
    #: Optional yearly export figures: [{"hs": "3304", "market": "KEN", "value_usd": 1.0, "year": 2025}].
    sa.Column("figures", sa.JSON, nullable=False),
    #: The nonce the pending emailed link (verification or edit) carries; cleared when used.
    sa.Column("link_nonce", sa.String(64), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    #: An unverified application is void after this.
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("verified_at", UtcDateTime, nullable=True),
    #: The exporter it joined (new, or the one it matched) once approved.
    sa.Column("exporter_id", sa.Integer, sa.ForeignKey("exporters.id"), nullable=True),
)

#: Every step of an application: who, when, what, why.
application_events = sa.Table(
    "application_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, index=True),
    #: submitted, verified, edited, approved, changes, rejected.
    sa.Column("action", sa.String(12), nullable=False),
    #: The official's email, or the applicant's for their own steps.
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

"""Tables of the analysts' changes to the classifier: keyword rules and
exclusions with every version (issue 4, 20), and their overrides of the shipped
ICS-to-HS mapping and of the sectors, with the history of both (issue 7).
On the one :data:`warning.storage.schema.metadata`."""

from __future__ import annotations

import sqlalchemy as sa

from warning.storage.schema import UtcDateTime, metadata

#: Analysts' keyword rules; the current version of each. Deleted rules are kept
#: with ``active`` false so their history stays readable.
classifier_rules = sa.Table(
    "classifier_rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("phrases", sa.JSON, nullable=False),
    sa.Column("hs_codes", sa.JSON, nullable=False),
    sa.Column("exclusions", sa.JSON, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    # An exclusion (issue 20): the phrases veto matches to the HS prefixes.
    sa.Column("suppress", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

#: Every version of every rule: who changed what, when (add, change, remove).
classifier_rule_versions = sa.Table(
    "classifier_rule_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("rule_id", sa.Integer, sa.ForeignKey("classifier_rules.id"), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("phrases", sa.JSON, nullable=False),
    sa.Column("hs_codes", sa.JSON, nullable=False),
    sa.Column("exclusions", sa.JSON, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("changed_at", UtcDateTime, nullable=False),
    sa.Column("suppress", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("rule_id", "version", name="uq_classifier_rule_versions_rule_id"),
)

#: Analysts' overrides of the shipped ICS-to-HS mapping (``classifiers/data/ics_hs.csv``):
#: one row per overridden ICS code; ``removed`` hides a shipped row.
ics_overrides = sa.Table(
    "ics_overrides",
    metadata,
    sa.Column("ics", sa.String(40), primary_key=True),
    sa.Column("hs_prefixes", sa.JSON, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("removed", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

#: Analysts' overrides of the sector definitions (``[[sectors]]`` or the HS sections).
sector_overrides = sa.Table(
    "sector_overrides",
    metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("hs_prefixes", sa.JSON, nullable=False),
    sa.Column("removed", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

#: Every change to either mapping: who changed what, when (kind ``ics`` or ``sector``).
mapping_versions = sa.Table(
    "mapping_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("key", sa.String(60), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    #: add, change or remove (relative to the effective mapping at the time).
    sa.Column("action", sa.String(10), nullable=False),
    #: The row after the change (before it, for a removal).
    sa.Column("hs_prefixes", sa.JSON, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("changed_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("kind", "key", "version", name="uq_mapping_versions_kind"),
)

"""exporters' sign-up: applications, their events, rate-limit attempts; exporters.credit_code (issue 17)

Revision ID: 0019
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
# Branches from 0001 like the other migrations here (it needs only ``exporters``); a
# migration test upgrades every head but 0012's, so hanging this one under 0012 would
# apply 0012 too early. The lead relinks the chain at merge.
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exporters", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("credit_code", sa.String(length=18), nullable=True))
        batch_op.create_index(batch_op.f("ix_exporters_credit_code"), ["credit_code"], unique=False)
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("company_zh", sa.Text(), nullable=False),
        sa.Column("company_en", sa.Text(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("contact_name", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("hs_codes", sa.JSON(), nullable=False),
        sa.Column("markets", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("link_nonce", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("exporter_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exporter_id"], ["exporters.id"], name=op.f("fk_applications_exporter_id_exporters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    op.create_index(op.f("ix_applications_status"), "applications", ["status"], unique=False)
    op.create_index(op.f("ix_applications_credit_code"), "applications", ["credit_code"], unique=False)
    op.create_index(op.f("ix_applications_email"), "applications", ["email"], unique=False)
    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_events_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_events")),
    )
    op.create_index(
        op.f("ix_application_events_application_id"), "application_events", ["application_id"], unique=False
    )
    op.create_table(
        "signup_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_attempts")),
    )
    op.create_index("ix_signup_attempts_key_created_at", "signup_attempts", ["key", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_signup_attempts_key_created_at", table_name="signup_attempts")
    op.drop_table("signup_attempts")
    op.drop_index(op.f("ix_application_events_application_id"), table_name="application_events")
    op.drop_table("application_events")
    op.drop_index(op.f("ix_applications_email"), table_name="applications")
    op.drop_index(op.f("ix_applications_credit_code"), table_name="applications")
    op.drop_index(op.f("ix_applications_status"), table_name="applications")
    op.drop_table("applications")
    with op.batch_alter_table("exporters", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_exporters_credit_code"))
        batch_op.drop_column("credit_code")

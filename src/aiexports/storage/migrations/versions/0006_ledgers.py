"""Sovereignty ledgers: each version of a deal's commitments, and the partner's
co-signature of a version; NIST AI RMF assessments recorded against a license.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_versions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("commitments", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=80), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_ledger_versions_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_versions")),
        sa.UniqueConstraint(
            "application_id", "version", name=op.f("uq_ledger_versions_application_id")
        ),
    )
    op.create_table(
        "ledger_signatures",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("signed_by", sa.String(length=40), nullable=False),
        sa.Column("signed_by_name", sa.String(length=200), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_ledger_signatures_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_signatures")),
        sa.UniqueConstraint(
            "application_id", "version", name=op.f("uq_ledger_signatures_application_id")
        ),
    )

    op.create_table(
        "rmf_assessments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("license_id", sa.String(length=40), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["license_id"], ["licenses.id"], name=op.f("fk_rmf_assessments_license_id_licenses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rmf_assessments")),
    )


def downgrade() -> None:
    op.drop_table("rmf_assessments")
    op.drop_table("ledger_signatures")
    op.drop_table("ledger_versions")

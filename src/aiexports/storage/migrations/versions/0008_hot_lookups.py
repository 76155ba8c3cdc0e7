"""Indexes for the lookups every request makes by something other than a primary key: a
resource's history in the audit trail, an application's determinations and license, an
organisation's applications, a license's shipments, a package's menu entries and the
adjudications of a party. Without them each is a scan that grows with the table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_audit_log_object", "audit_log", ["object_type", "object_id", "seq"]),
    ("ix_determinations_application", "determinations", ["application_id", "round"]),
    ("ix_licenses_application", "licenses", ["application_id"]),
    ("ix_applications_organization", "applications", ["organization_id", "seq"]),
    ("ix_shipments_license", "shipments", ["license_id", "seq"]),
    ("ix_menu_entries_package", "menu_entries", ["package_id", "seq"]),
    ("ix_adjudications_party", "adjudications", ["party_key"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)

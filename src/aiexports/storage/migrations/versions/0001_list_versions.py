"""Installed restricted-party list versions and the active one.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "list_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(400), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("feeds", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_list_versions"),
    )
    op.create_table(
        "list_activation",
        sa.Column("singleton", sa.Boolean(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["list_versions.id"], name="fk_list_activation_version_id_list_versions"
        ),
        sa.PrimaryKeyConstraint("singleton", name="pk_list_activation"),
    )


def downgrade() -> None:
    op.drop_table("list_activation")
    op.drop_table("list_versions")

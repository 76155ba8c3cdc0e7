"""The proposal rubric has one version sequence: a version number is unique on its own
(two rubric ids could otherwise both publish version 2, and a score citing version 2
would be ambiguous).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rubrics") as batch:
        batch.drop_constraint("uq_rubrics_rubric_id", type_="unique")
        batch.create_unique_constraint("uq_rubrics_version", ["version"])


def downgrade() -> None:
    with op.batch_alter_table("rubrics") as batch:
        batch.drop_constraint("uq_rubrics_version", type_="unique")
        batch.create_unique_constraint("uq_rubrics_rubric_id", ["rubric_id", "version"])

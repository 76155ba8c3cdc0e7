"""Program workflows: package proposals, the menu's append-only record, the published
proposal rubric and its scorecards, remembered screening adjudications, and the inputs a
determination was decided with beyond its deal (party details, adjudications).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("determinations") as batch:
        batch.add_column(sa.Column("inputs", sa.JSON(), nullable=True))
    op.create_table(
        "proposals",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.String(length=40), nullable=False),
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_proposals_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_proposals")),
        sa.UniqueConstraint("id", name=op.f("uq_proposals_id")),
    )
    op.create_table(
        "menu_entries",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.Column("package_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("package", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposal_id", sa.String(length=40), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('designated', 'suspended', 'retired')",
            name=op.f("ck_menu_entries_status"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_menu_entries")),
    )
    op.create_table(
        "rubrics",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rubric_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.String(length=40), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_rubrics")),
        sa.UniqueConstraint("rubric_id", "version", name=op.f("uq_rubrics_rubric_id")),
    )
    op.create_table(
        "proposal_scores",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("proposal_id", sa.String(length=40), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.String(length=100), nullable=False),
        sa.Column("rubric_version", sa.Integer(), nullable=False),
        sa.Column("evaluator", sa.String(length=40), nullable=False),
        sa.Column("scorecard", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_scores_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_proposal_scores")),
        sa.UniqueConstraint("id", name=op.f("uq_proposal_scores_id")),
    )
    op.create_table(
        "adjudications",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("entry_key", sa.String(length=200), nullable=False),
        sa.Column("party_key", sa.String(length=600), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "verdict IN ('false_positive', 'confirmed')", name=op.f("ck_adjudications_verdict")
        ),
        sa.CheckConstraint(
            "scope IN ('program', 'organization')", name=op.f("ck_adjudications_scope")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_adjudications_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_adjudications")),
        sa.UniqueConstraint("id", name=op.f("uq_adjudications_id")),
    )
    _append_only("menu_entries")


def _append_only(table: str) -> None:
    """The menu's record can only grow: the database refuses to change or remove a row."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'the menu record is append-only'); END"
        )


def downgrade() -> None:
    raise NotImplementedError("the menu's record is never dropped")

"""End-use monitoring in the service: a license's monitoring terms (sites, limits, report
schedule) on the license itself, the compliance reports received, telemetry batches
processed as jobs, and the alerts they raise with their adjudication.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("licenses") as batch:
        batch.add_column(sa.Column("monitoring", sa.JSON(), nullable=True))
    op.create_table(
        "monitoring_reports",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("license_id", sa.String(length=40), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["license_id"], ["licenses.id"], name=op.f("fk_monitoring_reports_license_id_licenses")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_monitoring_reports")),
    )
    op.create_table(
        "telemetry_jobs",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("license_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("problem", sa.JSON(), nullable=True),
        sa.Column("submitted_by", sa.String(length=40), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["license_id"], ["licenses.id"], name=op.f("fk_telemetry_jobs_license_id_licenses")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_telemetry_jobs")),
        sa.UniqueConstraint("id", name=op.f("uq_telemetry_jobs_id")),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'succeeded', 'failed')",
            name=op.f("ck_telemetry_jobs_state"),
        ),
    )
    op.create_table(
        "monitoring_alerts",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("license_id", sa.String(length=40), nullable=False),
        sa.Column("job_id", sa.String(length=40), nullable=False),
        sa.Column("alert_key", sa.String(length=700), nullable=False),
        sa.Column("check_id", sa.String(length=60), nullable=False),
        sa.Column("tenant_id", sa.String(length=200), nullable=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["license_id"], ["licenses.id"], name=op.f("fk_monitoring_alerts_license_id_licenses")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_monitoring_alerts")),
        sa.UniqueConstraint("id", name=op.f("uq_monitoring_alerts_id")),
        sa.UniqueConstraint("alert_key", name=op.f("uq_monitoring_alerts_alert_key")),
        sa.CheckConstraint(
            "state IN ('open', 'confirmed', 'dismissed')", name=op.f("ck_monitoring_alerts_state")
        ),
    )
    op.create_index(
        op.f("ix_monitoring_alerts_license_id"), "monitoring_alerts", ["license_id", "seq"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_monitoring_alerts_license_id"), table_name="monitoring_alerts")
    op.drop_table("monitoring_alerts")
    op.drop_table("telemetry_jobs")
    op.drop_table("monitoring_reports")
    with op.batch_alter_table("licenses") as batch:
        batch.drop_column("monitoring")

"""The database schema (SQLAlchemy Core); Alembic migrations create it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

list_versions = Table(
    "list_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(400), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("installed_at", DateTime(timezone=True), nullable=False),
    Column("entry_count", Integer, nullable=False),
    Column("feeds", JSON, nullable=False),
    Column("report", JSON, nullable=False),
    Column("snapshot", LargeBinary, nullable=False),
)

list_activation = Table(
    "list_activation",
    metadata,
    Column("singleton", Boolean, primary_key=True, default=True),
    Column("version_id", Integer, ForeignKey("list_versions.id"), nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=False),
)

# --- the service (spec service.md) ---------------------------------------------------------
# Amounts of money are whole cents (exact on every database); ids are opaque strings the
# server chooses; ``seq`` columns order collections (newest first) and carry cursors.

organizations = Table(
    "organizations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("country", String(2)),
    Column("name", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("organization_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("role", String(40), nullable=False),
    Column("password_hash", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("organization_id", "name", name="uq_users_organization_name"),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

applications = Table(
    "applications",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("organization_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("state", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("destination", String(2), nullable=False),
    Column("document", JSON, nullable=False),
    Column("assigned_to", String(40)),
    Column("decision", JSON),
    Column("created_by", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
)

determinations = Table(
    "determinations",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(40), ForeignKey("applications.id"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("decision_id", String(80), nullable=False),
    Column("outcome", String(40), nullable=False),
    Column("deal", JSON, nullable=False),
    Column("determination", JSON, nullable=False),
    Column("inputs", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("application_id", String(40), ForeignKey("applications.id"), nullable=False),
    Column("kind", String(60), nullable=False),
    Column("filename", String(300), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

licenses = Table(
    "licenses",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("application_id", String(40), ForeignKey("applications.id"), nullable=False),
    Column("organization_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("destination", String(2), nullable=False),
    Column("state", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("riders", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("monitoring", JSON),
)

license_revisions = Table(
    "license_revisions",
    metadata,
    Column("license_id", String(40), ForeignKey("licenses.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("snapshot", JSON, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""Every version a license has had, as it stood (an amendment keeps the old)."""

license_conditions = Table(
    "license_conditions",
    metadata,
    Column("license_id", String(40), ForeignKey("licenses.id"), primary_key=True),
    Column("condition_id", String(100), primary_key=True),
    Column("text", Text, nullable=False),
    Column("source", String(60), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("acknowledged_by", String(40)),
)

license_items = Table(
    "license_items",
    metadata,
    Column("license_id", String(40), ForeignKey("licenses.id"), primary_key=True),
    Column("component", String(100), primary_key=True),
    Column("quantity", BigInteger, nullable=False),
    Column("value_cents", BigInteger, nullable=False),
    Column("shipped_quantity", BigInteger, nullable=False),
    Column("shipped_value_cents", BigInteger, nullable=False),
    # The database itself refuses depletion past the license (a second line of defence
    # behind the conditional update).
    CheckConstraint("shipped_quantity <= quantity", name="within_quantity"),
    CheckConstraint("shipped_value_cents <= value_cents", name="within_value"),
)

shipments = Table(
    "shipments",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("license_id", String(40), ForeignKey("licenses.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("consignee", String(500)),
    Column("items", JSON, nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", String(40), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer),
    Column("response", JSON),
    Column("headers", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
"""A creating request's first response by (user, key); ``status`` is null while the
first request is still being processed."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", JSON, nullable=False),
    Column("action", String(100), nullable=False),
    Column("object_type", String(60), nullable=False),
    Column("object_id", String(100), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
"""Append-only (a trigger refuses UPDATE and DELETE): the chain of spec §6. ``at`` is kept
as the RFC 3339 text that was hashed, so verification reads back exactly what was hashed."""

audit_head = Table(
    "audit_head",
    metadata,
    Column("singleton", Boolean, primary_key=True, default=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
"""The chain's newest entry: appending locks this row, so entries are numbered and linked
one at a time; verification compares its count with the entries found (a deleted newest
entry is missing, not silently shorter)."""

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
"""A signed-in browser: the cookie holds a random token, the database its hash."""

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
)
"""Failed sign-ins in a row, per ``user:<org>/<name>`` and per ``address:<ip>``."""


# --- program workflows: proposals, the menu's record, the rubric, adjudications -------------

proposals = Table(
    "proposals",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("organization_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("package_id", String(100), nullable=False),
    Column("state", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    Column("findings", JSON, nullable=False),
    Column("decision", JSON),
    Column("created_by", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
)
"""A consortium's package proposal; ``findings`` are the proposal rules' at the last check."""

menu_entries = Table(
    "menu_entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("package_id", String(100), nullable=False),
    Column("package_version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("effective", Date, nullable=False),
    Column("package", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("proposal_id", String(40)),
    Column("recorded_by", String(40), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('designated', 'suspended', 'retired')", name="status"),
)
"""Append-only (like the audit log): every change to the menu, so that the menu as it
stood on any date can be rebuilt exactly."""

rubrics = Table(
    "rubrics",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("rubric_id", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    Column("published_by", String(40), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("version"),
)
"""Every published version of the proposal rubric; a score names the version it used."""

proposal_scores = Table(
    "proposal_scores",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("proposal_id", String(40), ForeignKey("proposals.id"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("rubric_id", String(100), nullable=False),
    Column("rubric_version", Integer, nullable=False),
    Column("evaluator", String(40), nullable=False),
    Column("scorecard", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
"""An evaluator's scorecard of one round of a proposal (a later one by the same evaluator
in the same round supersedes it; both are kept)."""

adjudications = Table(
    "adjudications",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("organization_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("scope", String(20), nullable=False),
    Column("entry_key", String(200), nullable=False),
    Column("party_key", String(600), nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("record", JSON, nullable=False),
    Column("decided_by", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),
    CheckConstraint("verdict IN ('false_positive', 'confirmed')", name="verdict"),
    CheckConstraint("scope IN ('program', 'organization')", name="scope"),
)
"""Judgements of screening matches; the newest per (scope, entry, party) is in force."""

ledger_versions = Table(
    "ledger_versions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(40), ForeignKey("applications.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("commitments", JSON, nullable=False),
    Column("digest", String(80), nullable=False),
    Column("recorded_by", String(40), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("application_id", "version"),
)
"""Every version of a deal's sovereignty ledger: the chosen package's commitments and the
deal's obligations, as recorded; a change of either is a new version."""

ledger_signatures = Table(
    "ledger_signatures",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(40), ForeignKey("applications.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("signed_by", String(40), nullable=False),
    Column("signed_by_name", String(200), nullable=False),
    Column("organization", String(100), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("application_id", "version"),
)
"""The partner's co-signature of one ledger version (who, when): once per version."""

rmf_assessments = Table(
    "rmf_assessments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("license_id", String(40), ForeignKey("licenses.id"), nullable=False),
    Column("assessment", JSON, nullable=False),
    Column("report", JSON, nullable=False),
    Column("recorded_by", String(40), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""NIST AI RMF assessments of a license's deployer, each with its report; the newest one's
gaps are the remediation items of the license's GOV-RMF condition."""


# --- end-use monitoring (spec monitoring.md) -------------------------------------------------

monitoring_reports = Table(
    "monitoring_reports",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("license_id", String(40), ForeignKey("licenses.id"), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("period_end", Date),
    Column("summary", Text),
    Column("recorded_by", String(40), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""Compliance reports a licensee filed (each settles the earliest open report period)."""

telemetry_jobs = Table(
    "telemetry_jobs",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("license_id", String(40), ForeignKey("licenses.id"), nullable=False),
    Column("state", String(20), nullable=False),
    Column("files", JSON, nullable=False),
    Column("summary", JSON),
    Column("problem", JSON),
    Column("submitted_by", String(40), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed')", name="state"),
)
"""Telemetry batches uploaded for a license, each checked as one job."""

monitoring_alerts = Table(
    "monitoring_alerts",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("license_id", String(40), ForeignKey("licenses.id"), nullable=False),
    Column("job_id", String(40), nullable=False),
    Column("alert_key", String(700), nullable=False, unique=True),
    Column("check_id", String(60), nullable=False),
    Column("tenant_id", String(200)),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("alert", JSON, nullable=False),
    Column("state", String(20), nullable=False),
    Column("reason", Text),
    Column("decided_by", String(40)),
    Column("decided_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("state IN ('open', 'confirmed', 'dismissed')", name="state"),
)
"""Alerts raised by telemetry jobs, one per alert key (check, license, tenant, window):
a batch that raises a known alert again leaves it and its adjudication as they are."""

Index("ix_monitoring_alerts_license_id", monitoring_alerts.c.license_id, monitoring_alerts.c.seq)

# The lookups every request makes by something other than a primary key, indexed so that
# their cost does not grow with the tables (migration 0008).
HOT_LOOKUPS = (
    Index("ix_audit_log_object", audit_log.c.object_type, audit_log.c.object_id, audit_log.c.seq),
    Index("ix_determinations_application", determinations.c.application_id, determinations.c.round),
    Index("ix_licenses_application", licenses.c.application_id),
    Index("ix_applications_organization", applications.c.organization_id, applications.c.seq),
    Index("ix_shipments_license", shipments.c.license_id, shipments.c.seq),
    Index("ix_menu_entries_package", menu_entries.c.package_id, menu_entries.c.seq),
    Index("ix_adjudications_party", adjudications.c.party_key),
)

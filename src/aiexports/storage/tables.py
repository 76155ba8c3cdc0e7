"""The database schema (SQLAlchemy Core); Alembic migrations create it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
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

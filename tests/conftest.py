"""Shared fixtures: bundled reference data and the engine's inputs."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from aiexports.core.policy.engine import ReferenceData
from aiexports.core.policy.pack import PackShelf
from aiexports.sources import reference
from aiexports.storage.database import normalize_url

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def reference_data() -> ReferenceData:
    return reference.reference_data()


@pytest.fixture(scope="session")
def shelf() -> PackShelf:
    return reference.packs()


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test sees (or writes) a user's installed lists or database."""
    home = tmp_path_factory.mktemp("aiexports-home")
    monkeypatch.setenv("AIEXPORTS_HOME", str(home))
    monkeypatch.delenv("AIEXPORTS_DATABASE_URL", raising=False)
    return home


# Database fixtures: every database test runs on SQLite, and on PostgreSQL when
# ``AIEXPORTS_TEST_POSTGRES_URL`` is set (each test in a schema of its own).
POSTGRES_ENV = "AIEXPORTS_TEST_POSTGRES_URL"


def _with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh database of ``kind``: a SQLite file in ``folder``, or a PostgreSQL schema
    of its own (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'aiexports.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(base))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(normalize_url(base), schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url

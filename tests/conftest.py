"""Shared fixtures: bundled reference data and the engine's inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiexports.core.policy.engine import ReferenceData
from aiexports.core.policy.pack import PackShelf
from aiexports.sources import reference

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

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

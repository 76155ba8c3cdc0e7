"""The matcher over the bundled lists, built once for the screening tests."""

from __future__ import annotations

import pytest

from aiexports.core.screening.matcher import NameMatcher
from aiexports.core.screening.results import Thresholds
from aiexports.services.screening import bundled_snapshot, screening_config
from aiexports.sources.reference import name_rules


@pytest.fixture(scope="session")
def matcher() -> NameMatcher:
    snapshot = bundled_snapshot()
    return NameMatcher(snapshot.entries, snapshot.version, name_rules())


@pytest.fixture(scope="session")
def thresholds() -> Thresholds:
    return screening_config().thresholds

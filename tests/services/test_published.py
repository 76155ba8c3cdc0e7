"""The published counts: small cells withheld, and a second one where the total would
give the first away."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiexports.runtime import Runtime
from aiexports.services.published import MIN_CELL, _ordered_counts, offered_to
from aiexports.settings import Settings


def _shown(counts: dict[str, int]) -> dict[str, int | None]:
    return {r["key"]: r["count"] for r in _ordered_counts(counts, sorted(counts))}


def test_counts_below_the_minimum_are_withheld() -> None:
    assert _shown({"a": MIN_CELL, "b": MIN_CELL - 1, "c": 1}) == {
        "a": MIN_CELL,
        "b": None,
        "c": None,
    }


def test_a_lone_small_count_takes_the_next_smallest_with_it() -> None:
    # total 19 with "c" withheld alone would give c = 19 - 10 - 7.
    assert _shown({"a": 10, "b": 7, "c": 2}) == {"a": 10, "b": None, "c": None}


def test_a_single_category_is_withheld_only_when_small() -> None:
    assert _shown({"a": 2}) == {"a": None}
    assert _shown({"a": 12}) == {"a": 12}


def test_bars_are_scaled_to_the_largest_shown_count() -> None:
    rows = _ordered_counts({"a": 10, "b": 5, "c": 6}, ["a", "b", "c"])
    assert [r["share"] for r in rows] == [1.0, 0.5, 0.6]


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return Runtime(Settings(home=tmp_path / "home"))


def test_a_package_is_offered_to_a_bloc_s_members_and_only_them(runtime: Runtime) -> None:
    terms = runtime.program_terms
    package = runtime.menu.packages["grid-operations-ai"].model_copy(
        update={"target_countries": ("PL",), "target_blocs": ("asean",)}
    )
    assert offered_to(package, "PL", terms)
    assert all(offered_to(package, c, terms) for c in terms.blocs["asean"].members)
    assert not offered_to(package, "KE", terms)

"""Derived data kept between runs: read back exactly as built, never trusted when damaged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aiexports.core.screening.algorithms import ALGORITHMS, NameAlgorithm
from aiexports.core.screening.index import IndexTables, ListIndex, build_tables
from aiexports.core.screening.port import ScreeningQuery
from aiexports.services.screening import MATCHERS, bundled_snapshot
from aiexports.sources import reference
from aiexports.sources.cache import KEEP_PER_KIND, DerivedCache


def test_an_entry_is_read_back_as_stored(tmp_path: Path) -> None:
    cache = DerivedCache(tmp_path / "cache")
    value = {"a": [1, 2.5, "x"], "b": (None, True)}
    assert cache.store("kind", "k1", value)
    assert cache.load("kind", "k1") == value
    assert cache.load("kind", "other") is None
    assert not list((tmp_path / "cache").glob(".kind-*")), "no temporary file is left"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one bit flipped in the payload
        lambda data: b"something else" + data[14:],  # another file
        lambda data: b"",
    ],
)
def test_a_damaged_entry_is_never_read(tmp_path: Path, damage: object) -> None:
    cache = DerivedCache(tmp_path)
    cache.store("kind", "k", list(range(1000)))
    path = tmp_path / "kind-k.bin"
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert cache.load("kind", "k") is None


def test_an_unwritable_folder_costs_only_the_rebuild(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = DerivedCache(blocker / "cache")
    assert cache.store("kind", "k", [1]) is False
    assert cache.load("kind", "k") is None


def test_old_entries_are_pruned(tmp_path: Path) -> None:
    cache = DerivedCache(tmp_path)
    for number in range(KEEP_PER_KIND + 3):
        cache.store("kind", f"k{number}", number)
        os.utime(tmp_path / f"kind-k{number}.bin", (number, number))
    kept = sorted(path.name for path in tmp_path.glob("kind-*.bin"))
    assert len(kept) == KEEP_PER_KIND
    assert cache.load("kind", f"k{KEEP_PER_KIND + 2}") == KEEP_PER_KIND + 2


def test_keys_depend_on_every_input_and_the_code(tmp_path: Path) -> None:
    cache = DerivedCache(tmp_path)
    assert cache.key("a", "bc") != cache.key("ab", "c")
    assert cache.key("a") == DerivedCache(tmp_path / "elsewhere").key("a")
    other = DerivedCache(tmp_path)
    other.__dict__["code_version"] = "another release"
    assert other.key("a") != cache.key("a")


def test_index_tables_survive_the_cache_unchanged(tmp_path: Path) -> None:
    snapshot = bundled_snapshot()
    rules = reference.name_rules()
    built = build_tables(snapshot.entries, rules)
    cache = DerivedCache(tmp_path)
    assert cache.store("index", "k", built.plain())
    loaded = IndexTables.from_plain(cache.load("index", "k"))
    assert loaded == built
    assert IndexTables.from_plain(("another layout",)) is None


@pytest.mark.parametrize("algorithm", list(ALGORITHMS.values()), ids=list(ALGORITHMS))
def test_a_matcher_from_kept_tables_finds_what_a_built_one_finds(
    tmp_path: Path, algorithm: NameAlgorithm
) -> None:
    snapshot = bundled_snapshot()
    factory = MATCHERS[algorithm.name]
    cold = factory(snapshot.entries, snapshot.version, DerivedCache(tmp_path))
    assert list(tmp_path.glob("index-*.bin")), "the first build keeps its tables"
    warm = factory(snapshot.entries, snapshot.version, DerivedCache(tmp_path))
    bare = ListIndex(snapshot.entries, algorithm.rules(reference.name_rules()), algorithm=algorithm)
    for name in ["Qasem Soleimani", "Hassan Ghul", "Rosneft", "Banco Nacional de Cuba"]:
        query = ScreeningQuery(name, "")
        assert warm.screen(query) == cold.screen(query)
    assert warm.index.tables == bare.tables  # type: ignore[attr-defined]


def test_the_menu_read_back_equals_the_menu_read_from_its_files(tmp_path: Path) -> None:
    files = reference.menu()
    first = reference.menu(DerivedCache(tmp_path))
    assert list(tmp_path.glob("menu-*.bin"))
    second = reference.menu(DerivedCache(tmp_path))  # another object: read from the entry
    assert first == files
    assert second == files
    assert second.version == files.version

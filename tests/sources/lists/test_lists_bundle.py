"""The bundled list snapshot: deterministic bytes, loadable, and fresh."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from aiexports.errors import ReferenceDataError
from aiexports.sources.lists.bundle import (
    BUNDLED_SNAPSHOT,
    REFERENCE_LISTS,
    build_snapshot,
    load_snapshot_bytes,
    main,
    snapshot_bytes,
)
from aiexports.sources.reference import countries

REPOSITORY = Path(__file__).parents[3]
FIXTURES = Path(__file__).parents[2] / "fixtures" / "lists"


def test_building_twice_gives_identical_bytes() -> None:
    first = snapshot_bytes(build_snapshot(FIXTURES / "download", countries()))
    second = snapshot_bytes(build_snapshot(FIXTURES / "download", countries()))
    assert first == second
    assert first[4:8] == b"\x00\x00\x00\x00"  # gzip mtime 0
    assert first[3] & 0x08 == 0  # no file name stored


def test_a_snapshot_survives_the_round_trip() -> None:
    snapshot = build_snapshot(FIXTURES / "download", countries())
    loaded = load_snapshot_bytes(snapshot_bytes(snapshot))
    assert loaded == snapshot
    assert loaded.version.startswith("bis-dpl@2022-09-01,csl@undated,ofac-sdn@undated,un-sc@")


def test_an_unreadable_snapshot_is_reference_data_error() -> None:
    with pytest.raises(ReferenceDataError):
        load_snapshot_bytes(b"not gzip")
    with pytest.raises(ReferenceDataError):
        load_snapshot_bytes(gzip.compress(b'{"version": 1}'))


def test_main_writes_the_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "snapshot.json.gz"
    assert main(["--source", str(FIXTURES / "download"), "--output", str(output)]) == 0
    assert load_snapshot_bytes(output.read_bytes()).feeds[0].provenance.feed == "bis-dpl"
    assert "ofac-sdn: 11 entries" in capsys.readouterr().out


def test_main_reports_a_malformed_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["--source", str(FIXTURES / "malformed" / "un-broken.xml"), "--output", str(tmp_path / "x")]
    )
    assert code == 2
    assert "un-broken.xml:7" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_the_bundled_snapshot_is_fresh() -> None:
    """The shipped snapshot equals a build from reference-data/lists (rebuild it with
    ``python -m aiexports.sources.lists.bundle`` after changing the sources)."""
    assert REPOSITORY / "reference-data" / "lists" == REFERENCE_LISTS
    assert REPOSITORY / "src" / "aiexports" / "data" / "lists" / "snapshot.json.gz" == (
        BUNDLED_SNAPSHOT
    )
    snapshot = build_snapshot(REPOSITORY / "reference-data" / "lists", countries())
    assert snapshot_bytes(snapshot) == BUNDLED_SNAPSHOT.read_bytes()
    assert {feed.provenance.feed: feed.report.entries for feed in snapshot.feeds} == {
        "bis-dpl": 461,
        "csl": 13,
        "ofac-sdn": 8976,
        "un-sc": 1003,
    }

"""``aiexports rmf``: the command over the example assessment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.runner import run
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "rmf" / "kenya-ict-ministry.yaml"


def test_assess_shows_the_gaps_and_export_writes_csv(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown = run(capsys, monkeypatch, "rmf", "assess", str(EXAMPLE))
    assert shown.code == 0, shown.err
    assert "gap MEASURE 2.5: not started — remedy by 2027-03-01 (GOV-RMF)" in shown.out
    target = tmp_path / "a.csv"
    exported = run(
        capsys, monkeypatch, "rmf", "export", str(EXAMPLE), "--to", "csv", "--output", str(target)
    )
    assert exported.code == 0, exported.err
    again = run(capsys, monkeypatch, "rmf", "assess", str(target), "--format", "json")
    assert [g["subcategory"] for g in again.json()["gaps"]] == [
        "GOVERN 3.2",
        "MAP 2.2",
        "MEASURE 2.5",
        "MEASURE 2.11",
    ]


def test_a_bad_assessment_exits_2_with_its_place(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("maturity: 4", "maturity: 7"), encoding="utf-8"
    )
    found = run(capsys, monkeypatch, "rmf", "assess", str(bad))
    assert found.code == 2
    assert f"{bad}:" in found.err
    assert "maturity" in found.err
    assert "Traceback" not in found.err
    wrong = run(capsys, monkeypatch, "rmf", "export", str(EXAMPLE), "--to", "xml")
    assert wrong.code == 2


def test_the_oscal_exports(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = run(capsys, monkeypatch, "rmf", "catalog")
    assert catalog.code == 0, catalog.err
    assert catalog.json()["catalog"]["metadata"]["oscal-version"] == "1.2.3"
    results = run(capsys, monkeypatch, "rmf", "export", str(EXAMPLE), "--to", "oscal")
    assert results.code == 0, results.err
    assert len(results.json()["assessment-results"]["results"][0]["risks"]) == 4

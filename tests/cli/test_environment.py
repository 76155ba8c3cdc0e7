"""Failures of the environment and the file system: a clear message and exit status,
never a traceback (the runner asserts that), and nothing left half-written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiexports.cli import app as cli_app
from aiexports.services.name_screening import write_jsonl_atomically
from tests.cli.runner import run, run_impact
from tests.conftest import ROOT

DEAL = ROOT / "examples" / "deals" / "sovereign-cloud-saudi-arabia.yaml"


def _names(tmp_path: Path) -> Path:
    path = tmp_path / "names.csv"
    path.write_text("query_id,name\n1,Acme Trading LLC\n")
    return path


def test_output_naming_a_folder_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(
        capsys, monkeypatch, "screen", "--input", str(_names(tmp_path)), "--output", str(tmp_path)
    )
    assert got.code == 2
    assert "is a folder" in got.err


def test_output_in_a_missing_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "no" / "such" / "out.jsonl"
    got = run(
        capsys, monkeypatch, "screen", "--input", str(_names(tmp_path)), "--output", str(target)
    )
    assert got.code == 2
    assert "does not exist" in got.err
    assert not (tmp_path / "no").exists()


def test_a_home_that_is_a_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("AIEXPORTS_HOME", str(home))
    got = run(capsys, monkeypatch, "lists", "show")
    assert got.code == 2
    assert "AIEXPORTS_HOME" in got.err
    assert "is not a folder" in got.err


def test_a_corrupt_database_is_a_storage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "aiexports.db").write_bytes(b"this is not a database file" * 100)
    monkeypatch.setenv("AIEXPORTS_HOME", str(home))
    got = run(capsys, monkeypatch, "lists", "show")
    assert got.code == 4
    assert "not a database" in got.err


def test_an_unreachable_database_is_a_storage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 1 on the loopback address: nothing listens there.
    monkeypatch.setenv("AIEXPORTS_DATABASE_URL", "postgresql://127.0.0.1:1/none")
    got = run(capsys, monkeypatch, "lists", "show")
    assert got.code == 4
    assert "cannot use the database" in got.err
    assert "Connection refused" in got.err or "connection" in got.err.lower()


def test_a_bad_database_url_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIEXPORTS_DATABASE_URL", "no-such-scheme:/x")
    got = run(capsys, monkeypatch, "lists", "show")
    assert got.code == 4
    assert "AIEXPORTS_DATABASE_URL" in got.err


def test_an_interrupt_ends_with_its_own_status(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(**_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_app, "app", interrupted)
    got = run(capsys, monkeypatch, "assess", str(DEAL))
    assert got.code == cli_app.INTERRUPTED
    assert "interrupted" in got.err


def test_an_interrupted_batch_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "results.jsonl"
    target.write_text('{"old": true}\n')

    def rows() -> Iterator[dict[str, Any]]:
        yield {"query_id": "1"}
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_jsonl_atomically(target, rows())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.jsonl"]
    assert json.loads(target.read_text()) == {"old": True}


def test_impact_skips_a_deal_with_an_impossible_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "deals"
    folder.mkdir()
    (folder / "good.yaml").write_text(DEAL.read_text())
    (folder / "bad.yaml").write_text(
        DEAL.read_text().replace("date: 2026-11-26", "date: 2025-02-30")
    )
    got = run_impact(
        capsys,
        monkeypatch,
        "--skip-invalid",
        "--format",
        "json",
        str(folder),
    )
    assert got.code == 0, got.err
    report = got.json()
    assert report["deals"] == 1
    assert any("bad.yaml:" in line and "2025-02-30" in line for line in report["invalid_deals"])


def test_impact_reads_a_jsonl_line_too_long_as_one_invalid_deal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiexports.services.deals import portfolio
    from aiexports.sources.documents import ReadLimits

    path = tmp_path / "deals.jsonl"
    path.write_text('{"a": 1}\n' + '{"b": "' + "x" * 5000 + '"}\n' + '{"c": 3}\n')
    items = list(portfolio(path, ReadLimits(max_bytes=1000)))
    assert [item.number for item in items] == [1, 2, 3]
    assert items[1].problem is not None
    assert "longer than" in items[1].problem


def test_markup_in_user_text_is_shown_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(DEAL.read_text().replace("id: sovereign-cloud-sa-2026", 'id: "[/] [red]x"'))
    got = run(capsys, monkeypatch, "assess", str(deal))
    assert got.code == 0, got.err
    assert "Deal [/] [red]x:" in got.out
    screened = run(capsys, monkeypatch, "screen", "[/]")
    assert screened.code == 0, screened.err
    assert "[/] against" in screened.out

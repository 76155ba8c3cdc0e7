"""``aiexports monitor run`` and ``monitor checks`` through the real entry point: the
alerts file against the generator's ground truth, the summary, and bad or hostile input
refused with its file, line (or row) and field, exit 2 and nothing written."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pytest

from aiexports.core.monitoring.checks import CHECKS
from tests.cli.runner import Run, run
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from telemetry_gen import generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("monitor-cli")
    generate(out, rows=20_000, seed=21, fmt="csv")
    return out


def _monitor(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
    output: Path,
    *more: str,
    tenants: Path | None = None,
) -> Run:
    return run(
        capsys,
        monkeypatch,
        "monitor",
        "run",
        "--telemetry",
        str(folder / "telemetry"),
        "--tenants",
        str(tenants or folder / "tenants.csv"),
        "--profiles",
        str(folder / "profiles.yaml"),
        "--attestations",
        str(folder / "attestations.csv"),
        "--locations",
        str(folder / "locations.csv"),
        "--attestation-keys",
        str(folder / "attestation-keys.csv"),
        "--as-of",
        json.loads((folder / "manifest.json").read_text())["as_of"],
        "--output",
        str(output),
        *more,
    )


def _keys(path: Path) -> set[tuple[str, str | None, str | None, str]]:
    return {
        (a["check"], a["license_id"], a["tenant_id"], a["window_start"])
        for a in map(json.loads, path.read_text().splitlines())
    }


def test_run_writes_the_expected_alerts_and_a_json_summary(
    generated: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = tmp_path / "alerts.jsonl"
    got = _monitor(capsys, monkeypatch, generated, output, "--format", "json", "--workers", "1")
    assert got.code == 0, got.err
    summary = got.json()
    assert _keys(output) == _keys(generated / "expected.jsonl")
    assert summary["alerts"] == len(output.read_text().splitlines())
    assert summary["rows"] == json.loads((generated / "manifest.json").read_text())["rows"]
    assert (summary["engine"], summary["output"]) == ("duckdb", str(output))
    # The same inputs, the same bytes (and the table summary names every check raised).
    again = tmp_path / "again.jsonl"
    table = _monitor(capsys, monkeypatch, generated, again)
    assert table.code == 0, table.err
    assert again.read_bytes() == output.read_bytes()
    assert all(check in table.out for check, *_ in _keys(output))


def _parquet_tenants(generated: Path, path: Path, columns: str) -> Path:
    """The generated tenant table as Parquet, its columns selected by ``columns``."""
    source = (generated / "tenants.csv").as_posix()
    duckdb.sql(
        f"COPY (SELECT {columns} FROM read_csv('{source}', all_varchar = true)) TO '{path}' "
        "(FORMAT parquet)"
    )
    return path


def test_a_tenant_table_in_parquet_gives_the_same_alerts(
    generated: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenants = _parquet_tenants(generated, tmp_path / "tenants.parquet", "*")
    output = tmp_path / "alerts.jsonl"
    got = _monitor(capsys, monkeypatch, generated, output, tenants=tenants)
    assert got.code == 0, got.err
    assert _keys(output) == _keys(generated / "expected.jsonl")


def test_a_bad_parquet_tenant_row_is_named_by_row_and_field(
    generated: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenants = _parquet_tenants(
        generated,
        tmp_path / "tenants.parquet",
        "* REPLACE (CASE WHEN row_number() OVER () = 3 THEN 'XX' ELSE country END AS country)",
    )
    output = tmp_path / "alerts.jsonl"
    got = _monitor(capsys, monkeypatch, generated, output, tenants=tenants)
    assert got.code == 2
    assert f"{tenants}: field 'country': row 3:" in got.err
    assert not output.exists()


HEADER = b"tenant_id,name,country,headquarters,type,kyc_verified\n"


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        # A stray quote opens a cell that swallows every later row.
        (
            HEADER + b't-1,"Acme,DE,DE,private,true\n' + b"t-2,Beta,DE,DE,private,true\n" * 3,
            None,
            "malformed CSV",
        ),
        (HEADER + b"t-1," + b"A" * 200_000 + b",DE,DE,private,true\n", 2, "at most 500 characters"),
        (b"tenant_id,name,country\nt-1,Acme,DE\n", 1, "missing column(s) headquarters"),
        (HEADER + b"t-1,Acme,DE,DE,private,maybe\n", 2, "kyc_verified"),
        (HEADER + b"t-1,Acme,DE,DE,private,true,x\n", 2, "more cells than header columns"),
        (HEADER + b"t-1,Acme,XX,DE,private,true\n", 2, "country"),
        (HEADER + b"t-1,\xff\xfe,DE,DE,private,true\n", None, "not UTF-8 text"),
    ],
)
def test_a_bad_or_hostile_tenant_csv_is_refused_and_nothing_is_written(
    generated: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    table: bytes,
    line: int | None,
    message: str,
) -> None:
    tenants = tmp_path / "tenants.csv"
    tenants.write_bytes(table)
    output = tmp_path / "alerts.jsonl"
    got = _monitor(capsys, monkeypatch, generated, output, tenants=tenants)
    assert got.code == 2, got.err
    assert (f"{tenants}:{line}:" if line else f"{tenants}") in got.err
    assert message in got.err
    assert not output.exists()


def test_bad_arguments_are_named(
    generated: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = tmp_path / "alerts.jsonl"
    engine = _monitor(capsys, monkeypatch, generated, output, "--engine", "pandas")
    assert engine.code == 2
    assert "field '--engine'" in engine.err
    day = _monitor(capsys, monkeypatch, generated, output, "--as-of", "2026-02-30")
    assert day.code == 2
    assert "field '--as-of'" in day.err
    folder = _monitor(capsys, monkeypatch, generated, tmp_path)
    assert folder.code == 2
    assert not output.exists()


def test_checks_lists_every_check_with_its_condition_citations_and_explanation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(capsys, monkeypatch, "monitor", "checks", "--format", "json")
    assert got.code == 0
    listed = {item["check"]: item for item in got.json()}
    assert list(listed) == list(CHECKS)
    for check_id, item in listed.items():
        assert item["condition"] == CHECKS[check_id].condition
        assert item["explanation"], check_id
        assert item["citations"], check_id
    text = run(capsys, monkeypatch, "monitor", "checks")
    assert "NEW_TENANT_VOLUME (red flags, medium)" in text.out


def test_a_huge_tenant_cell_is_refused_at_the_reader_field_limit(
    generated: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 64 MiB in one cell: refused by the CSV reader's field limit, never held whole.
    tenants = tmp_path / "tenants.csv"
    with tenants.open("wb") as handle:
        handle.write(HEADER + b"t-1,")
        for _ in range(64):
            handle.write(b"N" * (1 << 20))
        handle.write(b",DE,DE,private,true\n")
    got = _monitor(capsys, monkeypatch, generated, tmp_path / "alerts.jsonl", tenants=tenants)
    assert got.code == 2
    assert "field larger than field limit" in got.err

"""The monitor against generated telemetry whose ground truth was derived independently
from the monitoring contract (benchmarks/telemetry_gen.py), and bad telemetry refused."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

from aiexports.core.monitoring.checks import CHECKS
from aiexports.errors import InputError
from aiexports.runtime import Runtime
from aiexports.services.monitoring import MonitorInputs, run_monitor
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from telemetry_gen import generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("telemetry")
    generate(out, rows=30_000, seed=11)
    return out


def _inputs(folder: Path, engine: str = "duckdb") -> MonitorInputs:
    manifest = json.loads((folder / "manifest.json").read_text())
    return MonitorInputs(
        folder / "telemetry",
        folder / "tenants.csv",
        folder / "profiles.yaml",
        folder / "attestations.csv",
        folder / "locations.csv",
        folder / "attestation-keys.csv",
        dt.date.fromisoformat(manifest["as_of"]),
        engine,
    )


def test_every_check_finds_every_injected_violation_and_nothing_else(generated: Path) -> None:
    run = run_monitor(Runtime.from_environment(), _inputs(generated))
    expected = {
        (e["check"], e["license_id"], e["tenant_id"], e["window_start"])
        for e in map(json.loads, (generated / "expected.jsonl").read_text().splitlines())
    }
    found = {alert.key() for alert in run.alerts}
    assert {key[0] for key in expected} == set(CHECKS)  # every check is exercised
    for check_id in CHECKS:
        wanted = {k for k in expected if k[0] == check_id}
        got = {k for k in found if k[0] == check_id}
        assert got == wanted, check_id
    assert [a.sort_key() for a in run.alerts] == sorted(a.sort_key() for a in run.alerts)


def _with_cell(folder: Path, line: int, column: str, value: str) -> Path:
    """The first CSV part of ``folder`` with one cell (at a 1-based ``line``) rewritten."""
    part = sorted((folder / "telemetry").glob("*.csv"))[0]
    lines = part.read_text().splitlines()
    cells = lines[line - 1].split(",")
    cells[lines[0].split(",").index(column)] = value
    lines[line - 1] = ",".join(cells)
    part.write_text("\n".join(lines) + "\n")
    return part


@pytest.mark.parametrize(
    ("line", "column", "value"),
    [(6, "gpu_hours", "-2.5"), (4, "source_country", "ZZ"), (9, "job_kind", "mining")],
)
def test_a_bad_value_is_refused_with_its_file_line_and_field(
    tmp_path: Path, line: int, column: str, value: str
) -> None:
    generate(tmp_path, rows=20_000, seed=3, fmt="csv")
    part = _with_cell(tmp_path, line, column, value)
    with pytest.raises(InputError) as raised:
        run_monitor(Runtime.from_environment(), _inputs(tmp_path))
    issue = raised.value.issues[0]
    assert (issue.source, issue.line, issue.field) == (str(part), line, column)


def test_a_corrupt_parquet_file_is_named(tmp_path: Path) -> None:
    generate(tmp_path, rows=20_000, seed=5)
    bad = tmp_path / "telemetry" / "part-zz.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError) as raised:
        run_monitor(Runtime.from_environment(), _inputs(tmp_path))
    assert raised.value.issues[0].source == str(bad)


# py4j leaves its gateway sockets to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_spark_raises_the_same_alerts_byte_for_byte(generated: Path) -> None:
    from aiexports.monitoring.spark_engine import spark_available

    problem = spark_available()
    if problem is not None:
        pytest.skip(problem)
    runtime = Runtime.from_environment()
    on_duckdb = run_monitor(runtime, _inputs(generated, "duckdb"))
    on_spark = run_monitor(runtime, _inputs(generated, "spark"))
    assert on_spark.engine == "spark"
    assert [a.json_line() for a in on_spark.alerts] == [a.json_line() for a in on_duckdb.alerts]

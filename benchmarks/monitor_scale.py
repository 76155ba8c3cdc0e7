"""End-use monitoring at scale: `aiexports monitor run` on growing slices of one generated
telemetry set, next to a pandas baseline, in one run.

    python benchmarks/monitor_scale.py --data DIR [--generate 100000000] [--spark-files 2]

DIR holds what `telemetry_gen.py` writes (`--generate N` writes it first: 200 licenses,
4,000 tenants). A slice is the first k files of `telemetry/` with the same tenants,
profiles and attestations, so that the cost per row can be read off as rows grow. Every
measured command runs in its own process; wall time and peak memory (maximum resident set
size) are taken from the operating system (`wait4`). Reported:

* per slice (about 10%, 20%, 50% and all of the rows): DuckDB's wall time, peak memory,
  and its cost per row (the whole run, and the run less a fixed part: the time of the
  smallest slice minus its rows at the marginal rate of the two largest);
* on the full set: recall and precision of the alerts against `expected.jsonl`, per check;
* the pandas baseline (the `bench` extra) on the ~20% slice: the rows read with pyarrow and
  grouped by the same seven keys with the same sums (the first step of the monitor only,
  no checks, no screening, no signatures), the ratio of its time to the whole DuckDB
  run on the same slice, and to DuckDB doing that same first step (the monitor's grouping
  query, alone) on the same files;
* Spark local mode on the first `--spark-files` files: its wall time (Spark is there for
  clusters, not to beat DuckDB on one machine), and whether its alerts are byte-identical
  to DuckDB's on the same files.

Results go to `benchmarks/results/monitor-scale.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AIEXPORTS = [sys.executable, "-m", "aiexports"]

PANDAS_BASELINE = r"""
import sys, glob, time
import pyarrow.parquet as pq
import numpy as np
files = sys.argv[1:]
frame = pq.read_table(files).to_pandas()
frame["day"] = frame["event_time"].dt.floor("D")
hours = frame["gpu_hours"].clip(0, 1e7).fillna(0)
frame["gpu_uh"] = np.round(hours * 1_000_000).astype("int64")
frame["ops"] = frame["training_ops"].where(frame["training_ops"] > 0, 0).fillna(0)
keys = ["license_id", "tenant_id", "day", "source_country", "site", "job_kind", "declared_use"]
groups = frame.groupby(keys, dropna=False, observed=True).agg(
    rows=("gpu_uh", "size"), gpu_uh=("gpu_uh", "sum"), ops=("ops", "sum")
)
print(len(groups), int(groups["rows"].sum()))
"""

# The same first step on DuckDB, for a like-for-like ratio: the monitor's own grouping
# query over the same files, kept as a table as the monitor keeps it.
DUCKDB_BASELINE = r"""
import sys
import duckdb
from aiexports.monitoring.engine import GROUPS_SQL
connection = duckdb.connect()
connection.execute("SET TimeZone = 'UTC'")
connection.execute(f"CREATE VIEW telemetry AS SELECT * FROM read_parquet({sys.argv[1:]!r})")
connection.execute(f"CREATE TEMP TABLE m_groups AS {GROUPS_SQL}")
print(*connection.execute("SELECT count(*), sum(row_count) FROM m_groups").fetchone())
"""


def peak_rss_mb(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak resident memory (MB) of the process and its children, stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        pid = os.posix_spawnp(
            command[0],
            command,
            env or dict(os.environ),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command[:4])}… failed:\n{err.read()[-2000:]}")
        return wall, usage.ru_maxrss / 1024, out.read()


def monitor(data: Path, telemetry: Path, output: Path, engine: str = "duckdb") -> list[str]:
    manifest = json.loads((data / "manifest.json").read_text())
    return [
        *AIEXPORTS,
        "monitor",
        "run",
        "--telemetry",
        str(telemetry),
        "--tenants",
        str(data / "tenants.csv"),
        "--profiles",
        str(data / "profiles.yaml"),
        "--attestations",
        str(data / "attestations.csv"),
        "--locations",
        str(data / "locations.csv"),
        "--attestation-keys",
        str(data / "attestation-keys.csv"),
        "--as-of",
        manifest["as_of"],
        "--engine",
        engine,
        "--output",
        str(output),
        "--format",
        "json",
    ]


def sliced(files: list[Path], count: int, into: Path) -> Path:
    """A folder holding links to the first ``count`` telemetry files."""
    folder = into / f"slice-{count}"
    folder.mkdir()
    for path in files[:count]:
        (folder / path.name).symlink_to(path)
    return folder


def accuracy(expected_path: Path, alerts_path: Path) -> dict[str, dict[str, float]]:
    def key(a: dict[str, Any]) -> tuple[Any, ...]:
        return (a["check"], a["license_id"], a["tenant_id"], a["window_start"])

    expected = {key(json.loads(line)) for line in expected_path.read_text().splitlines()}
    found = {key(json.loads(line)) for line in alerts_path.read_text().splitlines()}
    checks = sorted({k[0] for k in expected | found})
    report: dict[str, dict[str, float]] = {}
    for check in checks:
        want = {k for k in expected if k[0] == check}
        got = {k for k in found if k[0] == check}
        hit = len(want & got)
        report[check] = {
            "expected": len(want),
            "raised": len(got),
            "recall": round(hit / len(want), 4) if want else 1.0,
            "precision": round(hit / len(got), 4) if got else 1.0,
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--generate", type=int, default=0, help="rows to generate first")
    parser.add_argument("--spark-files", type=int, default=2)
    parser.add_argument("--no-pandas", action="store_true")
    args = parser.parse_args()
    if args.generate:
        shutil.rmtree(args.data, ignore_errors=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "telemetry_gen.py"),
                "--out",
                str(args.data),
                "--rows",
                str(args.generate),
                "--licenses",
                "200",
                "--tenants",
                "4000",
            ],
            check=True,
        )
    files = sorted((args.data / "telemetry").glob("*.parquet"))
    if not files:
        raise SystemExit(f"{args.data}/telemetry holds no Parquet files")
    counts = sorted({max(1, round(len(files) * share)) for share in (0.1, 0.2, 0.5, 1.0)})
    results: dict[str, Any] = {"cores": os.cpu_count(), "files": len(files), "slices": []}
    with tempfile.TemporaryDirectory(prefix="monitor-scale-") as scratch:
        room = Path(scratch)
        for count in counts:
            folder = sliced(files, count, room)
            output = room / f"alerts-{count}.jsonl"
            wall, peak, out = peak_rss_mb(monitor(args.data, folder, output))
            summary = json.loads(out)
            entry = {
                "files": count,
                "rows": summary["rows"],
                "seconds": round(wall, 2),
                "peak_mb": round(peak),
                "ns_per_row": round(wall / summary["rows"] * 1e9, 1),
                "alerts": summary["alerts"],
            }
            results["slices"].append(entry)
            print(json.dumps(entry), flush=True)
            if count == len(files):
                results["accuracy"] = accuracy(args.data / "expected.jsonl", output)
        largest, before = results["slices"][-1], results["slices"][-2]
        marginal = (largest["seconds"] - before["seconds"]) / (largest["rows"] - before["rows"])
        fixed = results["slices"][0]["seconds"] - results["slices"][0]["rows"] * marginal
        results["marginal_ns_per_row"] = round(marginal * 1e9, 1)
        results["fixed_seconds"] = round(fixed, 2)
        baseline_count = counts[1] if len(counts) > 1 else counts[0]
        ours = next(s for s in results["slices"] if s["files"] == baseline_count)
        if not args.no_pandas:
            wall, peak, out = peak_rss_mb(
                [sys.executable, "-c", PANDAS_BASELINE, *map(str, files[:baseline_count])]
            )
            results["pandas"] = {
                "files": baseline_count,
                "rows": int(out.split()[1]),
                "seconds": round(wall, 2),
                "peak_mb": round(peak),
                "ratio_to_duckdb_whole_run": round(wall / ours["seconds"], 2),
            }
            step, step_peak, _ = peak_rss_mb(
                [sys.executable, "-c", DUCKDB_BASELINE, *map(str, files[:baseline_count])]
            )
            results["duckdb_same_step"] = {
                "seconds": round(step, 2),
                "peak_mb": round(step_peak),
                "pandas_ratio": round(wall / step, 2),
            }
            print(json.dumps(results["duckdb_same_step"]), flush=True)
            print(json.dumps(results["pandas"]), flush=True)
        if args.spark_files:
            folder = room / "spark"
            folder.mkdir()
            for path in files[: args.spark_files]:
                (folder / path.name).symlink_to(path)
            output = room / "alerts-spark.jsonl"
            wall, peak, out = peak_rss_mb(monitor(args.data, folder, output, "spark"))
            results["spark"] = {
                "files": args.spark_files,
                "rows": json.loads(out)["rows"],
                "seconds": round(wall, 2),
            }
            # The same files on DuckDB (a slice, or run now): the alerts, byte for byte.
            same = room / f"alerts-{args.spark_files}.jsonl"
            if not same.exists():
                peak_rss_mb(monitor(args.data, folder, same))
            results["spark"]["identical_to_duckdb"] = same.read_bytes() == output.read_bytes()
            print(json.dumps(results["spark"]), flush=True)
    failing = {
        c: v
        for c, v in results.get("accuracy", {}).items()
        if min(v["recall"], v["precision"]) < 0.99
    }
    results["below_0_99"] = sorted(failing)
    target = results["slices"][-1]
    results["largest"] = {
        "rows": target["rows"],
        "seconds": target["seconds"],
        "peak_mb": target["peak_mb"],
        "under_60_s": target["seconds"] < 60,
        "under_4_gb": target["peak_mb"] < 4096,
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "monitor-scale.json").write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results["largest"]))
    print(f"checks below 0.99 recall or precision: {sorted(failing) or 'none'}")


if __name__ == "__main__":
    main()

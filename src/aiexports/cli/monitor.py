"""``aiexports monitor``: license conditions checked against usage telemetry."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, errors, print_json
from aiexports.errors import InputError, Issue

app = typer.Typer(
    help="End-use monitoring: license conditions as code over usage telemetry.",
    no_args_is_help=True,
)

PathOption = Annotated[Path | None, typer.Option()]


@app.command("run")
def run(
    ctx: typer.Context,
    telemetry: Annotated[Path, typer.Option(help="A Parquet or CSV file, or a folder of them")],
    tenants: Annotated[Path, typer.Option(help="The tenant table (CSV or Parquet)")],
    profiles: Annotated[Path, typer.Option(help="Monitoring profiles (YAML list)")],
    output: Annotated[Path, typer.Option(help="Where to write the alerts (JSON lines)")],
    attestations: PathOption = None,
    locations: PathOption = None,
    attestation_keys: Annotated[
        Path | None, typer.Option(help="Ed25519 public keys per accelerator (CSV)")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Evaluation date, YYYY-MM-DD (default today, UTC)")
    ] = None,
    engine: Annotated[str, typer.Option(help="duckdb (embedded) or spark")] = "duckdb",
    master: Annotated[str | None, typer.Option(help="Spark master URL (default local[*])")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes verifying attestation signatures")
    ] = os.cpu_count() or 1,
    summary: Annotated[Format, typer.Option("--format", help="table or json summary")] = (
        Format.TABLE
    ),
) -> None:
    """Check every license's conditions against the telemetry and write one alert per
    line to OUTPUT (written whole, or not at all). Exit 0 whether or not alerts were
    raised, 2 for bad input."""
    from aiexports.services.monitoring import ENGINES, MonitorInputs, run_monitor
    from aiexports.services.name_screening import check_writable, jsonl_atomically
    from aiexports.services.request_fields import calendar_day

    if engine not in ENGINES:
        raise InputError(
            Issue(
                f"{engine!r} is not an engine: {', '.join(ENGINES)}", "arguments", field="--engine"
            )
        )
    day = None
    if as_of is not None:
        try:
            day = calendar_day(as_of)
        except ValueError:
            raise InputError(Issue("a date, YYYY-MM-DD", "arguments", field="--as-of")) from None
    given = [
        p
        for p in (telemetry, tenants, profiles, attestations, locations, attestation_keys)
        if p is not None
    ]
    check_writable(output, given)
    inputs = MonitorInputs(
        telemetry,
        tenants,
        profiles,
        attestations,
        locations,
        attestation_keys,
        day,
        engine,
        master,
        workers,
    )
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("monitoring", total=None)
        done = run_monitor(
            runtime(ctx), inputs, lambda step: progress.update(task, description=step)
        )
        progress.update(task, description="writing alerts")
        with jsonl_atomically(output) as write:
            for alert in done.alerts:
                write(alert.contract())
    found = done.summary()
    found["output"] = str(output)
    if summary is Format.JSON:
        print_json(found)
        return
    console.print(
        f"{found['rows']:,} rows, {found['licenses']} licenses, {found['tenants']} tenants "
        f"checked on {found['engine']} as of {found['as_of']}: {found['alerts']:,} alerts "
        f"in {output}"
    )
    counts = Counter(alert.check for alert in done.alerts)
    if counts:
        table = Table()
        table.add_column("check")
        table.add_column("alerts", justify="right")
        for check_id, count in sorted(counts.items()):
            table.add_row(check_id, f"{count:,}")
        console.print(table)
    for warning in found["warnings"]:
        errors.print(f"warning: {warning}")


@app.command("checks")
def checks(
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """Every check: the condition it enforces, its evidence and its explanation."""
    from aiexports.core.monitoring.checks import CHECKS

    described = [check.describe() for check in CHECKS.values()]
    if output is Format.JSON:
        print_json(described)
        return
    for item in described:
        console.print(f"[bold]{item['check']}[/] ({item['condition']}, {item['severity']})")
        console.print(f"  {item['explanation']}")

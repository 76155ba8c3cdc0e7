"""``aiexports rmf``: NIST AI RMF assessments of a deal's deployer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, print_json

app = typer.Typer(help="NIST AI RMF assessments: scores, gaps, CSV and YAML.", no_args_is_help=True)


@app.command("assess")
def assess(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="ASSESSMENT", help="YAML, JSON or CSV")],
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """Scores per function and category, and each gap against the package's committed
    subcategories as a dated remediation item of the GOV-RMF condition."""
    from aiexports.services.rmf import read_assessment, report

    run = runtime(ctx)
    found = report(run, read_assessment(run, path)).contract()
    if output is Format.JSON:
        print_json(found)
        return
    console.print(
        f"[bold]{found['deployer']['name']}[/] — {found['framework']} on {found['date']}"
        + (f", package {found['package']}" if found["package"] else "")
    )
    table = Table()
    for column in ("function", "assessed", "applicable", "implemented", "mean maturity"):
        table.add_column(column)
    for s in found["functions"]:
        mean = s["mean_maturity"]
        table.add_row(
            s["id"],
            str(s["assessed"]),
            str(s["applicable"]),
            str(s["implemented"]),
            "—" if mean is None else f"{mean:.2f}",
        )
    console.print(table)
    for gap in found["gaps"]:
        console.print(
            f"  gap {gap['subcategory']}: {gap['why']} — remedy by {gap['due']} "
            f"({gap['condition']})"
        )
    if found["package"] and not found["gaps"]:
        console.print("  no gap against the package's committed subcategories")


@app.command("export")
def export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="ASSESSMENT", help="YAML, JSON or CSV")],
    to: Annotated[str, typer.Option("--to", help="csv or yaml")],
    out: Annotated[
        Path | None, typer.Option("--output", help="File (standard output if none)")
    ] = None,
) -> None:
    """Write the assessment as CSV or YAML; either reads back to the same assessment."""
    from aiexports.errors import InputError, Issue
    from aiexports.services.rmf import read_assessment, written

    if to not in ("csv", "yaml"):
        raise InputError(Issue("csv or yaml", "arguments", field="--to"))
    run = runtime(ctx)
    text = written(read_assessment(run, path), to)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")

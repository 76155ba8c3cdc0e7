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
    to: Annotated[str, typer.Option("--to", help="csv, yaml or oscal")],
    out: Annotated[
        Path | None, typer.Option("--output", help="File (standard output if none)")
    ] = None,
) -> None:
    """Write the assessment as CSV or YAML (either reads back to the same assessment), or
    as OSCAL 1.2.3 assessment-results JSON (``oscal``)."""
    import json

    from aiexports.errors import InputError, Issue
    from aiexports.services.rmf import oscal_assessment_results, read_assessment, written

    if to not in ("csv", "yaml", "oscal"):
        raise InputError(Issue("csv, yaml or oscal", "arguments", field="--to"))
    run = runtime(ctx)
    assessment = read_assessment(run, path)
    if to == "oscal":
        text = json.dumps(oscal_assessment_results(run, assessment), indent=2) + "\n"
    else:
        text = written(assessment, to)
    _emit(text, out)


@app.command("catalog")
def catalog(
    out: Annotated[
        Path | None, typer.Option("--output", help="File (standard output if none)")
    ] = None,
) -> None:
    """The bundled NIST AI RMF 1.0 Core as an OSCAL 1.2.3 catalog (JSON)."""
    import json

    from aiexports.services.rmf import oscal_catalog

    _emit(json.dumps(oscal_catalog(), indent=2) + "\n", out)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")

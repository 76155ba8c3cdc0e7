"""``aiexports menu``: the packages on the menu, and checking new ones."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, print_json
from aiexports.core.vocabulary import PackageStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aiexports.core.catalog import ProposalFinding

app = typer.Typer(help="The menu of priority AI export packages.", no_args_is_help=True)


@app.command("list")
def list_packages(
    ctx: typer.Context,
    status: Annotated[
        PackageStatus | None, typer.Option(help="Only packages in this status")
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """List the packages on the menu."""
    from aiexports.services.catalog import list_menu

    listing = list_menu(runtime(ctx), status)
    packages = listing.packages
    if output is Format.JSON:
        print_json(listing.contract())
        return
    table = Table(title=f"Menu ({listing.version})")
    for column in ("id", "title", "status", "tier", "sectors", "targets", "surveillance"):
        table.add_column(column)
    for p in packages:
        table.add_row(
            p.id,
            p.title,
            str(p.status),
            p.tier,
            ", ".join(p.sectors),
            ", ".join(p.target_countries),
            "yes" if p.surveillance_capable else "",
        )
    console.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    package_id: Annotated[str, typer.Argument(metavar="ID", help="Package id")],
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """Show one package: consortium, the five layers and their components, governance and
    sovereignty assurances."""
    from aiexports.core.catalog import LAYER_NAMES
    from aiexports.services.catalog import show_package

    package = show_package(runtime(ctx), package_id)
    if output is Format.JSON:
        print_json(package.model_dump(mode="json", exclude_none=True))
        return
    console.print(
        f"[bold]{package.title}[/] ({package.id} v{package.version}, "
        f"{package.status}, {package.tier})"
    )
    console.print(package.summary)
    c = package.consortium
    fictional = " — an illustrative, fictional consortium" if c.fictional else ""
    console.print(f"\n[bold]Consortium[/]: {c.name}{fictional}; anchor member {c.anchor_member}")
    for member in c.members:
        console.print(f"  • {member.name} ({member.country}) — {member.role}")
    console.print(
        f"[bold]Targets[/]: {', '.join(package.target_countries)}   "
        f"[bold]Buyers[/]: {', '.join(package.buyers)}   "
        f"[bold]Federal support[/]: {', '.join(package.federal_support) or 'none'}"
    )
    table = Table(title="Layers and components")
    for column in ("layer", "component", "kind", "ECCN", "details"):
        table.add_column(column)
    for name in LAYER_NAMES:
        for component in getattr(package.layers, name).components:
            table.add_row(
                name,
                component.id,
                str(component.kind),
                component.eccn,
                _details(component.model_dump(exclude_none=True)),
            )
    for component in package.governance.components:
        table.add_row("governance", component.id, str(component.kind), component.eccn, "")
    console.print(table)
    hw = package.layers.hardware
    console.print(
        f"U.S. content of the hardware layer: {hw.us_content_share:.0%}"
        + (f" — {hw.us_manufacturing}" if hw.us_manufacturing else "")
    )
    g, s = package.governance, package.sovereignty
    console.print(
        f"[bold]Governance[/]: {g.framework}, {len(g.rmf_subcategories)} subcategories"
        f"{', Generative AI Profile' if g.generative_ai_profile else ''}"
    )
    console.print(
        f"[bold]Sovereignty[/]: data {s.data_residency}, keys held by {s.key_custody}, "
        f"operated by {s.operator}, audit rights {'yes' if s.audit_rights else 'no'}; "
        f"exit: {s.exit_and_portability}"
    )
    if package.surveillance_safeguards:
        console.print(f"[bold]Surveillance safeguards[/]: {package.surveillance_safeguards}")


def _details(fields: dict[str, object]) -> str:
    shown = {
        k: v for k, v in fields.items() if k not in {"id", "kind", "eccn", "name", "description"}
    }
    return ", ".join(f"{k}={v}" for k, v in shown.items() if v not in ((), []))


@app.command("validate")
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH...", help="Package files or folders")
    ],
) -> None:
    """Check package files against the schema (exit 2 on errors) and the program's
    proposal rules (exit 1 when a rule is broken)."""
    from aiexports.services.catalog import validate_packages

    checks = validate_packages(runtime(ctx), paths)
    failures = 0
    for check in checks:
        path, package = check.path, check.package
        if check.duplicate_of is not None:
            console.print(
                f"[red]✗[/] {path}: package id {package.id!r} also in {check.duplicate_of}"
            )
            failures += 1
        errors = [f for f in check.findings if f.severity == "error"]
        if errors:
            failures += 1
            console.print(f"[red]✗[/] {path}: {package.id} breaks {len(errors)} proposal rule(s)")
        elif check.duplicate_of is None:
            flagged = len(check.findings)
            console.print(
                f"[green]✓[/] {path}: {package.id} meets every proposal rule"
                + (f" ({flagged} warning(s) to justify)" if flagged else "")
            )
        _print_findings(check.findings)
    if failures:
        raise typer.Exit(1)


def _print_findings(findings: Sequence[ProposalFinding]) -> None:
    for finding in findings:
        mark = "!" if finding.severity == "warning" else "✗"
        console.print(
            f"    {mark} [{finding.rule}] {finding.field}: {finding.message}", markup=False
        )
        console.print(f"      cites: {'; '.join(finding.citations)}", markup=False)

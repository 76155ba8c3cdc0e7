"""``aiexports policy``: the policy packs, their rules and parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, print_json

if TYPE_CHECKING:
    from aiexports.core.determination import EffectiveRange

app = typer.Typer(help="Policy packs: dated rules, parameters and citations.", no_args_is_help=True)


def _ranges(windows: Iterable[EffectiveRange]) -> str:
    return "; ".join(f"{w.start or '…'} to {w.end or '…'}" for w in windows)


@app.command("list")
def list_packs(
    ctx: typer.Context,
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """List the bundled policy packs and when each is in force."""
    from aiexports.services.policies import list_policies, policy_summary

    packs = list_policies(runtime(ctx))
    if output is Format.JSON:
        print_json([policy_summary(p) for p in packs])
        return
    table = Table()
    for column in ("id", "version", "in force", "rules", "title"):
        table.add_column(column)
    for p in packs:
        table.add_row(p.id, p.version, _ranges(p.effective), str(len(p.rules)), p.title)
    console.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    pack_id: Annotated[str, typer.Argument(metavar="ID", help="Pack id")],
    on: Annotated[
        str | None,
        typer.Option("--date", help="Parameters as of this date (YYYY-MM-DD; default today)"),
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """Show a pack: each rule's explanation (with the parameters in force) and citations,
    condition texts and the parameters in force on a date."""
    from aiexports.services.policies import show_policy

    view = show_policy(runtime(ctx), pack_id, _date(on))
    if output is Format.JSON:
        print_json(view.contract())
        return
    pack = view.pack
    console.print(
        f"[bold]{pack.title}[/]\n{pack.id} version {pack.version}, in force "
        f"{_ranges(pack.effective)}\n{pack.summary}"
    )
    for rule in view.rules:
        console.print(f"\n[bold]{rule.id}[/]  [dim]{'; '.join(rule.citations)}[/]")
        console.print(rule.explanation, markup=False)
    console.print("\n[bold]Conditions[/]")
    for condition_id, text in pack.conditions.items():
        console.print(f"  {condition_id}: {text.text}", markup=False)
    console.print(f"\n[bold]Parameters on {view.day.isoformat()}[/]")
    for spec in view.declarations:
        unit = f" [{spec.unit}]" if spec.unit else ""
        console.print(f"  {spec.name}{unit}: {view.parameters[spec.name]}", markup=False)
        console.print(f"    {spec.description}", markup=False, style="dim")


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--date"
        ) from None

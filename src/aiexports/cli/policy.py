"""``aiexports policy``: the policy packs, their rules and parameters."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.table import Table

from aiexports.cli.output import Format, console, print_json
from aiexports.core.determination import EffectiveRange
from aiexports.core.policy.pack import PARAMETERS
from aiexports.core.policy.rules import RULES
from aiexports.sources import reference

app = typer.Typer(help="Policy packs: dated rules, parameters and citations.", no_args_is_help=True)


def _ranges(windows: Iterable[EffectiveRange]) -> str:
    return "; ".join(f"{w.start or '…'} to {w.end or '…'}" for w in windows)


@app.command("list")
def list_packs(
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """List the bundled policy packs and when each is in force."""
    packs = list(reference.packs().packs.values())
    if output is Format.JSON:
        print_json(
            [
                {
                    "id": p.id,
                    "title": p.title,
                    "version": p.version,
                    "digest": p.digest,
                    "effective": [w.model_dump(mode="json") for w in p.effective],
                    "rules": list(p.rules),
                }
                for p in packs
            ]
        )
        return
    table = Table()
    for column in ("id", "version", "in force", "rules", "title"):
        table.add_column(column)
    for p in packs:
        table.add_row(p.id, p.version, _ranges(p.effective), str(len(p.rules)), p.title)
    console.print(table)


@app.command("show")
def show(
    pack_id: Annotated[str, typer.Argument(metavar="ID", help="Pack id")],
    on: Annotated[
        str | None,
        typer.Option("--date", help="Parameters as of this date (YYYY-MM-DD; default today)"),
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """Show a pack: each rule's explanation and citations, condition texts and the
    parameters in force on a date."""
    pack = reference.packs().named(pack_id)
    day = _date(on)
    parameters = pack.values_at(day)
    values = {f.name: _plain(getattr(parameters, f.name)) for f in dataclasses.fields(parameters)}
    rules = [
        {
            "id": r,
            "explanation": RULES[r].explain(parameters),
            "reads": list(RULES[r].reads),
            "citations": list(pack.citations.get(r, ())),
        }
        for r in pack.rules
    ]
    if output is Format.JSON:
        print_json(
            {
                "id": pack.id,
                "title": pack.title,
                "version": pack.version,
                "digest": pack.digest,
                "summary": pack.summary,
                "effective": [w.model_dump(mode="json") for w in pack.effective],
                "rules": rules,
                "conditions": {k: v.model_dump() for k, v in pack.conditions.items()},
                "parameters_on": day.isoformat(),
                "parameters": values,
                "parameter_declarations": {
                    spec.name: {"description": spec.description, "unit": spec.unit}
                    for spec in PARAMETERS
                },
            }
        )
        return
    console.print(
        f"[bold]{pack.title}[/]\n{pack.id} version {pack.version}, in force "
        f"{_ranges(pack.effective)}\n{pack.summary}"
    )
    for rule in rules:
        citations = "; ".join(pack.citations.get(str(rule["id"]), ()))
        console.print(f"\n[bold]{rule['id']}[/]  [dim]{citations}[/]")
        console.print(str(rule["explanation"]), markup=False)
    console.print("\n[bold]Conditions[/]")
    for condition_id, text in pack.conditions.items():
        console.print(f"  {condition_id}: {text.text}", markup=False)
    console.print(f"\n[bold]Parameters on {day.isoformat()}[/]")
    for spec in PARAMETERS:
        unit = f" [{spec.unit}]" if spec.unit else ""
        console.print(f"  {spec.name}{unit}: {values[spec.name]}", markup=False)
        console.print(f"    {spec.description}", markup=False, style="dim")


def _plain(value: object) -> object:
    """Parameter values as JSON data (records, enums and tuples included)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


def _date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--date"
        ) from None

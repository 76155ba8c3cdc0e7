"""``aiexports recommend``: the menu's packages for a partner's requirements, and the
optimal bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, print_json


def recommend(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="REQUIREMENTS", help="YAML or JSON")],
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """Every package on the menu (as of the requirements' date) classified eligible,
    eligible with conditions or not eligible — with the determination of the partner's
    deal under it — fitted criterion by criterion and ranked; then the bundle of greatest
    fit within the budget and compute need that covers every must-have, the constraints
    that bind it, and the next-best bundles side by side."""
    from aiexports.services.recommendation import read_requirements, recommend_for

    run = runtime(ctx)
    requirements = read_requirements(run, path)
    found = recommend_for(run, requirements).contract()
    if output is Format.JSON:
        print_json(found)
        return
    _show(found)


def _show(found: dict[str, Any]) -> None:
    console.print(
        f"[bold]{found['partner']}[/] ({found['country']}) — menu {found['menu_version']} "
        f"on {found['date']}"
    )
    table = Table()
    for column in ("rank", "package", "eligibility", "determination", "SEAL", "fit", "price"):
        table.add_column(column)
    for p in found["packages"]:
        d = p["determination"]
        outcome = d["outcome"] + (f" ({d['review_policy']})" if d["review_policy"] else "")
        seal = p["seal"]
        price = p["price_usd"]
        table.add_row(
            str(p["rank"] or "—"),
            p["package"],
            p["eligibility"].replace("_", " "),
            outcome,
            f"SEAL-{seal['level']}" if seal else "—",
            f"{p['fit_total']:.1f}",
            f"${price / 1e6:,.1f}M" if price else "—",
        )
    console.print(table)
    for p in found["packages"]:
        if p["eligibility"] != "eligible" and p["reasons"]:
            console.print(f"  {p['package']}: {'; '.join(p['reasons'])}")
    bundle = found["bundle"]
    if not bundle["feasible"]:
        relax = ", ".join(bundle["relax_any_of"]) or "nothing alone"
        console.print(f"[bold]No bundle meets every constraint[/] (relaxing any of: {relax})")
        return
    console.print(
        f"[bold]Bundle[/]: {', '.join(bundle['packages']) or 'none'} — fit "
        f"{bundle['objective']:.1f}, ${bundle['price_usd'] / 1e6:,.1f}M, "
        f"{bundle['compute_h100e']:,.1f} H100e; binding: {', '.join(bundle['binding']) or 'none'}"
    )
    for side in found["comparison"][1:]:
        console.print(
            f"  next best: {', '.join(side['packages'])} — fit {side['fit_total']:.1f}, "
            f"${side['price_usd'] / 1e6:,.1f}M"
        )

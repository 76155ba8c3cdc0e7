"""``aiexports partner``: partner-country profiles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, print_json
from aiexports.core.vocabulary import RiskTier

if TYPE_CHECKING:
    pass

app = typer.Typer(help="Partner-country profiles.", no_args_is_help=True)


@app.command("show")
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CC", help="ISO 3166-1 alpha-2 code")],
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """A country's EAR country groups (with how far each was verified), AI Diffusion tier,
    15 CFR 744.21 listing, human-rights risk tier and the packages that target it."""
    from aiexports.services.catalog import partner_profile

    found = partner_profile(runtime(ctx), code)
    profile, packages = found.profile, found.packages
    if output is Format.JSON:
        print_json(found.contract())
        return
    console.print(
        f"[bold]{profile.name}[/] ({profile.code})"
        + (
            f" — treated as {profile.treated_as} in every country test"
            if profile.treated_as
            else ""
        )
    )
    table = Table(show_header=True)
    table.add_column("EAR group")
    table.add_column("title")
    table.add_column("confidence")
    for group, info in found.groups:
        table.add_row(group, info.title, info.confidence)
    if profile.ear_groups:
        console.print(table)
    else:
        console.print("EAR country groups: none of A:1, A:5, A:6, D:1–D:5, E:1, E:2")
    console.print(f"AI Diffusion tier (90 FR 4544, historic): {profile.ai_diffusion_tier}")
    console.print(
        f"15 CFR 744.21 military end-use country: "
        f"{'yes' if profile.military_end_use_744_21 else 'no'}"
    )
    console.print(f"Human-rights risk tier: {profile.risk_tier} ({profile.risk_tier_basis})")
    console.print(f"Program country of concern: {'yes' if profile.country_of_concern else 'no'}")
    console.print(f"Packages targeting it: {', '.join(packages) or 'none'}")
    console.print(f"[dim]Reference data {found.countries_version}[/]")


@app.command("list")
def list_countries(
    ctx: typer.Context,
    group: Annotated[str | None, typer.Option(help="Only members of this group, e.g. D:5")] = None,
    risk: Annotated[RiskTier | None, typer.Option(help="Only this human-rights risk tier")] = None,
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """List partner profiles, optionally filtered."""
    from aiexports.services.catalog import list_partners

    profiles = list_partners(runtime(ctx), group, risk)
    if output is Format.JSON:
        print_json([p.model_dump(mode="json") for p in profiles])
        return
    table = Table()
    for column in ("code", "name", "EAR groups", "diffusion tier", "744.21", "risk tier"):
        table.add_column(column)
    for p in profiles:
        table.add_row(
            p.code,
            p.name,
            " ".join(p.ear_groups),
            str(p.ai_diffusion_tier),
            "yes" if p.military_end_use_744_21 else "",
            str(p.risk_tier),
        )
    console.print(table)

"""``aiexports lists``: which restricted-party lists are used, and installing updates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, errors, print_json

if TYPE_CHECKING:
    pass

app = typer.Typer(
    help="Restricted-party lists: the active version, updates, history.", no_args_is_help=True
)


@app.command("update")
def update(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="Official list downloads (files or folders)"),
    ],
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Install even a download that is empty, shrinks, lacks a file or is older",
        ),
    ] = False,
) -> None:
    """Install newer official downloads (OFAC SDN CSV, Consolidated Screening List CSV or
    JSON, BIS Denied Persons List, UN consolidated XML). Every file is read before
    anything is written; the new version becomes active in one transaction, replacing
    only the feeds given. Reports what changed."""
    from aiexports.services.lists import contract_of_update, install_lists

    result = install_lists(runtime(ctx), paths, force)
    if output is Format.JSON:
        print_json(contract_of_update(result))
        return
    if result.installed is None:
        console.print(
            f"No change: the lists in these files are already active ({result.new_version})."
        )
        return
    report = result.report
    for reason in report.get("forced_despite", []):
        console.print(f"[yellow]installed despite[/]: {escape(reason)}")
    console.print(f"Installed list version {result.installed.id}: {result.new_version}")
    console.print(f"  replacing {result.previous_version}")
    console.print(
        f"  [green]{report['added']:,} added[/], [red]{report['removed']:,} removed[/],"
        f" [yellow]{report['modified']:,} modified[/] entries"
    )
    for kind in ("added", "removed", "modified"):
        examples = report["examples"][kind]
        if examples:
            console.print(f"  e.g. {kind}: {', '.join(examples[:5])}", markup=False)
    _render_imports(report["imports"])


def _render_imports(imports: list[dict[str, Any]]) -> None:
    table = Table(title="Imported feeds")
    for column in ("feed", "entries", "names", "by list", "flagged oddities"):
        table.add_column(column)
    for feed in imports:
        flags = "; ".join(f"{f['flag']} {f['count']}" for f in feed.get("flags", []))
        by_source = ", ".join(f"{k} {v}" for k, v in sorted(feed["by_source"].items()))
        table.add_row(
            feed["feed"], f"{feed['entries']:,}", f"{feed['names']:,}", by_source, flags or "none"
        )
    console.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """The lists screening uses now: version, feeds with provenance, counts and the data
    oddities flagged on import."""
    from aiexports.services.lists import active_lists

    active = active_lists(runtime(ctx))
    origin, snapshot = active.origin, active.snapshot
    for warning in active.warnings:
        errors.print(f"warning: {warning}", markup=False)
    if output is Format.JSON:
        print_json(active.contract())
        return
    console.print(f"[bold]Active lists[/] ({origin}): {snapshot.version}")
    table = Table()
    for column in ("feed", "title", "as of", "files (sha256)", "licence"):
        table.add_column(column, overflow="fold")
    for feed in snapshot.feeds:
        p = feed.provenance
        files = "\n".join(f"{f.name} {f.sha256[:12]}" for f in p.files)
        table.add_row(p.feed, p.title, p.as_of or "not stated", files, p.licence)
    console.print(table)
    _render_imports([feed.report.model_dump(mode="json") for feed in snapshot.feeds])


@app.command("history")
def history(
    ctx: typer.Context,
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """Every installed list version, newest last, and which is active."""
    from aiexports.services.lists import list_history

    found = list_history(runtime(ctx))
    versions = found.versions
    if output is Format.JSON:
        print_json(found.contract())
        return
    if not versions:
        console.print(
            "No list version installed; screening uses the bundled snapshot "
            f"({found.bundled_version})."
        )
        return
    table = Table(title="Installed list versions")
    for column in ("id", "installed", "entries", "+", "-", "~", "version", "active"):
        table.add_column(column)
    for v in versions:
        table.add_row(
            str(v.id),
            v.installed_at.strftime("%Y-%m-%d %H:%M"),
            f"{v.entry_count:,}",
            str(v.report.get("added", "")),
            str(v.report.get("removed", "")),
            str(v.report.get("modified", "")),
            v.version,
            "yes" if v.active else "",
        )
    console.print(table)


@app.command("activate")
def activate(
    ctx: typer.Context,
    version_id: Annotated[int, typer.Argument(metavar="ID", help="An installed version id")],
) -> None:
    """Make an earlier installed version active again (a rollback)."""
    from aiexports.services.lists import activate_version

    version = activate_version(runtime(ctx), version_id)
    console.print(f"Active list version is now {version.id}: {version.version}")

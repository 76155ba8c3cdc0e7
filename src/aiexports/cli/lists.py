"""``aiexports lists``: which restricted-party lists are used, and installing updates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from aiexports.cli.output import Format, console, print_json
from aiexports.core.screening.snapshot import ListSnapshot
from aiexports.errors import NotFoundError
from aiexports.services.lists import open_store, update_lists
from aiexports.services.screening import bundled_snapshot
from aiexports.sources import reference

app = typer.Typer(
    help="Restricted-party lists: the active version, updates, history.", no_args_is_help=True
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@app.command("update")
def update(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="Official list downloads (files or folders)"),
    ],
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """Install newer official downloads (OFAC SDN CSV, Consolidated Screening List CSV or
    JSON, BIS Denied Persons List, UN consolidated XML). Every file is read before
    anything is written; the new version becomes active in one transaction, replacing
    only the feeds given. Reports what changed."""
    store = open_store(create=True)
    assert store is not None
    result = update_lists(paths, reference.countries(), store, _now)
    if output is Format.JSON:
        print_json(
            {
                "installed": result.installed.id if result.installed else None,
                "previous_version": result.previous_version,
                "new_version": result.new_version,
                **result.report,
            }
        )
        return
    if result.installed is None:
        console.print(
            f"No change: the lists in these files are already active ({result.new_version})."
        )
        return
    report = result.report
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


def _active() -> tuple[str, ListSnapshot]:
    store = open_store()
    if store is not None:
        snapshot = store.active_snapshot()
        if snapshot is not None:
            return "installed", snapshot
    return "bundled", bundled_snapshot()


@app.command("show")
def show(
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """The lists screening uses now: version, feeds with provenance, counts and the data
    oddities flagged on import."""
    origin, snapshot = _active()
    if output is Format.JSON:
        print_json(
            {
                "origin": origin,
                "version": snapshot.version,
                "feeds": [
                    {
                        "provenance": f.provenance.model_dump(mode="json"),
                        "report": f.report.model_dump(mode="json"),
                    }
                    for f in snapshot.feeds
                ],
            }
        )
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
    output: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
) -> None:
    """Every installed list version, newest last, and which is active."""
    store = open_store()
    versions = store.history() if store is not None else []
    if output is Format.JSON:
        print_json(
            [
                {
                    "id": v.id,
                    "version": v.version,
                    "sha256": v.sha256,
                    "installed_at": v.installed_at.isoformat(),
                    "entries": v.entry_count,
                    "active": v.active,
                    "added": v.report.get("added"),
                    "removed": v.report.get("removed"),
                    "modified": v.report.get("modified"),
                }
                for v in versions
            ]
        )
        return
    if not versions:
        console.print(
            "No list version installed; screening uses the bundled snapshot "
            f"({bundled_snapshot().version})."
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
    version_id: Annotated[int, typer.Argument(metavar="ID", help="An installed version id")],
) -> None:
    """Make an earlier installed version active again (a rollback)."""
    store = open_store()
    if store is None:
        raise NotFoundError(f"no installed list version {version_id}")
    version = store.activate(version_id, _now())
    console.print(f"Active list version is now {version.id}: {version.version}")

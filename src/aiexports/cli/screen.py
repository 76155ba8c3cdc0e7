"""``aiexports screen``: restricted-party screening of names."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, errors, print_json
from aiexports.core.screening.results import NEVER_BLOCKS
from aiexports.errors import InputError, Issue

if TYPE_CHECKING:
    pass


class QueryType(StrEnum):
    PERSON = "person"
    INDIVIDUAL = "individual"
    """OFAC's word for a person."""
    ENTITY = "entity"


BAND_STYLE = {"block": "bold red", "review": "bold yellow", "clear": "green", "expired": "dim"}


def screen(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(metavar="[NAME]", help="A name to screen")] = None,
    country: Annotated[str | None, typer.Option(help="Country of the party (code or name)")] = None,
    query_type: Annotated[QueryType | None, typer.Option("--type", help="person or entity")] = None,
    dob: Annotated[str | None, typer.Option("--dob", help="Date of birth, YYYY[-MM[-DD]]")] = None,
    input_path: Annotated[
        Path | None,
        typer.Option("--input", help="CSV of query_id,name[,country][,type] to screen in batch"),
    ] = None,
    output_path: Annotated[
        Path | None, typer.Option("--output", help="JSON-lines results (default: standard output)")
    ] = None,
    lists: Annotated[
        list[Path] | None,
        typer.Option(
            "--list", help="List file or folder replacing the installed lists (repeatable)"
        ),
    ] = None,
    top: Annotated[
        int, typer.Option(min=1, help="Clear matches shown after every block and review match")
    ] = 10,
    workers: Annotated[int, typer.Option(min=1, help="Processes for batch screening")] = (
        os.cpu_count() or 1
    ),
    output: Annotated[Format, typer.Option("--format", help="table or json (one name)")] = (
        Format.TABLE
    ),
) -> None:
    """Screen a name (or a CSV of names) against the restricted-party lists: ranked,
    explained matches in block / review / clear bands."""
    from aiexports.core.screening.matcher import NameMatcher
    from aiexports.core.screening.port import (
        check_birth_date,
        check_query_name,
    )
    from aiexports.services.name_screening import (
        check_writable,
        read_name_queries,
        resolve_country,
        screen_many,
        screen_name,
        write_jsonl_atomically,
    )

    if (name is None) == (input_path is None):
        raise InputError(Issue("give a NAME or --input FILE (not both)"))
    if name is not None:
        _checked(check_query_name, name, "NAME")
    if dob is not None:
        _checked(check_birth_date, dob, "--dob")
    if output_path is not None:
        # Before hours of screening, not after; never over the names being read.
        check_writable(output_path, [input_path] if input_path is not None else [])
    run = runtime(ctx)
    book = run.countries
    queries = read_name_queries(input_path, book) if input_path is not None else None
    country_code = None
    if country:
        country_code = resolve_country(country, book)
        if country_code is None:
            raise InputError(Issue(f"unknown country {country!r}", field="--country"))
    loaded = run.lists(lists)
    if loaded.snapshot is None:
        raise InputError(Issue(f"no list data to screen against: {loaded.problem}"))
    for warning in run.stale_lists(loaded):
        errors.print(f"warning: {warning}", markup=False)
    config = run.screening
    matcher = run.screener(loaded.snapshot)
    if not isinstance(matcher, NameMatcher):
        raise InputError(Issue(f"screening needs the name matcher, not {config.matcher}"))
    if queries is None:
        assert name is not None
        screened = screen_name(
            run,
            name,
            country,
            query_type.value if query_type is not None else None,
            dob,
            top,
            lists,
        )
        if output is Format.JSON:
            print_json(screened.contract())
        else:
            _render(
                name,
                screened.matches,
                screened.lists,
                screened.thresholds.block,
                screened.thresholds.review,
            )
        return
    with Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("names", total=len(queries))
        results = screen_many(
            matcher,
            queries,
            config.bands_for,
            top,
            workers,
            progress=lambda n: progress.advance(task, n),
            today=run.clock().date(),
        )
        if output_path is None:
            for row in results:
                print_json_line(row)
            return
        count = write_jsonl_atomically(output_path, results)
    errors.print(
        f"screened {count:,} names against {loaded.snapshot.version}; results in {output_path}"
    )


def print_json_line(row: object) -> None:
    sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def _render(
    name: str, rows: list[dict[str, object]], version: str, block: float, review: float
) -> None:
    blocks = f"block ≥ {block:.3f}" if block != NEVER_BLOCKS else "never blocks by name alone"
    console.print(f"[bold]{escape(name)}[/] against {version} ({blocks}, review ≥ {review:.3f})")
    if not rows:
        console.print("[green]No similar listed name.[/]")
        return
    for rank, row in enumerate(rows, start=1):
        band = str(row["band"])
        console.print(
            f"{rank:>2}. [{BAND_STYLE[band]}]{band:<7}[/] {row['score']:.3f}  {row['source']} "
            f"{row['entity_number']}  {row['name']}"
            + (f"  (as {row['matched_name']})" if row["matched_name"] != row["name"] else ""),
            markup=True,
            highlight=False,
        )
        explanation = row["explanation"]
        assert isinstance(explanation, dict)
        console.print(f"      {explanation['summary']}", markup=False, style="dim")


def _checked(check: Callable[[str], str], value: str, option: str) -> None:
    try:
        check(value)
    except ValueError as error:
        raise InputError(Issue(str(error), field=option)) from None

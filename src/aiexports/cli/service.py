"""``aiexports serve`` and the service's administration: ``orgs``, ``users``, ``audit``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aiexports.cli.context import runtime
from aiexports.cli.output import console, print_json
from aiexports.cli.output import errors as errors_console

if TYPE_CHECKING:
    from aiexports.runtime import Runtime
    from aiexports.services.serving import ServiceStore

orgs = typer.Typer(help="Organisations of the service (spec §2).", no_args_is_help=True)
users = typer.Typer(help="Users of the service, with their tokens.", no_args_is_help=True)
audit = typer.Typer(help="The audit trail: verify the chain, export it.", no_args_is_help=True)


def _store(run: Runtime) -> ServiceStore:
    return run.service_store


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes (one per core)")
    ] = 1,
) -> None:
    """Start the service (API at /api/v1, docs at /docs) on the embedded database, seeded
    with demo organisations on first start; PostgreSQL with AIEXPORTS_DATABASE_URL."""
    import uvicorn

    from aiexports.api.app import create_app
    from aiexports.services.serving import prepare

    run = runtime(ctx)
    store = _store(run)
    seeded = prepare(run.settings, store)
    tokens = run.settings.home / "demo-tokens.json"
    if seeded is not None:
        errors_console.print(f"demo organisations created; their tokens are in {seeded}")
    elif tokens.exists():
        errors_console.print(f"demo tokens: {tokens}")
    errors_console.print(f"aiexports serving on http://{host}:{port} (docs at /docs)")
    if workers > 1:
        # Each process builds its own runtime (the name index is read from the cache).
        uvicorn.run(
            "aiexports.api.app:serving_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    run.assessor()  # lists and index ready before the first request
    uvicorn.run(create_app(run, store), host=host, port=port, log_level="warning")


@orgs.command("create")
def create_org(
    ctx: typer.Context,
    slug: Annotated[str, typer.Option("--slug", help="Short unique name, e.g. acme-consortium")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="program_office, licensing_agency, consortium, partner_government or auditor",
        ),
    ],
    country: Annotated[
        str | None, typer.Option("--country", help="Partner governments: the country code")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name")] = None,
) -> None:
    """Create an organisation."""
    from aiexports.services.accounts import create_organization

    org_id = create_organization(_store(runtime(ctx)), slug, kind, country, name)
    console.print(f"created organisation {slug} ({org_id})")


@users.command("create")
def create_user(
    ctx: typer.Context,
    org: Annotated[str, typer.Option("--org", help="The organisation's slug")],
    name: Annotated[str, typer.Option("--name", help="User name within the organisation")],
    role: Annotated[
        str, typer.Option("--role", help="analyst, officer, applicant, viewer, auditor")
    ],
    password: Annotated[
        bool, typer.Option("--password", help="Also set a random password for the web sign-in")
    ] = False,
) -> None:
    """Create a user; the token (and password) are shown this once, never again."""
    import secrets

    from aiexports.services.accounts import create_user as create

    secret = secrets.token_urlsafe(12) if password else None
    user = create(_store(runtime(ctx)), org, name, role, secret)
    print_json(user.contract())
    errors_console.print("keep the token now: only its hash is stored")


@audit.command("verify")
def verify(ctx: typer.Context) -> None:
    """Walk the audit chain. Exit 0 when intact; 1 with the first bad seq when not."""
    from aiexports.services.audit import verify as walk

    verdict = walk(_store(runtime(ctx)))
    print_json(verdict.contract())
    if not verdict.ok:
        errors_console.print(
            f"the audit trail is broken at seq {verdict.first_bad}: {verdict.reason}"
        )
        raise typer.Exit(1)


@audit.command("export")
def export(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", help="YYYY-MM-DD")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="File (default stdout)")] = None,
) -> None:
    """Write the trail as JSON lines that anyone can verify with the hash rule."""
    from aiexports.services.audit import export as entries
    from aiexports.services.name_screening import check_writable, jsonl_atomically

    rows = entries(_store(runtime(ctx)), since)
    if output is None:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        return
    check_writable(output)
    count = 0
    with jsonl_atomically(output) as write:
        for row in rows:
            write(row)
            count += 1
    errors_console.print(f"wrote {count:,} entries to {output}")

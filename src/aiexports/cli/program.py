"""The program workflows from the command line, on the service's database: proposals and
the versioned menu (``aiexports menu submit`` and the rest), the rubric, screening
adjudications, and the licensing clock and queue.

Each command acts as the user whose token it is given (``--token`` or ``AIEXPORTS_TOKEN``),
through the same use cases, and so under the same rules, as the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, print_json
from aiexports.errors import InputError, Issue

if TYPE_CHECKING:
    from aiexports.services.access import Principal
    from aiexports.services.licensing import Licensing
    from aiexports.services.proposals import Program

Token = Annotated[
    str,
    typer.Option(
        "--token",
        envvar="AIEXPORTS_TOKEN",
        help="Your token (from `aiexports users create`); or set AIEXPORTS_TOKEN",
        show_default=False,
    ),
]
Output = Annotated[Format, typer.Option("--format", help="table or json")]

adjudications = typer.Typer(
    help="Screening adjudications: clear a match as a false positive or confirm it.",
    no_args_is_help=True,
)
applications = typer.Typer(
    help="License applications: the licensing clock and the officers' queue.",
    no_args_is_help=True,
)


def _use(ctx: typer.Context, token: str) -> tuple[Principal, Program, Licensing]:
    from aiexports.services.accounts import authenticate
    from aiexports.services.licensing import Licensing
    from aiexports.services.proposals import Program

    run = runtime(ctx)
    store = run.service_store
    who = authenticate(store, token)
    return who, Program(store, run), Licensing(store, run)


def _read(ctx: typer.Context, path: Path) -> Any:
    from aiexports.services.proposals import read_input

    return read_input(runtime(ctx), path)


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    from aiexports.services.request_fields import calendar_day

    try:
        return calendar_day(value)
    except ValueError:
        raise InputError(Issue("a date, YYYY-MM-DD", "arguments", field=option)) from None


def _etag(view: dict[str, Any], seen: int | None = None) -> str:
    """The version a change is made at: the one the user saw (``--if-version``), else the
    current one."""
    return f'"{seen if seen is not None else view["version"]}"'


def _show_proposal(view: dict[str, Any], output: Format) -> None:
    if output is Format.JSON:
        print_json(view)
        return
    console.print(
        f"[bold]{view['id']}[/] {view['package_id']} — {view['state']} (round {view['round']}, "
        f"version {view['version']})",
        markup=True,
    )
    for finding in view["findings"]:
        mark = "!" if finding["severity"] == "warning" else "✗"
        console.print(
            f"  {mark} [{finding['rule']}] {finding['field']}: {finding['message']}", markup=False
        )
        console.print(f"    cites: {'; '.join(finding['citations'])}", markup=False)
    if not view["findings"]:
        console.print("  meets every proposal rule")
    score = view["score"]
    if score["evaluators"]:
        console.print(
            f"  mean score {score['mean_total']} of 100 from {score['evaluators']} evaluator(s)"
        )


# --- proposals and the menu (added to `aiexports menu`) ---------------------------------------


def submit(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The package proposal (YAML/JSON)")],
    token: Token,
    draft: Annotated[bool, typer.Option("--draft", help="Keep it a draft; do not submit")] = False,
    output: Output = Format.TABLE,
) -> None:
    """Propose a package: the proposal rules run and their findings are shown (errors
    must be resolved before designation; warnings need a justification)."""
    who, program, _ = _use(ctx, token)
    view = program.create_proposal(who, _read(ctx, path), str(path))
    if not draft:
        view = program.submit_proposal(who, view["id"], _etag(view))
    _show_proposal(view, output)


def proposals(
    ctx: typer.Context,
    token: Token,
    state: Annotated[str | None, typer.Option(help="Only proposals in this state")] = None,
    output: Output = Format.TABLE,
) -> None:
    """The proposals you may see, newest first."""
    who, program, _ = _use(ctx, token)
    page = program.list_proposals(who, state, 200)
    if output is Format.JSON:
        print_json(page.items)
        return
    table = Table(title="Proposals")
    for column in ("id", "package", "state", "errors", "warnings", "submitted"):
        table.add_column(column)
    for p in page.items:
        table.add_row(
            p["id"],
            p["package_id"],
            p["state"],
            str(p["errors"]),
            str(p["warnings"]),
            p["submitted_at"] or "",
        )
    console.print(table)


def proposal(
    ctx: typer.Context,
    proposal_id: Annotated[str, typer.Argument(metavar="ID")],
    token: Token,
    output: Output = Format.TABLE,
) -> None:
    """One proposal: its findings, scores and state."""
    who, program, _ = _use(ctx, token)
    _show_proposal(program.get_proposal(who, proposal_id), output)


IfVersion = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        help="Act only if the proposal is still at this version (as `menu proposal` showed "
        "it); refused when it changed since",
    ),
]


def evaluate(
    ctx: typer.Context,
    proposal_id: Annotated[str, typer.Argument(metavar="ID")],
    token: Token,
    if_version: IfVersion = None,
    output: Output = Format.TABLE,
) -> None:
    """Take a submitted proposal under evaluation (program office)."""
    who, program, _ = _use(ctx, token)
    current = program.get_proposal(who, proposal_id)
    _show_proposal(program.evaluate(who, proposal_id, _etag(current, if_version)), output)


def score(
    ctx: typer.Context,
    proposal_id: Annotated[str, typer.Argument(metavar="ID")],
    path: Annotated[Path, typer.Argument(metavar="FILE", help="criterion: {score, reason} …")],
    token: Token,
) -> None:
    """Score a proposal under evaluation against the rubric in force."""
    who, program, _ = _use(ctx, token)
    card = program.score(who, proposal_id, {"scores": _read(ctx, path)})
    print_json(card)


def decide(
    ctx: typer.Context,
    proposal_id: Annotated[str, typer.Argument(metavar="ID")],
    decision: Annotated[str, typer.Option("--decision", help="designate, reject or return")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded and audited)")],
    token: Token,
    justify: Annotated[
        list[str] | None,
        typer.Option("--justify", help="RULE=TEXT: the justification of a warning"),
    ] = None,
    if_version: IfVersion = None,
    output: Output = Format.TABLE,
) -> None:
    """Designate (onto the menu), reject or return a proposal under evaluation."""
    who, program, _ = _use(ctx, token)
    justifications = {}
    for item in justify or []:
        rule, sep, text = item.partition("=")
        if not sep:
            raise InputError(Issue("RULE=TEXT", "arguments", field="--justify"))
        justifications[rule.strip()] = text.strip()
    current = program.get_proposal(who, proposal_id)
    body = {"decision": decision, "reason": reason, "justifications": justifications}
    seen = _etag(current, if_version)
    _show_proposal(program.decide_proposal(who, proposal_id, body, seen), output)


def _menu_change(action: str) -> Any:
    def change(
        ctx: typer.Context,
        package_id: Annotated[str, typer.Argument(metavar="ID", help="Package id")],
        reason: Annotated[str, typer.Option("--reason", help="Why (recorded and audited)")],
        token: Token,
    ) -> None:
        who, program, _ = _use(ctx, token)
        print_json(program.change_menu(who, package_id, action, {"reason": reason}))

    change.__doc__ = f"{action.capitalize()} a package on the menu (program office)."
    return change


def menu_at(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD")],
    token: Token,
    output: Output = Format.TABLE,
) -> None:
    """The menu as it stood at the end of DATE."""
    who, program, _ = _use(ctx, token)
    found = program.menu(who, _day(day, "DATE"))
    if output is Format.JSON:
        print_json(found)
        return
    table = Table(title=f"Menu on {found['as_of']} ({found['version']})")
    for column in ("id", "version", "title", "status", "since"):
        table.add_column(column)
    for p in found["items"]:
        table.add_row(p["id"], str(p["version"]), p["title"], p["status"], p["effective"])
    console.print(table)


def menu_diff(
    ctx: typer.Context,
    start: Annotated[str, typer.Argument(metavar="FROM", help="YYYY-MM-DD")],
    end: Annotated[str, typer.Argument(metavar="TO", help="YYYY-MM-DD")],
    token: Token,
    output: Output = Format.TABLE,
) -> None:
    """What changed on the menu between two dates."""
    who, program, _ = _use(ctx, token)
    first, last = _day(start, "FROM"), _day(end, "TO")
    assert first is not None
    assert last is not None
    found = program.menu_changes(who, first, last)
    if output is Format.JSON:
        print_json(found)
        return
    for p in found["added"]:
        console.print(f"+ {p['id']} v{p['version']} ({p['status']})", markup=False)
    for p in found["removed"]:
        console.print(f"- {p['id']} v{p['version']}", markup=False)
    for c in found["changed"]:
        console.print(f"~ {c['id']}: {', '.join(c['fields'])}", markup=False)
    if not (found["added"] or found["removed"] or found["changed"]):
        console.print("no change")


def rubric(
    ctx: typer.Context,
    token: Token,
    version: Annotated[int | None, typer.Option(help="A published version")] = None,
) -> None:
    """The proposal rubric in force (or a published version)."""
    who, program, _ = _use(ctx, token)
    print_json(program.rubric(who, version))


def publish_rubric(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The rubric (YAML/JSON)")],
    token: Token,
) -> None:
    """Publish a new version of the rubric (program office)."""
    who, program, _ = _use(ctx, token)
    print_json(program.publish_rubric(who, _read(ctx, path)))


def register(menu: typer.Typer) -> None:
    """Add the proposal and versioned-menu commands to ``aiexports menu``."""
    menu.command("submit")(submit)
    menu.command("proposals")(proposals)
    menu.command("proposal")(proposal)
    menu.command("evaluate")(evaluate)
    menu.command("score")(score)
    menu.command("decide")(decide)
    for action in ("suspend", "reinstate", "retire"):
        menu.command(action)(_menu_change(action))
    menu.command("at")(menu_at)
    menu.command("diff")(menu_diff)
    menu.command("rubric")(rubric)
    menu.command("publish-rubric")(publish_rubric)


# --- adjudications ---------------------------------------------------------------------------


@adjudications.command("add")
def add_adjudication(
    ctx: typer.Context,
    entry: Annotated[str, typer.Option("--entry", help="The list entry, e.g. SDN:21562")],
    verdict: Annotated[str, typer.Option("--verdict", help="false_positive or confirmed")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded and audited)")],
    token: Token,
    application: Annotated[
        str | None, typer.Option("--application", help="The application naming the party")
    ] = None,
    party_index: Annotated[int, typer.Option("--party-index", min=0)] = 0,
    name: Annotated[str | None, typer.Option("--name", help="Or: the party's name")] = None,
    country: Annotated[str | None, typer.Option("--country")] = None,
    address: Annotated[str | None, typer.Option("--address")] = None,
) -> None:
    """Clear a match as a false positive, or confirm it."""
    who, _, licensing = _use(ctx, token)
    source, sep, number = entry.partition(":")
    if not sep:
        raise InputError(Issue("LIST:NUMBER, e.g. SDN:21562", "arguments", field="--entry"))
    body: dict[str, Any] = {
        "list": source,
        "entity_number": number,
        "verdict": verdict,
        "reason": reason,
    }
    if application is not None:
        body.update(application=application, party_index=party_index)
    else:
        party = {"name": name, "country": country, "address": address}
        body["party"] = {k: v for k, v in party.items() if v is not None}
    print_json(licensing.adjudications.record(who, body))


@adjudications.command("list")
def list_adjudications(
    ctx: typer.Context,
    token: Token,
    entry: Annotated[str | None, typer.Option("--entry", help="Only this entry")] = None,
) -> None:
    """The adjudications you may see, newest first."""
    who, _, licensing = _use(ctx, token)
    print_json(licensing.adjudications.list_adjudications(who, entry, 200).items)


@adjudications.command("withdraw")
def withdraw_adjudication(
    ctx: typer.Context,
    adjudication_id: Annotated[str, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason")],
    token: Token,
) -> None:
    """Withdraw an adjudication: later screenings alert again."""
    who, _, licensing = _use(ctx, token)
    print_json(licensing.adjudications.withdraw(who, adjudication_id, {"reason": reason}))


# --- the licensing clock -----------------------------------------------------------------------


@applications.command("clock")
def clock(
    ctx: typer.Context,
    app_id: Annotated[str, typer.Argument(metavar="ID")],
    token: Token,
    output: Output = Format.TABLE,
) -> None:
    """Days against the 90-day target, who holds the application, the expected date."""
    from aiexports.services.clock import application_clock

    who, _, licensing = _use(ctx, token)
    found = application_clock(licensing, who, app_id)
    if output is Format.JSON:
        print_json(found)
        return
    console.print(
        f"{found['application']}: {found['agency_days']} of {found['target_days']} days with "
        f"the agency, {found['applicant_days']} with the applicant; held by "
        f"{found['held_by'] or found['holder']}; expected decision "
        f"{found['expected_decision'] or '— (paused or not submitted)'}",
        markup=False,
    )


@applications.command("queue")
def queue(
    ctx: typer.Context,
    token: Token,
    assigned: Annotated[str, typer.Option(help="any, me or none")] = "any",
    output: Output = Format.TABLE,
) -> None:
    """Applications awaiting a decision, most urgent first."""
    from aiexports.services.clock import queue as urgent

    who, _, licensing = _use(ctx, token)
    page = urgent(licensing, who, assigned, 200)
    if output is Format.JSON:
        print_json(page.items)
        return
    table = Table(title="Queue (fewest days left first)")
    for column in ("application", "state", "agency days", "left", "expected", "held by"):
        table.add_column(column)
    for q in page.items:
        table.add_row(
            q["application"],
            q["state"],
            str(q["agency_days"]),
            str(q["days_remaining"]),
            q["expected_decision"] or "",
            q["held_by"] or q["holder"],
        )
    console.print(table)

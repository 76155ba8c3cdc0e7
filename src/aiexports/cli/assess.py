"""``aiexports assess`` and ``aiexports impact``: determinations and policy change."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aiexports.cli.context import runtime
from aiexports.cli.output import Format, console, print_json, styled_outcome
from aiexports.cli.output import errors as errors_console
from aiexports.errors import InputError, Issue

if TYPE_CHECKING:
    from aiexports.core.determination import Determination
    from aiexports.core.policy.compare import ImpactTally, PolicyDifference
    from aiexports.services.assessment import Explained

PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy", help="Pack id (or a pack file); default: the pack in force on the deal's date"
    ),
]
ListsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--lists",
        help="List files or folders replacing the installed lists for this run (repeatable)",
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", help="table or json")]


def assess(
    ctx: typer.Context,
    deal_path: Annotated[Path, typer.Argument(metavar="DEAL", help="Deal document (YAML or JSON)")],
    policy: PolicyOption = None,
    lists: ListsOption = None,
    output: FormatOption = Format.TABLE,
    compare_policy: Annotated[
        str | None,
        typer.Option("--compare-policy", help="Also decide under this pack and show what differs"),
    ] = None,
    path: Annotated[
        bool,
        typer.Option(
            "--path-to-approval",
            help="Also the smallest changes of each kind that make the outcome less strict",
        ),
    ] = False,
) -> None:
    """Decide a deal: prohibited, license required (with review policy), review required
    or no license required — with the rules, citations and conditions behind it.
    Exit 0 whatever the outcome; 2 when the deal is invalid."""
    from aiexports.services.deals import read_deal

    run = runtime(ctx)
    # The deal and the packs are checked before the engine is even imported and the
    # lists are loaded and indexed: a bad field is reported at once.
    sourced = read_deal(deal_path, run.countries, run.limits)
    from aiexports.services.assessment import Explained

    first = run.policy(policy)
    other = run.policy(compare_policy)
    loaded = run.lists(lists)
    assessor = run.assessor(loaded=loaded)
    for warning in run.stale_lists(loaded):
        errors_console.print(f"warning: {warning}", markup=False)
    if path:
        found = assessor.path_to_approval(sourced, first)
        if output is Format.JSON:
            print_json(
                {
                    "determination": found.determination.contract(),
                    "path_to_approval": found.contract(),
                }
            )
            return
        render_determination(
            found.determination, explanations=assessor.explanations(sourced.deal, first)
        )
        _render_path(found.contract())
        return
    if other is None:
        determination = assessor.decide(sourced, first)
        if output is Format.JSON:
            print_json(determination.contract())
        else:
            render_determination(
                determination, explanations=assessor.explanations(sourced.deal, first)
            )
        return
    difference = assessor.compare(sourced, first, other)
    if output is Format.JSON:
        print_json(difference.contract())
    else:
        render_difference(
            difference,
            Explained(
                assessor.explanations(sourced.deal, first),
                assessor.explanations(sourced.deal, other),
            ),
        )


def _render_path(path: Mapping[str, Any]) -> None:
    console.print(f"[bold]Path to approval[/] from {path['from']}:")
    if not path["changes"]:
        console.print("  no single change of a kind searched makes it less strict")
    for change in path["changes"]:
        policy = f" ({change['review_policy']})" if change["review_policy"] else ""
        rules = "; ".join(
            f"{r['rule']}: {r['from'] or 'none'} → {r['to'] or 'none'}"
            for r in change["rules_changed"]
        )
        console.print(
            f"  {escape(change['change'])} → {change['outcome']}{policy} ({escape(rules)})",
            highlight=False,
        )


def render_determination(
    determination: Determination,
    title: str | None = None,
    explanations: Mapping[str, str] | None = None,
) -> None:
    from aiexports.core.policy.rules import RULES

    d = determination
    header = title or f"Deal {d.deal_id or '(no id)'}"
    policy = (
        f"{d.policy.id} v{d.policy.version} (in force {d.policy.effective.start or '…'} "
        f"to {d.policy.effective.end or '…'})"
    )
    review = f" — {d.review_policy}" if d.review_policy else ""
    console.print(f"[bold]{escape(header)}[/]: {styled_outcome(d.outcome)}{review}")
    console.print(f"Policy: {policy}")
    if d.findings:
        console.print("[bold]Findings[/]")
        for f in d.findings:
            policy_note = f" ({f.review_policy})" if f.review_policy else ""
            console.print(f"  [bold]{f.rule}[/] {styled_outcome(f.outcome)}{policy_note}")
            console.print(f"    {f.message}", markup=False)
            console.print(f"    cites: {'; '.join(f.citations)}", markup=False, style="dim")
        console.print("[bold]Why these rules[/]")
        for rule_id in dict.fromkeys(f.rule for f in d.findings):
            text = (explanations or {}).get(rule_id, RULES[rule_id].explanation)
            console.print(f"  [bold]{rule_id}[/]: ", end="")
            console.print(text, markup=False)
    else:
        console.print("No rule fired.")
    if d.conditions:
        console.print("[bold]Conditions[/]")
        for c in d.conditions:
            console.print(f"  {c.id}: {escape(c.text)} [dim]({c.source_rule})[/]")
    elif d.outcome == "prohibited":
        console.print("No conditions: the deal is prohibited.")
    console.print(f"[dim]decision {d.decision_id}[/]")
    console.print("[dim]data " + "; ".join(f"{k}={v}" for k, v in d.data_versions.items()) + "[/]")


def render_difference(difference: PolicyDifference[Determination], explanations: Explained) -> None:
    render_determination(difference.a, f"Under {difference.a.policy.id}", explanations.a)
    console.print()
    render_determination(difference.b, f"Under {difference.b.policy.id}", explanations.b)
    console.print()
    s = difference.summary()
    if not difference.changed:
        console.print("[bold]No difference[/] between the two packs for this deal.")
        return
    console.print(
        f"[bold]Differences[/] ({difference.b.policy.id} against "
        f"{difference.a.policy.id}): outcome {difference.a.outcome} → "
        f"{difference.b.outcome} ({s['direction']})"
    )
    for label, key in (
        ("rules firing only under", "rules_added"),
        ("rules no longer firing", "rules_removed"),
        ("conditions added", "conditions_added"),
        ("conditions removed", "conditions_removed"),
    ):
        values = s[key]
        if values:
            suffix = f" {difference.b.policy.id}" if key == "rules_added" else ""
            console.print(f"  {label}{suffix}: {', '.join(values)}")  # type: ignore[arg-type]


def impact(
    ctx: typer.Context,
    deals: Annotated[
        Path,
        typer.Argument(
            metavar="DEALS_DIR_OR_JSONL", help="A folder of deal files or a JSON-lines file"
        ),
    ],
    policy: Annotated[str, typer.Option("--policy", help="The pack deals are decided under now")],
    against: Annotated[str, typer.Option("--against", help="The pack to compare with")],
    lists: ListsOption = None,
    output: FormatOption = Format.TABLE,
    workers: Annotated[int, typer.Option(min=1, help="Processes to use")] = os.cpu_count() or 1,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Report on the valid deals and list the invalid ones instead of stopping",
        ),
    ] = False,
    changes_path: Annotated[
        Path | None,
        typer.Option(
            "--changes",
            help="JSON lines: both full determinations of every deal whose outcome changes",
        ),
    ] = None,
) -> None:
    """Re-decide a portfolio under two packs: how many deals change outcome, in which
    direction, and which rules make the difference. Outcomes are compared without
    explanations; `--changes FILE` explains the deals that change in full."""
    from aiexports.services.name_screening import check_writable, jsonl_atomically

    if not deals.exists():
        raise InputError(Issue("file or folder not found", str(deals)))
    if changes_path is not None:
        check_writable(changes_path, [deals])
    run = runtime(ctx)
    first = run.policy(policy)
    second = run.policy(against)
    assessor = run.assessor(lists)
    assert first is not None
    assert second is not None
    with contextlib.ExitStack() as stack:
        write = stack.enter_context(jsonl_atomically(changes_path)) if changes_path else None
        progress = stack.enter_context(
            Progress(
                TextColumn("re-deciding"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=errors_console,
                transient=True,
            )
        )
        task = progress.add_task("deals", total=None)
        tally, errors = assessor.impact(
            deals,
            first,
            second,
            skip_invalid,
            limits=run.limits,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            workers=workers,
            changes=write,
        )
    report = tally.report()
    if errors:
        report["invalid_deals"] = [issue.render() for e in errors for issue in e.issues]
    if output is Format.JSON:
        print_json(report)
    else:
        render_impact(tally, len(errors))


def render_impact(tally: ImpactTally, invalid: int) -> None:
    report = tally.report()
    console.print(
        f"[bold]Impact of {tally.against} against {tally.policy}[/] on "
        f"{tally.deals:,} deals" + (f" ({invalid} invalid skipped)" if invalid else "")
    )
    console.print(
        f"Outcome changes: {tally.outcome_changed:,} "
        f"([red]{tally.stricter:,} stricter[/], [green]{tally.less_strict:,} less "
        f"strict[/]); review policy only: {tally.review_policy_changed:,}; "
        f"any change incl. conditions: {tally.any_change:,}"
    )
    table = Table(title="Outcomes")
    table.add_column("outcome")
    table.add_column(tally.policy, justify="right")
    table.add_column(tally.against, justify="right")
    outcomes = report["outcomes"]
    assert isinstance(outcomes, dict)
    for outcome, count in outcomes[tally.policy].items():
        table.add_row(
            styled_outcome(outcome), f"{count:,}", f"{outcomes[tally.against][outcome]:,}"
        )
    console.print(table)
    if tally.transitions:
        moves = Table(title="Outcome transitions")
        for column in ("from", "to", "deals"):
            moves.add_column(column)
        for (a, b), count in tally.transitions.most_common():
            moves.add_row(styled_outcome(a), styled_outcome(b), f"{count:,}")
        console.print(moves)
        why = Table(title="Why (rules behind the changed outcomes)")
        for column in (
            "rule",
            f"fires only under {tally.against}",
            f"fires only under {tally.policy}",
        ):
            why.add_column(column)
        for rule_id in sorted(set(tally.rules_added) | set(tally.rules_removed)):
            why.add_row(
                rule_id, f"{tally.rules_added[rule_id]:,}", f"{tally.rules_removed[rule_id]:,}"
            )
        console.print(why)

"""The ``aiexports`` command."""

from __future__ import annotations

import sys

import typer

from aiexports import __version__
from aiexports.cli import assess, lists, menu, partner, policy, screen
from aiexports.cli.output import report_error
from aiexports.errors import AiExportsError

app = typer.Typer(
    help="Run a national AI export program: the package menu, partner profiles, "
    "explainable export determinations and restricted-party screening.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(menu.app, name="menu")
app.add_typer(partner.app, name="partner")
app.add_typer(policy.app, name="policy")
app.add_typer(lists.app, name="lists")
app.command("assess")(assess.assess)
app.command("impact")(assess.impact)
app.command("screen")(screen.screen)


def _version(show: bool) -> None:
    if show:
        typer.echo(f"aiexports {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit"
    ),
) -> None:
    """Run a national AI export program."""


def main() -> None:
    """Entry point: every :class:`AiExportsError` becomes a message and its exit status."""
    try:
        app()
    except AiExportsError as error:
        report_error(error)
        sys.exit(error.exit_code)

"""The ``aiexports`` command."""

from __future__ import annotations

import contextlib
import os
import sys

import typer

from aiexports import __version__
from aiexports.cli import (
    assess,
    lists,
    menu,
    monitor,
    partner,
    policy,
    program,
    recommend,
    rmf,
    screen,
    service,
)
from aiexports.cli.context import RuntimeHolder
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
app.add_typer(rmf.app, name="rmf")
app.add_typer(monitor.app, name="monitor")
app.command("assess")(assess.assess)
app.command("impact")(assess.impact)
app.command("screen")(screen.screen)
app.command("recommend")(recommend.recommend)
app.command("serve")(service.serve)
app.add_typer(service.orgs, name="orgs")
app.add_typer(service.users, name="users")
app.add_typer(service.audit, name="audit")
program.register(menu.app)
app.add_typer(program.adjudications, name="adjudications")
app.add_typer(program.applications, name="applications")


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


INTERRUPTED = 130
"""The shell's status for a command stopped by Ctrl-C (128 + SIGINT)."""
INTERRUPTED_MESSAGE = "error: interrupted; nothing was written\n"


def main(holder: RuntimeHolder | None = None) -> None:
    """Entry point: every :class:`AiExportsError` becomes a message and its exit status;
    an interrupt or a failure of the machine (disk full, closed pipe) ends with a line
    saying so, never a traceback."""
    try:
        app(obj=holder or RuntimeHolder())
    except AiExportsError as error:
        report_error(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED_MESSAGE)
        sys.exit(INTERRUPTED)
    except SystemExit as exit_:
        # Typer turns Ctrl-C inside a command into this status, silently.
        if exit_.code == INTERRUPTED:
            sys.stderr.write(INTERRUPTED_MESSAGE)
        raise
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as other tools do.
        with contextlib.suppress(OSError):
            sys.stderr.close()
        os._exit(0)
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        sys.stderr.write(f"error: {error.strerror or error}{where}\n")
        sys.exit(1)

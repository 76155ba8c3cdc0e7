"""The runtime of one command: assembled from the settings when a command first needs
it (``--help`` and argument errors never read the environment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from aiexports.runtime import IndexCache, Runtime


class RuntimeHolder:
    """Builds the command's runtime on first use; ``indexes`` lets several commands run
    in one process (the tests) share the name indexes they build."""

    def __init__(self, indexes: IndexCache | None = None) -> None:
        self._runtime: Runtime | None = None
        self._indexes = indexes

    def get(self) -> Runtime:
        if self._runtime is None:
            from aiexports.runtime import Runtime

            self._runtime = Runtime.from_environment(self._indexes)
        return self._runtime


def runtime(ctx: typer.Context) -> Runtime:
    holder = ctx.find_object(RuntimeHolder)
    if holder is None:
        holder = ctx.ensure_object(RuntimeHolder)
    return holder.get()

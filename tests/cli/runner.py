"""Running the ``aiexports`` command in-process, through its real entry point."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from aiexports.cli import output
from aiexports.cli.app import main
from aiexports.cli.context import RuntimeHolder
from aiexports.runtime import IndexCache

INDEXES = IndexCache()
"""Every command of the session shares the name indexes (each builds its own runtime)."""


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> Run:
    monkeypatch.setattr(sys, "argv", ["aiexports", *args])
    # Tables are as wide as a wide terminal, whatever runs the tests.
    monkeypatch.setattr(output.console, "width", 200)
    code = 0
    try:
        main(RuntimeHolder(INDEXES))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return Run(code, captured.out, captured.err)


def run_impact(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> Run:
    """``aiexports impact --policy us-baseline --against ai-diffusion-2025 ARGS...``."""
    return run(
        capsys,
        monkeypatch,
        "impact",
        "--policy",
        "us-baseline",
        "--against",
        "ai-diffusion-2025",
        *args,
    )

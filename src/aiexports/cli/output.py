"""Shared output helpers: one console, JSON printing and error rendering."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Any

from rich.console import Console

from aiexports.errors import AiExportsError

# Text is never wrapped (lines stay whole when piped or read by tools); tables fit the width.
console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def report_error(error: AiExportsError, limit: int = 50) -> None:
    """Every issue on its own line: ``file:line: field 'x': message``."""
    issues = error.issues
    for issue in issues[:limit]:
        sys.stderr.write(f"error: {issue.render()}\n")
    if len(issues) > limit:
        sys.stderr.write(f"error: … and {len(issues) - limit} more\n")


OUTCOME_STYLE = {
    "prohibited": "bold white on red",
    "license_required": "bold red",
    "review_required": "bold yellow",
    "no_license_required": "bold green",
}


def styled_outcome(outcome: str) -> str:
    return f"[{OUTCOME_STYLE.get(outcome, 'bold')}]{outcome}[/]"

"""The shape of the code: a pure core with thin edges."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "aiexports"
CORE = PACKAGE / "core"
FORBIDDEN_IN_CORE = {
    "fastapi",
    "sqlalchemy",
    "alembic",
    "typer",
    "click",
    "rich",
    "duckdb",
    "pyspark",
    "ruamel",
    "psycopg",
    "httpx",
    "requests",
    "jinja2",
    "aiexports.sources",
    "aiexports.services",
    "aiexports.storage",
    "aiexports.cli",
    "aiexports.settings",
    "os",
    "pathlib",
    "subprocess",
    "socket",
    "importlib.resources",
}
IMPURE_CALLS = {"open", "today", "now", "utcnow", "getenv", "read_text", "read_bytes"}


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("module", _modules(CORE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_imports_no_edge_or_io(module: Path) -> None:
    imported = _imports(ast.parse(module.read_text()))
    bad = {
        name
        for name in imported
        for forbidden in FORBIDDEN_IN_CORE
        if name == forbidden or name.startswith(forbidden + ".")
    }
    assert bad == set()


@pytest.mark.parametrize("module", _modules(CORE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_reads_no_clock_files_or_environment(module: Path) -> None:
    calls = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in IMPURE_CALLS:
                calls.add(name)
    assert calls == set()


def test_architecture_test_sees_a_violation(tmp_path: Path) -> None:
    """The checks above would notice an offending import or call."""
    source = "import sqlalchemy\nfrom datetime import date\nx = date.today()\n"
    tree = ast.parse(source)
    assert "sqlalchemy" in _imports(tree)
    assert any(
        isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "today" for n in ast.walk(tree)
    )

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


MUTABLE_BUILDERS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"}
MEMO_DECORATORS = {"lru_cache", "cache", "cached_property"}


def _module_level_state(tree: ast.Module) -> list[str]:
    """Module-level names bound to mutable containers, memoised module functions and
    ``global`` rebinding: state that would outlive a call and leak between callers."""
    found = []
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        if value is not None:
            mutable = isinstance(
                value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp
            ) or (
                isinstance(value, ast.Call)
                and getattr(value.func, "id", getattr(value.func, "attr", None)) in MUTABLE_BUILDERS
            )
            if mutable and not all(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                found.append(f"line {node.lineno}: mutable module-level value")
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = getattr(target, "id", getattr(target, "attr", None))
                if name in MEMO_DECORATORS:
                    found.append(f"line {node.lineno}: memoised module function {node.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.append(f"line {node.lineno}: global {', '.join(node.names)}")
    return found


@pytest.mark.parametrize("module", _modules(CORE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_holds_no_module_level_mutable_state(module: Path) -> None:
    """Caches belong to objects whose identity scopes them (a compiled policy, an
    index), never to the module: a service shares the core between requests."""
    assert _module_level_state(ast.parse(module.read_text())) == []


def test_the_state_check_sees_each_kind_of_state() -> None:
    source = (
        "import functools\n_SEEN = {}\nITEMS: list[int] = []\nCACHE = dict()\n"
        "@functools.lru_cache(maxsize=8)\ndef f(x): return x\n"
        "def g():\n    global _SEEN\n"
    )
    assert len(_module_level_state(ast.parse(source))) == 5
    assert _module_level_state(ast.parse("NAMES = frozenset({'a'})\nT = ('a',)\n")) == []


EDGES = [PACKAGE / "cli", PACKAGE / "api", PACKAGE / "web"]


@pytest.mark.parametrize(
    "module",
    [m for folder in EDGES for m in _modules(folder)],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_edges_reach_data_only_through_the_runtime_and_use_cases(module: Path) -> None:
    """An edge parses, calls a use case and renders: readers and stores are the
    runtime's business, so the API and the web render the very same results."""
    imported = _imports(ast.parse(module.read_text()))
    assert {
        name
        for name in imported
        if name.startswith(("aiexports.sources", "aiexports.storage", "sqlalchemy"))
    } == set()


def test_every_setting_is_documented_in_the_readme() -> None:
    from aiexports.settings import Settings

    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`AIEXPORTS_{name.upper()}`" in readme, name

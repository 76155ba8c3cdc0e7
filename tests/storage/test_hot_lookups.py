"""The lookups every request makes find their rows through an index, not a scan that grows
with the table (SQLite's query plan names the index; migration 0008)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from aiexports.services import adjudications, licensing, menu_record
from aiexports.storage.database import open_engine, upgrade

LOOKUPS: list[tuple[str, Any, dict[str, Any], str]] = [
    (
        "a resource's history",
        licensing._HISTORY_OF,
        {"object_type": "application", "object_id": "app_1"},
        "ix_audit_log_object",
    ),
    (
        "an application's determinations",
        licensing._DETERMINATIONS_OF,
        {"app_id": "app_1"},
        "ix_determinations_application",
    ),
    (
        "an application's license",
        licensing._LICENSE_OF,
        {"app_id": "app_1"},
        "ix_licenses_application",
    ),
    (
        "a package's newest menu entry",
        menu_record._NEWEST_ENTRY,
        {"package_id": "sovereign-llm-cloud"},
        "ix_menu_entries_package",
    ),
    (
        "the adjudications in force for parties",
        adjudications._IN_FORCE_FOR,
        {"keys": ["a|IN", "b|IN"], "organization_id": "org_1"},
        "ix_adjudications_party",
    ),
]


@pytest.mark.parametrize(
    ("what", "statement", "values", "index"), LOOKUPS, ids=[x[0] for x in LOOKUPS]
)
def test_a_hot_lookup_reads_through_its_index(
    what: str, statement: Any, values: dict[str, Any], index: str, tmp_path: Path
) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'service.db'}")
    upgrade(engine)
    sql = statement.params(**values).compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        plan = " ".join(
            str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
        )
    engine.dispose()
    assert index in plan, f"{what}: {plan}"

"""The list store against real databases: migrations, atomic installs, history, rollback."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiexports.core.screening.snapshot import compare_snapshots, replace_feeds
from aiexports.errors import InputError, NotFoundError
from aiexports.services.lists import update_lists
from aiexports.services.screening import bundled_snapshot
from aiexports.sources import reference
from aiexports.sources.lists import read_list_paths
from aiexports.storage.database import is_current, open_engine, upgrade
from aiexports.storage.list_store import ListStore
from tests.conftest import FIXTURES

DPL = FIXTURES / "lists" / "download" / "bis-dpl.txt"
UN = FIXTURES / "lists" / "download" / "un-consolidated.xml"
T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def stores() -> Iterator[list[ListStore]]:
    opened: list[ListStore] = []
    yield opened
    for store in opened:
        store.close()


@pytest.fixture
def store(database_url: str, stores: list[ListStore]) -> ListStore:
    engine = open_engine(database_url)
    upgrade(engine)
    stores.append(ListStore(engine))
    return stores[-1]


def _clock(*moments: dt.datetime):  # type: ignore[no-untyped-def]
    remaining = list(moments)
    return lambda: remaining.pop(0)


def test_migrations_bring_an_empty_database_up_to_date(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        assert not is_current(engine)
        upgrade(engine)
        assert is_current(engine)
        upgrade(engine)  # idempotent
        assert is_current(engine)
    finally:
        engine.dispose()


def test_empty_store_has_no_active_version(store: ListStore) -> None:
    assert store.active_snapshot() is None
    assert store.history() == []


def test_update_installs_and_activates_with_provenance(store: ListStore) -> None:
    book = reference.countries()
    result = update_lists([DPL], book, store, _clock(T0), force=True)
    assert result.installed is not None
    active = store.active_snapshot()
    assert active is not None
    assert active.version == result.new_version
    assert result.previous_version == bundled_snapshot().version
    dpl_feed = next(f for f in active.feeds if f.provenance.feed == "bis-dpl")
    assert [f.name for f in dpl_feed.provenance.files] == ["bis-dpl.txt"]
    assert len(dpl_feed.provenance.files[0].sha256) == 64
    # the other feeds of the bundled snapshot stay as they were
    others = {f.provenance.feed for f in active.feeds} - {"bis-dpl"}
    assert others == {"ofac-sdn", "un-sc", "csl"}
    version = store.active()
    assert version is not None
    assert version.installed_at == T0
    assert len(version.sha256) == 64
    assert version.report["removed"] == len(result.changes.removed) > 0


def test_update_reports_added_removed_and_modified(store: ListStore, tmp_path: Path) -> None:
    book = reference.countries()
    lines = DPL.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    first = tmp_path / "first" / "dpl.txt"
    second = tmp_path / "second" / "dpl.txt"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text(header + "".join(rows[:-1]), encoding="utf-8")
    modified = rows[0].replace('"SEAGOVILLE"', '"DALLAS"')
    assert modified != rows[0]
    # second download: row 0 changed, row 1 gone, the last row new
    second.write_text(header + modified + "".join(rows[2:]), encoding="utf-8")
    update_lists([first], book, store, _clock(T0), force=True)
    result = update_lists([second], book, store, _clock(T0 + dt.timedelta(days=1)), force=True)
    changes = result.changes
    assert (len(changes.added), len(changes.removed), len(changes.modified)) == (1, 1, 1)
    assert all(key.startswith("DPL:") for key in changes.added + changes.removed)
    assert [v.active for v in store.history()] == [False, True]


def test_same_files_twice_install_nothing_new(store: ListStore) -> None:
    book = reference.countries()
    update_lists([UN], book, store, _clock(T0), force=True)
    again = update_lists([UN], book, store, _clock(T0), force=True)
    assert again.installed is None
    assert again.changes.total == 0
    assert len(store.history()) == 1


def test_malformed_file_installs_nothing(store: ListStore) -> None:
    book = reference.countries()
    update_lists([UN], book, store, _clock(T0), force=True)
    before = store.history()
    broken = FIXTURES / "lists" / "malformed" / "dpl-extra-column.txt"
    with pytest.raises(InputError) as raised:
        update_lists([DPL.parent / "ofac-sdn", broken], book, store, _clock(T0), force=True)
    assert raised.value.issues[0].line == 3
    assert store.history() == before


def test_activate_rolls_back_and_unknown_version_is_refused(store: ListStore) -> None:
    book = reference.countries()
    first = update_lists([UN], book, store, _clock(T0), force=True)
    update_lists([DPL], book, store, _clock(T0), force=True)
    assert first.installed is not None
    store.activate(first.installed.id, T0)
    active = store.active_snapshot()
    assert active is not None
    assert active.version == first.new_version
    with pytest.raises(NotFoundError):
        store.activate(999, T0)


CRASH = textwrap.dedent(
    """
    import datetime as dt, os, sys
    from pathlib import Path
    from aiexports.services.lists import update_lists
    from aiexports.sources import reference
    from aiexports.storage.database import open_engine
    from aiexports.storage.list_store import ListStore

    store = ListStore(open_engine(sys.argv[1]))
    update_lists([Path(sys.argv[2])], reference.countries(), store,
                 lambda: dt.datetime.now(dt.UTC), before_commit=lambda: os._exit(9), force=True)
    """
)


def test_a_crash_mid_install_leaves_the_previous_version_active(
    database_url: str, store: ListStore, stores: list[ListStore]
) -> None:
    """A real process dies inside the install transaction (after both writes, before
    the commit); the database still serves the previous version."""
    book = reference.countries()
    previous = update_lists([UN], book, store, _clock(T0), force=True)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, database_url, str(DPL)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert crashed.returncode == 9, crashed.stderr.decode()
    store.close()
    fresh = ListStore(open_engine(database_url))
    stores.append(fresh)
    active = fresh.active_snapshot()
    assert active is not None
    assert active.version == previous.new_version
    assert [v.id for v in fresh.history()] == [previous.installed.id]  # type: ignore[union-attr]


def test_replace_feeds_keeps_other_feeds() -> None:
    book = reference.countries()
    bundled = bundled_snapshot()
    feeds = read_list_paths([UN], book)
    merged = replace_feeds(bundled, feeds)
    assert {f.provenance.feed for f in merged.feeds} == {f.provenance.feed for f in bundled.feeds}
    changes = compare_snapshots(bundled, merged)
    assert all(key.startswith("UN:") for key in changes.removed)


def test_every_list_version_switch_is_on_the_audit_trail(store: ListStore) -> None:
    from aiexports.core.audit import verify_chain
    from aiexports.storage.service_store import ServiceStore

    book = reference.countries()
    first = update_lists([DPL], book, store, _clock(T0), force=True).installed
    second = update_lists([UN], book, store, _clock(T0 + dt.timedelta(days=1)), force=True)
    assert first is not None
    assert second.installed is not None
    store.activate(first.id, T0 + dt.timedelta(days=2))
    trail = ServiceStore(store.engine)
    entries = list(trail.audit_entries())
    switches = [
        (e["action"], e["after"]["active"])
        for e in entries
        if e["object"]["type"] == "list_version"
    ]
    assert switches == [
        ("lists.install", first.id),
        ("lists.install", second.installed.id),
        ("lists.activate", first.id),
    ]
    assert entries[-1]["before"] == {"active": second.installed.id}
    assert verify_chain(entries, trail.audit_count()).ok


def test_the_migrations_build_exactly_the_declared_tables(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from aiexports.storage.tables import metadata

    engine = open_engine(database_url)
    upgrade(engine)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    assert differences == []

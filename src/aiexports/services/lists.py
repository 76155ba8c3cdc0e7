"""Installing restricted-party list downloads and finding the lists a run uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiexports.core.countries import CountryBook
from aiexports.core.screening.integrity import (
    DEFAULT_MAX_AGE_DAYS,
    DEFAULT_MAX_LOSS,
    FeedAge,
    download_problems,
    feed_ages,
    stale_warnings,
)
from aiexports.core.screening.snapshot import (
    ListSnapshot,
    SnapshotChanges,
    compare_snapshots,
    replace_feeds,
)
from aiexports.errors import InputError, Issue, NotFoundError
from aiexports.services.screening import bundled_snapshot
from aiexports.settings import Settings, load_settings
from aiexports.sources.lists import read_list_paths

if TYPE_CHECKING:
    from aiexports.runtime import Runtime
    from aiexports.storage.list_store import InstalledVersion, ListStore


def open_store(settings: Settings | None = None, create: bool = False) -> ListStore | None:
    """The list store; ``None`` when nothing was ever installed and ``create`` is False.

    SQLAlchemy and Alembic are imported here, when a database is needed: a run that only
    uses the bundled lists never pays for them."""
    settings = settings or load_settings()
    if not create and settings.database_url is None and not settings.sqlite_path.exists():
        return None
    from aiexports.storage.database import is_current, open_engine, upgrade  # noqa: PLC0415
    from aiexports.storage.list_store import ListStore  # noqa: PLC0415

    engine = open_engine(
        settings.effective_database_url, make_folder=create and settings.database_url is None
    )
    if create:
        upgrade(engine)
    elif not is_current(engine):
        return None
    return ListStore(engine)


@dataclass(frozen=True)
class ListUpdate:
    installed: InstalledVersion | None
    """None when the files changed nothing (no new version is recorded)."""
    previous_version: str
    new_version: str
    changes: SnapshotChanges
    report: dict[str, Any]


def update_lists(
    paths: Sequence[Path],
    countries: CountryBook,
    store: ListStore,
    now: Callable[[], dt.datetime],
    before_commit: Callable[[], None] | None = None,
    force: bool = False,
    max_loss: float = DEFAULT_MAX_LOSS,
) -> ListUpdate:
    """Import official list downloads and make them active, replacing the feeds they
    contain. Every file is parsed before anything is written; a download that is empty,
    shrinks by more than ``max_loss``, lacks a companion file or is older than the
    installed one is refused unless ``force`` (the report then keeps the reasons)."""
    if not paths:
        raise InputError(Issue("name at least one list file or folder"))
    feeds = read_list_paths(paths, countries)
    if not feeds:
        raise InputError(Issue("no list files found", ", ".join(map(str, paths))))
    current = store.active_snapshot() or bundled_snapshot()
    problems = download_problems(current, feeds, max_loss)
    if problems and not force:
        raise InputError(
            [
                Issue(f"{reason}; not installed (--force installs it anyway)", f"feed {feed}")
                for feed, reason in problems
            ]
        )
    new = replace_feeds(current, feeds)
    changes = compare_snapshots(current, new)
    report: dict[str, Any] = {
        "files": [str(path) for path in paths],
        "previous_version": current.version,
        "added": len(changes.added),
        "removed": len(changes.removed),
        "modified": len(changes.modified),
        "examples": {
            "added": list(changes.added[:10]),
            "removed": list(changes.removed[:10]),
            "modified": list(changes.modified[:10]),
        },
        "imports": [feed.report.model_dump(mode="json") for feed in feeds],
        "forced_despite": [f"{feed}: {reason}" for feed, reason in problems],
    }
    if new.version == current.version:
        return ListUpdate(None, current.version, new.version, changes, report)
    installed = store.install(new, report, now(), before_commit)
    return ListUpdate(installed, current.version, new.version, changes, report)


def contract_of_update(result: ListUpdate) -> dict[str, Any]:
    return {
        "installed": result.installed.id if result.installed else None,
        "previous_version": result.previous_version,
        "new_version": result.new_version,
        **result.report,
    }


def install_lists(runtime: Runtime, paths: Sequence[Path], force: bool = False) -> ListUpdate:
    """Install official downloads into the runtime's store (created on first use)."""
    store = runtime.store(create=True)
    assert store is not None
    return update_lists(
        paths,
        runtime.countries,
        store,
        runtime.clock,
        force=force,
        max_loss=runtime.settings.list_max_loss,
    )


@dataclass(frozen=True)
class ActiveLists:
    origin: str
    """``installed`` or ``bundled``."""
    snapshot: ListSnapshot
    ages: tuple[FeedAge, ...] = ()
    max_age_days: int = DEFAULT_MAX_AGE_DAYS

    @property
    def warnings(self) -> list[str]:
        return stale_warnings(self.ages, self.max_age_days)

    def contract(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "version": self.snapshot.version,
            "ages": [age.contract() for age in self.ages],
            "warnings": self.warnings,
            "feeds": [
                {
                    "provenance": f.provenance.model_dump(mode="json"),
                    "report": f.report.model_dump(mode="json"),
                }
                for f in self.snapshot.feeds
            ],
        }


def active_lists(runtime: Runtime) -> ActiveLists:
    installed = runtime.installed_lists()
    origin, snapshot = ("installed", installed) if installed else ("bundled", bundled_snapshot())
    ages = tuple(feed_ages(snapshot, runtime.clock().date()))
    return ActiveLists(origin, snapshot, ages, runtime.settings.list_max_age_days)


@dataclass(frozen=True)
class ListHistory:
    versions: tuple[InstalledVersion, ...]
    bundled_version: str

    def contract(self) -> list[dict[str, Any]]:
        return [
            {
                "id": v.id,
                "version": v.version,
                "sha256": v.sha256,
                "installed_at": v.installed_at.isoformat(),
                "entries": v.entry_count,
                "active": v.active,
                "added": v.report.get("added"),
                "removed": v.report.get("removed"),
                "modified": v.report.get("modified"),
            }
            for v in self.versions
        ]


def list_history(runtime: Runtime) -> ListHistory:
    store = runtime.store()
    versions = tuple(store.history()) if store is not None else ()
    return ListHistory(versions, bundled_snapshot().version)


def activate_version(runtime: Runtime, version_id: int) -> InstalledVersion:
    """Make an earlier installed version active again (a rollback)."""
    store = runtime.store()
    if store is None:
        raise NotFoundError(f"no installed list version {version_id}")
    return store.activate(version_id, runtime.clock())

"""The composition root: one runtime, assembled from settings at each edge.

The CLI builds one per process, the API app factory one per app, a batch job one per
job. It holds the reference data, the policy shelf, the screening configuration, the
list store behind a port, the screener factory (with the indexes it built) and the clock,
and hands them to the use cases in :mod:`aiexports.services`. Nothing below it reads the
environment or keeps state in a module global.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from aiexports.core.countries import CountryBook
from aiexports.settings import Settings, load_settings
from aiexports.sources import reference
from aiexports.sources.cache import DerivedCache
from aiexports.sources.documents import ReadLimits

if TYPE_CHECKING:
    from aiexports.core.catalog import FrameworkCatalog, Menu, ProgramTerms
    from aiexports.core.policy.engine import ReferenceData
    from aiexports.core.policy.pack import PackShelf, PolicyPack
    from aiexports.core.screening.integrity import FeedAge
    from aiexports.core.screening.port import Screener
    from aiexports.core.screening.snapshot import ListSnapshot
    from aiexports.services.assessment import Assessor
    from aiexports.services.screening import (
        LoadedLists,
        ScreeningConfig,
    )

if TYPE_CHECKING:
    from aiexports.storage.list_store import ListStore
    from aiexports.storage.service_store import ServiceStore

MAX_BUILT_INDEXES = 2
"""Indexes a long-lived runtime keeps (the active lists and one other, e.g. a rollback)."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Build long-lived data (reference data, a name index) without the cyclic garbage
    collector, then move it out of the collector's sight: full collections would walk
    its millions of objects again and again, and none of it is garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class IndexCache:
    """Built name indexes by (matcher, list version): a runtime owns one; runtimes that
    should share their indexes (an API's per-request runtimes, a test session) share one."""

    def __init__(self, limit: int = MAX_BUILT_INDEXES) -> None:
        self._built: dict[tuple[str, str], Screener] = {}
        self._limit = limit

    def get(self, key: tuple[str, str], build: Callable[[], Screener]) -> Screener:
        found = self._built.get(key)
        if found is None:
            if len(self._built) >= self._limit:
                self._built.pop(next(iter(self._built)))
            with collector_paused():
                found = self._built[key] = build()
        return found


class MenuSource(Protocol):
    """The menu's record, as the engine reads it."""

    def engine_menu(self) -> Menu:
        """The menu decided with now."""

    def engine_menu_at(self, version: str) -> Menu | None:
        """The menu that was ``version`` (None when it cannot be rebuilt)."""


@dataclass
class Runtime:
    """Everything a use case needs from outside the core, built once per edge."""

    settings: Settings
    clock: Callable[[], dt.datetime] = utc_now
    indexes: IndexCache = field(default_factory=IndexCache, repr=False)
    _loaded: dict[tuple[Path, ...], LoadedLists] = field(default_factory=dict, repr=False)
    list_recheck_seconds: float = 0.0
    """How long the active list version, once read, is taken as current: 0 for commands
    (each reads it), about a second for the service (a database round trip saved on every
    request; a ``lists update`` is seen within that time)."""
    _active_checked: tuple[float, int | None] | None = field(default=None, repr=False)
    _list_store: ListStore | None = field(default=None, repr=False)
    _snapshots: dict[int, ListSnapshot] = field(default_factory=dict, repr=False)
    _assessors: dict[str, Assessor] = field(default_factory=dict, repr=False)
    menu_source: MenuSource | None = field(default=None, repr=False)
    """Where a long-lived edge takes the menu the engine decides with (the service: the
    menu's record, packages designated through it included); commands use the bundled."""

    @classmethod
    def from_environment(cls, indexes: IndexCache | None = None) -> Runtime:
        return cls(load_settings(), indexes=indexes or IndexCache())

    @property
    def limits(self) -> ReadLimits:
        return ReadLimits(max_bytes=int(self.settings.max_document_mb * 1024 * 1024))

    # --- reference data (bundled, validated on first use) ---------------------------------

    @cached_property
    def countries(self) -> CountryBook:
        return reference.countries()

    @cached_property
    def regions(self) -> Mapping[str, tuple[str, str]]:
        """Country code → UN M49 (region, sub-region), for the published statistics."""
        return reference.regions()

    @cached_property
    def derived(self) -> DerivedCache | None:
        """Derived data kept between runs (see :mod:`aiexports.sources.cache`)."""
        folder = self.settings.cache_folder
        return DerivedCache(folder) if folder is not None else None

    @cached_property
    def reference(self) -> ReferenceData:
        with collector_paused():
            return reference.reference_data(self.derived)

    @property
    def menu(self) -> Menu:
        """The menu the engine decides with now (:attr:`menu_source`, else the bundled)."""
        if self.menu_source is not None:
            return self.menu_source.engine_menu()
        return self.reference.menu

    def menu_at(self, version: str) -> Menu | None:
        """The menu that was version ``version``, when it can be rebuilt."""
        if self.menu_source is not None:
            return self.menu_source.engine_menu_at(version)
        menu = self.reference.menu
        return menu if menu.version == version else None

    @cached_property
    def shelf(self) -> PackShelf:
        return reference.packs()

    @cached_property
    def program_terms(self) -> ProgramTerms:
        return reference.program_terms()

    @cached_property
    def frameworks(self) -> Mapping[str, FrameworkCatalog]:
        return reference.frameworks()

    @cached_property
    def screening(self) -> ScreeningConfig:
        from aiexports.services.screening import screening_config

        return screening_config(self.settings.matcher)

    def policy(self, value: str | None) -> PolicyPack | None:
        """A pack by id, or a draft pack from a file."""
        from aiexports.services.assessment import resolve_policy

        return resolve_policy(self.shelf, value, self.limits)

    # --- the service's database -------------------------------------------------------------

    @cached_property
    def service_store(self) -> ServiceStore:
        """The service's database, created and migrated on first use (SQLite in the home
        folder by default, ``AIEXPORTS_DATABASE_URL`` otherwise)."""
        from aiexports.services.serving import ServiceStore

        store = self.store(create=True)  # migrates every table, the service's included
        assert store is not None
        return ServiceStore(store.engine)

    # --- lists -------------------------------------------------------------------------

    def store(self, create: bool = False) -> ListStore | None:
        """The installed-list store (None when nothing was installed and not ``create``);
        once open, the runtime keeps it (one engine and pool per runtime, not per call)."""
        from aiexports.services.lists import open_store

        if self._list_store is None:
            self._list_store = open_store(self.settings, create)
        return self._list_store

    def installed_lists(self) -> ListSnapshot | None:
        """The active installed version, read again only when another becomes active."""
        moment = time.monotonic()
        checked = self._active_checked
        if checked is not None and moment - checked[0] < self.list_recheck_seconds:
            version_id = checked[1]
        else:
            store = self.store()
            if store is None:
                return None
            version_id = store.active_id()
            self._active_checked = (moment, version_id)
        if version_id is None:
            return None
        store = self.store()
        assert store is not None
        found = self._snapshots.get(version_id)
        if found is None:
            found = store.snapshot(version_id)
            if found is None:
                return None
            self._snapshots.clear()  # one version is in use at a time
            self._snapshots[version_id] = found
        return found

    def close(self) -> None:
        """Release the database connections this runtime opened."""
        if self._list_store is not None:
            self._list_store.close()
            self._list_store = None

    def lists(self, paths: Sequence[Path] | None = None) -> LoadedLists:
        """The lists a run uses: ``paths`` when given, else the installed, else bundled."""
        from aiexports.services.screening import load_lists

        if not paths:  # the installed version may change under a long-lived runtime
            return load_lists(None, self.countries, self.installed_lists)
        key = tuple(paths)
        found = self._loaded.get(key)
        if found is None:  # files named for this run are read once per runtime
            found = self._loaded[key] = load_lists(paths, self.countries, self.installed_lists)
        return found

    def list_ages(self, loaded: LoadedLists) -> list[FeedAge]:
        """How old each list of ``loaded`` is (by its files' own dates), today."""
        from aiexports.core.screening.integrity import feed_ages

        if loaded.snapshot is None:
            return []
        return feed_ages(loaded.snapshot, self.clock().date())

    def stale_lists(self, loaded: LoadedLists) -> list[str]:
        """A warning for each list of ``loaded`` older than the configured age (or
        undated)."""
        from aiexports.core.screening.integrity import stale_warnings

        return stale_warnings(self.list_ages(loaded), self.settings.list_max_age_days)

    def screener(self, snapshot: ListSnapshot) -> Screener:
        """The configured matcher over ``snapshot``; each index is built once per runtime
        (snapshots are immutable and named by the hash of their content)."""
        from aiexports.services.screening import MATCHERS

        matcher = self.screening.matcher
        return self.indexes.get(
            (matcher, snapshot.version),
            lambda: MATCHERS[matcher](snapshot.entries, snapshot.version, self.derived),
        )

    def assessor(
        self,
        list_paths: Sequence[Path] | None = None,
        loaded: LoadedLists | None = None,
        menu: Menu | None = None,
    ) -> Assessor:
        """Reference data, packs and the party screener over the lists this run uses
        (``loaded``, when the caller has them already), deciding with ``menu`` when given
        (a stored decision derived again under the menu it was made with)."""
        from aiexports.services.assessment import Assessor
        from aiexports.services.screening import DealScreener, lists_covered

        shared = loaded is None and not list_paths and menu is None
        loaded = loaded or self.lists(list_paths)
        data = self.reference
        if menu is None and not list_paths and self.menu_source is not None:
            menu = self.menu_source.engine_menu()
        if menu is not None and menu is not data.menu:
            data = replace(data, menu=menu)
        key = loaded.snapshot.version if loaded.snapshot is not None else f"none:{loaded.problem}"
        key = f"{key}|{data.menu.version}"
        if shared and key in self._assessors:
            # A long-lived edge (the service) decides every request with one assessor per
            # list version: packs compiled once, each party screened once.
            return self._assessors[key]
        config = self.screening
        snapshot = loaded.snapshot
        if snapshot is None:
            screener = DealScreener(None, config.thresholds, loaded.problem)
        else:
            screener = DealScreener(
                self.screener(snapshot),
                config.thresholds,
                covered=lists_covered(snapshot),
                entries=lambda: snapshot.entries,
                by_script=dict(config.script_thresholds()),
            )
        assessor = Assessor(data, self.shelf, screener)
        if shared:
            self._assessors.clear()  # one list version is in use at a time
            self._assessors[key] = assessor
        return assessor

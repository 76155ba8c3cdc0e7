"""Use case: check licenses' conditions against usage telemetry (``aiexports monitor run``
and the service's telemetry jobs). Reads the small tables, screens the tenants, lets the
chosen engine extract the facts, and runs the checks over them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import Any

from aiexports.core.countries import CountryBook
from aiexports.core.monitoring.checks import (
    CHECKS,
    MonitoringContext,
    TenantListing,
    run_checks,
    verify_all,
)
from aiexports.core.monitoring.model import (
    Alert,
    Attestation,
    Location,
    MonitoringProfile,
    Tenant,
    Thresholds,
)
from aiexports.core.screening.port import ScreeningQuery
from aiexports.errors import InputError, Issue
from aiexports.monitoring import inputs
from aiexports.monitoring.engine import Engine, ReferenceTables, extract_facts
from aiexports.services.pools import can_fork, forked_pool
from aiexports.services.screening import ScreeningConfig
from aiexports.sources import reference

ENGINES = ("duckdb", "spark")
RESTRICTED_GROUPS = ("E:1", "E:2", "D:5")
FRONTIER_GROUPS = ("D:5",)
EXTRA_COUNTRIES = ("MO",)


@dataclass(frozen=True)
class MonitorInputs:
    telemetry: Path
    tenants: Path
    profiles: Path
    attestations: Path | None = None
    locations: Path | None = None
    attestation_keys: Path | None = None
    as_of: dt.date | None = None
    engine: str = "duckdb"
    master: str | None = None
    workers: int = 1
    """Processes verifying signatures (forked: only where no other thread runs)."""


@dataclass(frozen=True)
class MonitorRun:
    alerts: list[Alert]
    rows: int
    engine: str
    as_of: dt.date
    thresholds: str
    lists_version: str
    licenses: int
    tenants: int
    attestations: int
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> dict[str, Any]:
        by_check: dict[str, int] = dict.fromkeys(CHECKS, 0)
        for alert in self.alerts:
            by_check[alert.check] += 1
        return {
            "alerts": len(self.alerts),
            "by_check": by_check,
            "rows": self.rows,
            "licenses": self.licenses,
            "tenants": self.tenants,
            "attestations": self.attestations,
            "engine": self.engine,
            "as_of": self.as_of.isoformat(),
            "thresholds": self.thresholds,
            "lists_version": self.lists_version,
            "warnings": list(self.warnings),
        }


def country_sets(book: CountryBook) -> tuple[frozenset[str], frozenset[str]]:
    """Restricted countries (E:1, E:2, D:5, MO) and frontier-training headquarters (D:5,
    MO), each with the codes treated as one of them (HK as CN)."""

    def members(groups: tuple[str, ...]) -> frozenset[str]:
        return frozenset(
            code
            for code in book.profiles
            if book.in_any_group(code, groups) or book.effective_code(code) in EXTRA_COUNTRIES
        )

    return members(RESTRICTED_GROUPS), members(FRONTIER_GROUPS)


@dataclass(frozen=True)
class TenantScreen:
    """Screens one tenant against the lists (picklable: Spark ships it to executors)."""

    screener: Any
    config: ScreeningConfig
    """The bands, by query shape (:meth:`ScreeningConfig.bands_for`)."""

    def __call__(self, name: str, country: str | None) -> TenantListing | None:
        query = ScreeningQuery(name, country)
        block = self.config.bands_for(query).block
        matches = [m for m in self.screener.screen(query, min_score=block) if m.score >= block]
        if not matches:
            return None
        best = max(matches, key=lambda m: (m.score, m.entry_key))
        expiries = [m.expires for m in matches]
        until = None if any(e is None for e in expiries) else max(e for e in expiries if e)
        return TenantListing(best.matched_name, best.entry_key, str(best.source), best.score, until)


def _reference_tables(
    profiles: Mapping[str, MonitoringProfile],
    tenants: Mapping[str, Tenant],
    listed: Mapping[str, TenantListing],
    restricted: frozenset[str],
    frontier: frozenset[str],
    countries: frozenset[str],
) -> ReferenceTables:
    return ReferenceTables(
        profiles=[
            (p.license_id, p.destination, p.valid_from, p.valid_until) for p in profiles.values()
        ],
        sites=[
            (p.license_id, s.id, s.country != p.destination)
            for p in profiles.values()
            for s in p.sites
        ],
        uses=[(p.license_id, str(u)) for p in profiles.values() for u in p.end_uses],
        tenants=[
            (
                t.tenant_id,
                t.country in restricted or t.headquarters in restricted,
                t.tenant_id in listed,
                listed[t.tenant_id].expires if t.tenant_id in listed else None,
                not t.kyc_verified,
                t.headquarters in frontier,
            )
            for t in tenants.values()
        ],
        restricted=sorted(restricted),
        countries=countries,
    )


_VERIFYING: tuple[Sequence[Attestation], Mapping[str, Any]] | None = None
"""What forked verifiers read (inherited, never pickled)."""
PARALLEL_FROM = 20_000
"""Below this many attestations one process verifies them sooner than forking."""


class Verification:
    """Attestation signatures verified while the rest of the run goes on: forked
    ``workers`` (an Ed25519 verification costs about 0.1 ms, and hundreds of thousands of
    attestations are common), started before the engine opens so that they inherit the
    attestations and nothing else; in this process when few or when forking is unsafe."""

    def __init__(
        self, attestations: Sequence[Attestation], keys: Mapping[str, Any], workers: int
    ) -> None:
        global _VERIFYING  # noqa: PLW0603
        self.attestations, self.keys = attestations, keys
        self._pool: Pool | None = None
        self._pending: AsyncResult[list[list[tuple[Attestation, str]]]] | None = None
        if workers <= 1 or len(attestations) < PARALLEL_FROM or not can_fork():
            return
        total = len(attestations)
        step = -(-total // (workers * 4))
        slices = [(start, min(start + step, total)) for start in range(0, total, step)]
        _VERIFYING = (attestations, keys)
        try:
            self._pool = forked_pool(workers)
            self._pending = self._pool.map_async(_verify_slice, slices)
        finally:
            _VERIFYING = None  # the workers have their copy

    def rejected(self) -> dict[Attestation, str]:
        """The attestations whose signature does not verify, with why."""
        if self._pending is None:
            return verify_all(self.attestations, self.keys)
        try:
            found = self._pending.get()
        finally:
            self.close()
        return {row: problem for part in found for row, problem in part}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def _verify_slice(bounds: tuple[int, int]) -> list[tuple[Attestation, str]]:
    assert _VERIFYING is not None
    attestations, keys = _VERIFYING
    return list(verify_all(attestations[bounds[0] : bounds[1]], keys).items())


def open_engine(name: str, master: str | None = None) -> Engine:
    if name == "duckdb":
        from aiexports.monitoring.duckdb_engine import DuckDBEngine

        return DuckDBEngine()
    if name == "spark":
        from aiexports.monitoring.spark_engine import SparkEngine

        return SparkEngine.open(master)
    raise InputError(Issue(f"{name!r} is not an engine: {', '.join(ENGINES)}", field="engine"))


def run_monitor(
    runtime: Any,
    given: MonitorInputs,
    progress: Callable[[str], None] = lambda _: None,
) -> MonitorRun:
    """Every alert the inputs raise (the inputs refused whole, located, when one is bad)."""
    book: CountryBook = runtime.countries
    as_of = given.as_of or runtime.clock().date()
    thresholds = reference.monitoring_thresholds().on(as_of)
    progress("reading profiles and tenants")
    profiles = inputs.read_profiles(given.profiles, book, runtime.limits)
    tenants = inputs.read_tenants(given.tenants, book)
    locations: dict[str, Location] = {}
    attestations: list[Attestation] = []
    verification: Verification | None = None
    if given.attestations is not None:
        if given.locations is None:
            raise InputError(
                Issue(
                    "--attestations needs --locations (the coordinates of every site and landmark)",
                    field="locations",
                )
            )
        progress("reading attestations")
        locations = inputs.read_locations(given.locations, book)
        attestations = inputs.read_attestations(given.attestations, locations)
        if given.attestation_keys is not None:
            keys = inputs.read_keys(given.attestation_keys)
            verification = Verification(attestations, keys, given.workers)
    try:
        return _checked(
            runtime,
            given,
            progress,
            as_of,
            thresholds,
            profiles,
            tenants,
            locations,
            attestations,
            verification,
        )
    finally:
        if verification is not None:
            verification.close()


def _checked(
    runtime: Any,
    given: MonitorInputs,
    progress: Callable[[str], None],
    as_of: dt.date,
    thresholds: Thresholds,
    profiles: Mapping[str, MonitoringProfile],
    tenants: Mapping[str, Tenant],
    locations: Mapping[str, Location],
    attestations: Sequence[Attestation],
    verification: Verification | None,
) -> MonitorRun:
    book: CountryBook = runtime.countries
    codes = frozenset(book.profiles)
    files = inputs.telemetry_files(given.telemetry)
    restricted, frontier = country_sets(book)
    engine = open_engine(given.engine, given.master)
    warnings: list[str] = []
    try:
        progress("loading the restricted-party lists")
        assessor = runtime.assessor()
        deal_screener = assessor.screener
        listed: dict[str, TenantListing] = {}
        if deal_screener.screener is None:
            warnings.append(f"tenants not screened: {deal_screener.problem}")
        else:
            progress("screening tenants")
            screen = TenantScreen(deal_screener.screener, runtime.screening)
            found = engine.screen_tenants(
                [(t.tenant_id, t.name, t.country) for t in tenants.values()], screen
            )
            listed = {tenant_id: hit for tenant_id, hit in found.items() if hit is not None}
        warnings.extend(runtime.stale_lists(runtime.lists()))
        progress("loading telemetry")
        engine.load(
            files, _reference_tables(profiles, tenants, listed, restricted, frontier, codes)
        )
        facts = extract_facts(engine, codes, thresholds.frontier_training_ops, progress)
    finally:
        engine.close()
    progress("verifying signatures")
    rejected = verification.rejected() if verification is not None else {}
    progress("running checks")
    context = MonitoringContext(
        profiles,
        tenants,
        listed,
        restricted,
        frontier,
        thresholds,
        as_of,
        locations,
        signed=verification is not None,
        rejected=rejected,
    )
    alerts = run_checks(facts, attestations, context)
    return MonitorRun(
        alerts,
        facts.rows,
        engine.name,
        as_of,
        thresholds.id,
        deal_screener.lists_version,
        len(profiles),
        len(tenants),
        len(attestations),
        tuple(warnings),
    )

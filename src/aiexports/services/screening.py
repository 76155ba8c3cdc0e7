"""Screening deal parties: which lists are used, which matcher, and the per-deal results."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any, overload

from aiexports.core.countries import CountryBook
from aiexports.core.deal import Deal
from aiexports.core.screening.algorithms import ALGORITHMS, NameAlgorithm
from aiexports.core.screening.entries import ListEntry
from aiexports.core.screening.exact import ExactNameMatcher
from aiexports.core.screening.index import IndexTables, build_tables
from aiexports.core.screening.matcher import NameMatcher
from aiexports.core.screening.port import Screener, ScreeningQuery
from aiexports.core.screening.results import (
    NEVER_BLOCKS,
    ListMatch,
    PartyScreening,
    ScreeningResult,
    Thresholds,
)
from aiexports.core.screening.scripts import script_of
from aiexports.core.screening.snapshot import ListSnapshot, snapshot_of
from aiexports.core.vocabulary import ListCode
from aiexports.errors import InputError, Issue, ReferenceDataError
from aiexports.sources.cache import DerivedCache
from aiexports.sources.documents import parse_text
from aiexports.sources.lists import read_list_paths
from aiexports.sources.lists.bundle import load_snapshot_bytes
from aiexports.sources.reference import data_file, name_rules

MatcherFactory = Callable[[Sequence[ListEntry], str, DerivedCache | None], Screener]


def _exact_matcher(
    entries: Sequence[ListEntry], version: str, derived: DerivedCache | None
) -> ExactNameMatcher:
    return ExactNameMatcher(entries, version)


def _name_matcher(algorithm: NameAlgorithm) -> MatcherFactory:
    def build(
        entries: Sequence[ListEntry], version: str, derived: DerivedCache | None
    ) -> NameMatcher:
        """The fuzzy matcher; its index tables are kept in ``derived`` (keyed by the list
        version, the algorithm and the installed code, bundled name rules included) and
        read back instead of rebuilt."""
        rules = name_rules()
        tables = None
        if derived is not None:
            key = derived.key(algorithm.name, version)
            tables = IndexTables.from_plain(derived.load("index", key))
            if tables is None:
                tables = build_tables(entries, algorithm.rules(rules), algorithm)
                derived.store("index", key, tables.plain())
        return NameMatcher(entries, version, rules, tables=tables, algorithm=algorithm)

    return build


MATCHERS: dict[str, MatcherFactory] = {
    ExactNameMatcher.matcher_id: _exact_matcher,
    **{name: _name_matcher(algorithm) for name, algorithm in ALGORITHMS.items()},
}


@dataclass(frozen=True)
class ScriptBands:
    """The bands calibrated on clean names written in one script."""

    thresholds: Thresholds
    """With the name's country, as deal parties are screened."""
    name_only: Thresholds | None = None


@dataclass(frozen=True)
class ScreeningConfig:
    matcher: str
    thresholds: Thresholds
    """Calibrated for a name with its country, as deal parties are screened."""
    name_only: Thresholds | None = None
    """Calibrated for a bare name (clean names score higher without a country)."""
    by_script: Mapping[str, ScriptBands] = field(default_factory=dict)
    """Calibrated on the clean names written in a script (:func:`.scripts.script_of`).
    A plain mapping: the configuration is pickled (Spark ships it to executors)."""

    def bands_for(self, query: ScreeningQuery) -> Thresholds:
        """The bands calibrated for the shape of ``query``: its script, and whether it
        gives a country."""
        script = self.by_script.get(script_of(query.name) or "")
        if script is not None:
            if query.country is None and script.name_only is not None:
                return script.name_only
            return script.thresholds
        if query.country is None and self.name_only is not None:
            return self.name_only
        return self.thresholds

    def script_thresholds(self) -> tuple[tuple[str, Thresholds], ...]:
        """The script bands deal parties are judged by (with a country), by script."""
        return tuple((name, bands.thresholds) for name, bands in sorted(self.by_script.items()))


@cache
def screening_config_raw() -> dict[str, Any]:
    """The bundled screening configuration as written."""
    data: dict[str, Any] = parse_text(
        data_file("screening", "config.yaml").read_text(encoding="utf-8"), "screening/config.yaml"
    ).data
    return data


@cache
def screening_config(matcher: str | None = None) -> ScreeningConfig:
    """The configured matcher (or ``matcher``, when one is chosen) and its calibrated
    score bands."""
    raw = screening_config_raw()
    if matcher is not None and (matcher not in MATCHERS or matcher not in raw["thresholds"]):
        known = ", ".join(sorted(set(MATCHERS) & set(raw["thresholds"])))
        raise InputError(
            Issue(
                f"unknown matcher {matcher!r} (known: {known})",
                "environment",
                field="AIEXPORTS_MATCHER",
            )
        )
    matcher = matcher or str(raw["matcher"])
    if matcher not in MATCHERS or matcher not in raw["thresholds"]:
        raise ReferenceDataError(f"screening/config.yaml: no matcher or thresholds {matcher!r}")
    bands = raw["thresholds"][matcher]
    by_script = {}
    try:
        for script, shaped in (bands.get("scripts") or {}).items():
            if script not in SCRIPTS:
                raise ReferenceDataError(f"screening/config.yaml: unknown script {script!r}")
            if "name_only" not in shaped:  # a bare name scores higher: its own bands
                raise ReferenceDataError(f"screening/config.yaml: {script}: no name_only bands")
            by_script[script] = ScriptBands(_bands(shaped), _bands(shaped["name_only"]))
        return ScreeningConfig(matcher, _bands(bands), _bands(bands.get("name_only")), by_script)
    except (KeyError, TypeError, ValueError) as error:
        raise ReferenceDataError(
            f"screening/config.yaml: bands of {matcher!r}: {error!r:.200}"
        ) from None


SCRIPTS = ("arabic", "cjk", "cyrillic")
"""The scripts that can have bands of their own (:func:`.scripts.script_of`)."""


@overload
def _bands(raw: Mapping[str, Any]) -> Thresholds: ...
@overload
def _bands(raw: None) -> None: ...
def _bands(raw: Mapping[str, Any] | None) -> Thresholds | None:
    if raw is None:
        return None
    # "never": no score reaches it (a name of that shape alone never blocks).
    block = NEVER_BLOCKS if raw["block"] == "never" else float(raw["block"])
    return Thresholds(block, float(raw["review"]))


@cache
def bundled_snapshot() -> ListSnapshot:
    try:
        data = data_file("lists", "snapshot.json.gz").read_bytes()
    except FileNotFoundError:
        raise ReferenceDataError("the bundled list snapshot is missing") from None
    return load_snapshot_bytes(data)


@dataclass(frozen=True)
class LoadedLists:
    """The list data a run uses; ``snapshot`` is None when none could be loaded."""

    snapshot: ListSnapshot | None
    origin: str
    problem: str | None = None


def lists_covered(snapshot: ListSnapshot) -> frozenset[ListCode]:
    """The list codes a snapshot holds entries of."""
    return frozenset(
        ListCode(code) for feed in snapshot.feeds for code, n in feed.report.by_source.items() if n
    )


def load_lists(
    paths: Sequence[Path] | None,
    countries: CountryBook,
    installed: Callable[[], ListSnapshot | None] | None = None,
) -> LoadedLists:
    """Lists given on the command line replace everything for this run; otherwise the
    version installed with ``lists update`` when there is one, else the bundled snapshot."""
    if paths:
        feeds = read_list_paths(paths, countries)
        if not feeds:
            return LoadedLists(None, "arguments", "no list files in the given paths")
        return LoadedLists(snapshot_of(feeds), "arguments")
    if installed is not None:
        snapshot = installed()
        if snapshot is not None:
            return LoadedLists(snapshot, "installed")
    try:
        return LoadedLists(bundled_snapshot(), "bundled")
    except (ReferenceDataError, InputError, OSError, ValueError) as error:
        return LoadedLists(None, "bundled", f"bundled lists unusable: {error}")


REMEMBERED_PARTIES = 200_000
"""Parties a deal screener remembers (a portfolio's or a service's working set)."""


class DealScreener:
    """Screens every party of a deal, remembering each (name, country) it has seen."""

    def __init__(
        self,
        screener: Screener | None,
        thresholds: Thresholds,
        problem: str | None = None,
        covered: frozenset[ListCode] | None = None,
        entries: Callable[[], Sequence[ListEntry]] | None = None,
        by_script: Mapping[str, Thresholds] | None = None,
    ) -> None:
        self.screener = screener
        self.thresholds = thresholds
        self.by_script = dict(by_script or {})
        """Bands for party names written in a script with bands of its own."""
        self.problem = problem or "no list data"
        self.covered = covered
        self._entries = entries
        self._by_key: dict[str, ListEntry] | None = None
        self._seen: dict[tuple[str, str], tuple[ListMatch, ...]] = {}
        self._screened = 0

    @property
    def screened(self) -> int:
        """How many (name, country) parties have been screened (each once while it is
        remembered)."""
        return self._screened

    @property
    def lists_version(self) -> str:
        return self.screener.lists_version if self.screener else f"unavailable: {self.problem}"

    def entry(self, key: str) -> ListEntry | None:
        """The list entry ``key`` (``SOURCE:number``) as the lists in use hold it."""
        if self._by_key is None:
            self._by_key = {e.key: e for e in (self._entries() if self._entries else ())}
        return self._by_key.get(key)

    def bands(self, name: str) -> Thresholds:
        """The bands a party named ``name`` (with its country) is judged by."""
        if self.by_script:
            script = script_of(name)
            if script is not None and script in self.by_script:
                return self.by_script[script]
        return self.thresholds

    def matches(self, name: str, country: str) -> tuple[ListMatch, ...]:
        assert self.screener is not None
        key = (name, country)
        found = self._seen.get(key)
        if found is None:
            # Only matches that can change a determination (review band and up).
            found = self.screener.screen(
                ScreeningQuery(name, country), min_score=self.bands(name).review
            )
            seen = self._seen
            if len(seen) >= REMEMBERED_PARTIES:  # a long-lived service forgets its oldest half
                for old in list(islice(seen, len(seen) // 2)):
                    seen.pop(old, None)
            seen[key] = found
            self._screened += 1
        return found

    def screen(self, deal: Deal) -> ScreeningResult:
        if self.screener is None:
            return ScreeningResult.unavailable(self.thresholds, len(deal.parties), self.problem)
        return ScreeningResult(
            available=True,
            thresholds=self.thresholds,
            lists_version=self.screener.lists_version,
            matcher=getattr(self.screener, "version_id", self.screener.matcher_id),
            parties=tuple(self._party(party.name, party.country) for party in deal.parties),
            covered=self.covered,
            by_script=tuple(sorted(self.by_script.items())),
        )

    def _party(self, name: str, country: str) -> PartyScreening:
        bands = self.bands(name)
        own = bands if bands is not self.thresholds else None
        return PartyScreening(self.matches(name, country), thresholds=own)

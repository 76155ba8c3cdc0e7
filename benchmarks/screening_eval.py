"""Restricted-party screening, evaluated side by side in one run.

    python benchmarks/screening_eval.py [--data ../shared/data] [--systems all]

Systems: ``aiexports`` (the bundled matcher), ``token_sort`` (rapidfuzz
``token_sort_ratio`` over every listed name) and nomenklatura's ``logic-v2`` and ``ofac``
algorithms rescoring the same candidates (needs the ``bench`` extra). Reports recall at the
thresholds where 1% and 0.1% of clean names alert, recall per perturbation class,
candidate-set recall, hard-negative alert rates, throughput on 2 cores, peak memory and
index build time. Reads the evaluation fixtures from ``../shared/data`` (not bundled).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aiexports.core.screening.algorithms import ALGORITHMS
from aiexports.core.screening.matcher import NameMatcher
from aiexports.core.screening.port import ScreeningQuery
from aiexports.services.screening import bundled_snapshot
from aiexports.sources.reference import countries, name_rules
from eval_queries import (
    CROSS_SCRIPT,
    PERTURBATIONS,
    Query,
    clean_names,
    cross_script_positives,
    first_names,
    hard_negatives,
    innocent_names,
    latin_only,
    perturbed_positives,
    script_of,
    un_positives,
)

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Scores:
    """Per query: the best score over all entries and the true entry's score."""

    best: dict[str, float]
    true: dict[str, float]
    in_candidates: dict[str, bool]
    seconds: float = 0.0


# --- aiexports ----------------------------------------------------------------------------

_MATCHER: NameMatcher | None = None


def _score_chunk(chunk: Sequence[Query]) -> list[tuple[str, float, float, bool]]:
    assert _MATCHER is not None
    out = []
    for q in chunk:
        scored = _MATCHER.score(ScreeningQuery(q.name, q.country, q.type, q.dob))
        best = scored[0].score if scored else 0.0
        true = max((s.score for s in scored if s.entry.key == q.true_key), default=0.0)
        found = any(s.entry.key == q.true_key for s in scored)
        out.append((q.id, best, true, found))
    return out


def run_aiexports(matcher: NameMatcher, queries: Sequence[Query], workers: int) -> Scores:
    global _MATCHER
    _MATCHER = matcher
    chunks = [queries[i : i + 500] for i in range(0, len(queries), 500)]
    started = time.perf_counter()
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = [row for part in pool.imap(_score_chunk, chunks) for row in part]
    else:
        results = [row for chunk in chunks for row in _score_chunk(chunk)]
    seconds = time.perf_counter() - started
    return Scores(
        {r[0]: r[1] for r in results},
        {r[0]: r[2] for r in results},
        {r[0]: r[3] for r in results},
        seconds,
    )


# --- rapidfuzz token_sort_ratio baseline ------------------------------------------------


def run_token_sort(entries: Sequence, queries: Sequence[Query], workers: int) -> Scores:  # type: ignore[type-arg]
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    names, owners = [], []
    for entry in entries:
        for name, _ in entry.screening_names():
            names.append(utils.default_process(name))
            owners.append(entry.key)
    owner_index: dict[str, list[int]] = defaultdict(list)
    for column, key in enumerate(owners):
        owner_index[key].append(column)
    best, true = {}, {}
    started = time.perf_counter()
    for start in range(0, len(queries), 2000):
        chunk = queries[start : start + 2000]
        matrix = process.cdist(
            [utils.default_process(q.name) for q in chunk],
            names,
            scorer=fuzz.token_sort_ratio,
            dtype=np.uint8,
            workers=workers,
        )
        maxima = matrix.max(axis=1)
        for row, q in enumerate(chunk):
            best[q.id] = float(maxima[row]) / 100
            columns = owner_index.get(q.true_key or "", [])
            true[q.id] = float(matrix[row, columns].max()) / 100 if columns else 0.0
    seconds = time.perf_counter() - started
    return Scores(best, true, {q.id: True for q in queries}, seconds)


# --- nomenklatura rescoring our candidates ----------------------------------------------


def run_nomenklatura(
    algorithm_name: str, matcher: NameMatcher, queries: Sequence[Query], candidates: int
) -> Scores:
    from followthemoney import model
    from nomenklatura.matching import ScoringConfig, get_algorithm

    algorithm = get_algorithm(algorithm_name)
    assert algorithm is not None
    config = ScoringConfig.defaults()
    cache: dict[int, object] = {}

    def listed(number: int) -> object:
        if number not in cache:
            entry = matcher.index.entries[number]
            schema = {
                "person": "Person",
                "vessel": "Vessel",
                "aircraft": "Airplane",
                "entity": "Organization",
            }.get(str(entry.type), "LegalEntity")
            proxy = model.make_entity(schema)
            proxy.id = f"e{number}"
            proxy.add("name", entry.name)
            proxy.add("alias", [a.name for a in entry.aliases])
            if schema == "Person":
                proxy.add("birthDate", list(entry.dates_of_birth))
                proxy.add("nationality", [c.lower() for c in entry.countries])
            elif schema != "Vessel":
                proxy.add("country", [c.lower() for c in entry.countries])
            cache[number] = proxy
        return cache[number]

    best, true, found = {}, {}, {}
    started = time.perf_counter()
    for q in queries:
        schema = "Person" if q.type == "person" else "LegalEntity"
        query = model.make_entity(schema)
        query.id = f"query-{q.id}"  # nomenklatura caches by entity id
        query.add("name", q.name)
        if q.dob and schema == "Person":
            query.add("birthDate", q.dob)
        if q.country:
            query.add("nationality" if schema == "Person" else "country", q.country.lower())
        form = matcher.index.form(q.name)
        entries: list[int] = []
        for name_id, _ in matcher.index.candidates(form, candidates * 3, matcher.cache):
            number = matcher.index.tables.entry_of[name_id]
            if number not in entries:
                entries.append(number)
            if len(entries) >= candidates:
                break
        scores = {}
        for number in entries:
            scores[matcher.index.entries[number].key] = algorithm.compare(
                query, listed(number), config
            ).score
        best[q.id] = max(scores.values(), default=0.0)
        true[q.id] = scores.get(q.true_key or "", 0.0)
        found[q.id] = (q.true_key or "") in scores
    return Scores(best, true, found, time.perf_counter() - started)


# --- metrics ----------------------------------------------------------------------------


def threshold_for(clean: Sequence[float], alert_rate: float) -> float:
    """The lowest threshold at which at most ``alert_rate`` of clean names alert."""
    ordered = sorted(clean, reverse=True)
    allowed = int(alert_rate * len(ordered))
    if allowed >= len(ordered):
        return 0.0
    return ordered[allowed] + 1e-9


def summarise(
    scores: Scores, queries: Sequence[Query], block: float | None = None
) -> dict[str, object]:
    """Recall at the clean-name alert rates, by class; innocent names blocked at the
    0.1% threshold (and at ``block``, the configured threshold, when given)."""
    clean = [scores.best[q.id] for q in queries if q.kind == "clean"]
    innocent = [scores.best[q.id] for q in queries if q.kind == "innocent"]
    positives = [q for q in queries if q.kind == "positive"]
    hard = [q for q in queries if q.kind == "hard_negative"]
    report: dict[str, object] = {
        "queries": len(queries),
        "seconds": round(scores.seconds, 2),
        "clean_names": len(clean),
    }
    for label, rate in (("1%", 0.01), ("0.1%", 0.001)):
        t = threshold_for(clean, rate)
        by_class: dict[str, list[bool]] = defaultdict(list)
        for q in positives:
            by_class[q.klass].append(scores.true[q.id] >= t)
        hard_perturbed = [ok for k, oks in by_class.items() if k in PERTURBATIONS for ok in oks]
        cross = {k: _share(v) for k, v in sorted(by_class.items()) if k in CROSS_SCRIPT}
        every = [ok for oks in by_class.values() for ok in oks]
        report[label] = {
            "threshold": round(t, 4),
            "recall_hard_perturbations": _share(hard_perturbed),
            "recall_all_positives": _share(every),
            "recall_by_class": {
                k: _share(v) for k, v in sorted(by_class.items()) if k not in CROSS_SCRIPT
            },
            "cross_script_recall (against Latin names only)": cross,
            "hard_negative_alert_rate": _share([scores.best[q.id] >= t for q in hard]),
            "innocent_names_alerting": sum(1 for v in innocent if v >= t),
        }
    report["by_script"] = _by_script(scores, queries)
    if block is not None:
        report["innocent_names"] = len(innocent)
        report["innocent_names_blocked_at_configured_block"] = sum(
            1 for v in innocent if v >= block
        )
    report["candidate_recall"] = _share([scores.in_candidates[q.id] for q in positives])
    return report


def _by_script(scores: Scores, queries: Sequence[Query]) -> dict[str, object]:
    """Per script (a query shape of its own): the clean names written in it, the share
    of them alerting at the thresholds of all clean names, the thresholds calibrated on
    them alone, and the cross-script recall at those."""
    clean = [q for q in queries if q.kind == "clean"]
    every = [scores.best[q.id] for q in clean]
    overall = {"1%": threshold_for(every, 0.01), "0.1%": threshold_for(every, 0.001)}
    out: dict[str, object] = {}
    for script in CROSS_SCRIPT:
        own = [scores.best[q.id] for q in clean if script_of(q.name) == script]
        positives = [scores.true[q.id] for q in queries if q.klass == script]
        if not own:
            continue
        shape: dict[str, object] = {"clean_names": len(own)}
        for label, rate in (("1%", 0.01), ("0.1%", 0.001)):
            own_threshold = threshold_for(own, rate)
            shape[label] = {
                "clean_alerting_at_overall_threshold": _share([v >= overall[label] for v in own]),
                "own_threshold": round(own_threshold, 4),
                "cross_script_recall_at_own_threshold": _share(
                    [v >= own_threshold for v in positives]
                ),
            }
        out[script] = shape
    return out


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _configured_blocks() -> dict[str, float]:
    from aiexports.services.screening import screening_config_raw

    return {
        name: float(bands["block"]) for name, bands in screening_config_raw()["thresholds"].items()
    }


def peak_memory_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--systems",
        default="aiexports,token_sort,logic-v2,ofac",
        help="aiexports (every registered algorithm) or algorithm names, and baselines",
    )
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument(
        "--clean-limit", type=int, default=None, help="clean names per fixture file (default: all)"
    )
    parser.add_argument(
        "--nk-clean",
        type=int,
        default=1500,
        help="clean names per fixture for the nomenklatura comparison",
    )
    parser.add_argument("--nk-candidates", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--qualifiers",
        choices=["all", "country", "none"],
        default="all",
        help="what queries carry besides the name: country, type and date of birth (all), "
        "the country only, or nothing",
    )
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--innocent", type=int, default=2000, help="generic innocent names")
    args = parser.parse_args(argv)
    systems = set(args.systems.split(","))
    try:
        import numpy  # noqa: F401  (rapidfuzz's cdist hands back numpy arrays)
    except ImportError:
        if "token_sort" in systems:
            print("token_sort needs numpy (pip install -e '.[bench]'); skipped", file=sys.stderr)
            systems.discard("token_sort")

    started = time.perf_counter()
    snapshot = bundled_snapshot()
    entries = snapshot.entries
    load_seconds = time.perf_counter() - started
    rules = name_rules()
    matchers: dict[str, NameMatcher] = {}
    build: dict[str, float] = {}
    for name, algorithm in ALGORITHMS.items():
        if name in systems or "aiexports" in systems:
            started = time.perf_counter()
            matchers[name] = NameMatcher(entries, snapshot.version, rules, algorithm=algorithm)
            build[name] = round(time.perf_counter() - started, 2)
    matcher = next(iter(matchers.values()))
    memory_with_index = peak_memory_mb()
    book = countries()

    clean = clean_names(args.data, book, args.clean_limit)
    positives = un_positives(args.data, entries, book) + perturbed_positives(
        entries, args.per_class, args.seed, with_qualifiers=True
    )
    hard = hard_negatives(entries, first_names(args.data), 500, args.seed)
    innocent = innocent_names(entries, args.innocent, args.seed)
    cross = cross_script_positives(entries)
    queries = clean + positives + hard + innocent
    if args.qualifiers == "none":
        queries = [Query(q.id, q.name, q.kind, q.klass, q.true_key) for q in queries]
    elif args.qualifiers == "country":
        queries = [
            Query(q.id, q.name, q.kind, q.klass, q.true_key, country=q.country) for q in queries
        ]
    everything = [*queries, *cross]
    report: dict[str, object] = {
        "lists": snapshot.version,
        "entries": len(entries),
        "listed_names": matcher.index.size,
        "snapshot_load_seconds": round(load_seconds, 2),
        "index_build_seconds": build,
        "peak_memory_mb_with_index (lists, indexes, fixtures loaded)": memory_with_index,
        "qualifiers": args.qualifiers,
        "seed": args.seed,
        "query_counts": {
            k: sum(1 for q in everything if q.klass == k)
            for k in sorted({q.klass for q in everything})
        },
        "systems": {},
    }
    results: dict[str, dict[str, object]] = {}
    configured = _configured_blocks()
    latin = latin_only(entries)
    for name, each in matchers.items():
        scores = run_aiexports(each, queries, args.workers)
        # Names in other scripts, against an index of the Latin names only.
        script_matcher = NameMatcher(latin, snapshot.version, rules, algorithm=each.algorithm)
        cross_scores = run_aiexports(script_matcher, cross, args.workers)
        merged = Scores(
            {**scores.best, **cross_scores.best},
            {**scores.true, **cross_scores.true},
            {**scores.in_candidates, **cross_scores.in_candidates},
            scores.seconds,
        )
        summary = summarise(merged, everything, configured.get(name))
        summary["queries_per_second"] = round(len(queries) / scores.seconds, 1)
        summary["workers"] = args.workers
        summary["configuration"] = each.version_id
        results[name] = summary
    if "token_sort" in systems:
        scores = run_token_sort(entries, queries, args.workers)
        summary = summarise(scores, queries)
        summary["queries_per_second"] = round(len(queries) / scores.seconds, 1)
        results["token_sort_ratio"] = summary
    nk = [s for s in ("logic-v2", "ofac") if s in systems]
    if nk:
        subset = [q for q in queries if q.kind != "clean"] + [
            q for q in queries if q.kind == "clean" and int(q.id.rsplit(":", 1)[1]) < args.nk_clean
        ]
        same = run_aiexports(matcher, subset, 1)
        results["aiexports (nomenklatura subset)"] = summarise(same, subset)
        for name in nk:
            scores = run_nomenklatura(name, matcher, subset, args.nk_candidates)
            summary = summarise(scores, subset)
            summary["queries_per_second"] = round(len(subset) / scores.seconds, 1)
            results[f"nomenklatura {name} (our top {args.nk_candidates} candidates)"] = summary
    report["systems"] = results
    report["peak_memory_mb (whole run, baselines included)"] = peak_memory_mb()
    report["cpu_count"] = os.cpu_count()
    text = json.dumps(report, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

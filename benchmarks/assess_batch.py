"""Determinations per second: the batch path next to a naive baseline and Cedar, in one run.

    python benchmarks/assess_batch.py [--deals 100000] [--naive 2000] [--no-cedar]

Generates varied deals (every component kind, country group, party type, end use and both
policy windows; some parties on the lists), then times

* the batch path: packs, reference data and the list index loaded once, each party screened
  once (timed on its own), every deal decided on one core (`Assessor.decide`) into a full
  explained determination;
* the same batch path on a four-rule slice of the pack, next to Cedar (cedarpy, the `bench`
  extra) deciding the same slice ported to Cedar (`cedar_slice.py`) in batch, with the
  outcomes of both compared deal by deal;
* the naive baseline: one deal at a time through the public `assess` function, re-reading
  the policy pack from disk for every deal (on the first ``--naive`` deals);
* `aiexports impact` over all the deals as a JSON-lines file (a subprocess, start-up and
  list index included).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aiexports.core.deal import Deal
from aiexports.core.policy.engine import assess
from aiexports.core.records import validation_context
from aiexports.runtime import Runtime
from aiexports.services.deals import SourcedDeal
from aiexports.sources.reference import data_file, pack_from_file
from deal_generator import deals

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-impact", action="store_true")
    parser.add_argument("--no-cedar", action="store_true", help="without the Cedar comparison")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    assessor = Runtime.from_environment().assessor()
    setup = time.perf_counter() - started
    context = validation_context(assessor.reference.countries)
    raw = list(deals(args.deals, assessor.reference.menu, args.seed))

    started = time.perf_counter()
    validated = [Deal.model_validate(d, context=context) for d in raw]
    validation = time.perf_counter() - started

    sourced = [SourcedDeal(deal, None, deal.id or "") for deal in validated]
    started = time.perf_counter()
    screenings = [assessor.screener.screen(deal) for deal in validated]
    screening = time.perf_counter() - started

    started = time.perf_counter()
    outcomes: dict[str, int] = {}
    for result in assessor.decide_many(sourced):
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    batch = time.perf_counter() - started
    cedar = {} if args.no_cedar else _cedar_side_by_side(assessor, validated, screenings)

    packs = assessor.shelf.packs.values()
    pack_files = {p.id: data_file("policies", f"{p.id}.yaml") for p in packs}
    started = time.perf_counter()
    for deal in validated[: args.naive]:
        chosen = assessor.shelf.in_force(deal.date).id
        with tempfile.TemporaryDirectory() as folder:  # the pack is read from disk each call
            path = Path(folder) / "pack.yaml"
            path.write_text(pack_files[chosen].read_text(encoding="utf-8"))
            pack = pack_from_file(path)
        assess(deal, pack, assessor.reference, assessor.screener.screen(deal))
    naive = time.perf_counter() - started
    naive_count = min(args.naive, len(validated))

    report: dict[str, object] = {
        "deals": len(validated),
        "outcomes": outcomes,
        "setup_seconds (reference data, packs, list index)": round(setup, 2),
        "validation_per_second": round(len(validated) / validation),
        "screening_parties_per_second (first sight of each party)": round(
            assessor.screener.screened / screening
        ),
        "batch_determinations_per_second (one core, parties pre-screened)": round(
            len(validated) / batch
        ),
        **cedar,
        "naive_determinations_per_second": round(naive_count / naive),
        "batch_over_naive": round((len(validated) / batch) / (naive_count / naive), 1),
        "unique_parties_screened": assessor.screener.screened,
    }
    if not args.skip_impact:
        with tempfile.TemporaryDirectory() as folder:
            portfolio = Path(folder) / "deals.jsonl"
            portfolio.write_text("".join(json.dumps(d) + "\n" for d in raw))
            started = time.perf_counter()
            done = subprocess.run(
                [
                    str(Path(sys.executable).parent / "aiexports"),
                    "impact",
                    "--policy",
                    "us-baseline",
                    "--against",
                    "ai-diffusion-2025",
                    str(portfolio),
                    "--format",
                    "json",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            report["impact_seconds (JSONL, CLI process, 2 packs)"] = round(
                time.perf_counter() - started, 1
            )
            impact = json.loads(done.stdout)
            report["impact_outcome_changes"] = {
                k: impact[k] for k in ("deals", "outcome_changed", "stricter", "less_strict")
            }
    print(json.dumps(report, indent=2))
    return 0


def _cedar_side_by_side(
    assessor: Any, validated: list[Deal], screenings: list[Any]
) -> dict[str, object]:
    import cedarpy

    from cedar_slice import POLICIES, SLICE_RULES, outcome, request

    pack = assessor.shelf.named("us-baseline")
    policy = assessor.compiled(pack.model_copy(update={"rules": SLICE_RULES}))
    deals_ = [d for d in validated if pack.in_force(d.date)]
    started = time.perf_counter()
    ours = [
        policy.assess(deal, screening).outcome
        for deal, screening in zip(validated, screenings, strict=True)
        if pack.in_force(deal.date)
    ]
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    requests = [request(deal, policy) for deal in deals_]
    built = time.perf_counter() - started
    theirs: list[str] = []
    started = time.perf_counter()
    for at in range(0, len(requests), 1000):
        for answer in cedarpy.is_authorized_batch(requests[at : at + 1000], POLICIES, []):
            theirs.append(outcome(list(answer.diagnostics.reasons)))
    evaluated = time.perf_counter() - started
    disagree = sum(1 for a, b in zip(ours, theirs, strict=True) if str(a) != b)
    cedar_rate = len(deals_) / (built + evaluated)
    ours_rate = len(deals_) / ours_seconds
    return {
        "slice": list(SLICE_RULES),
        "slice_deals": len(deals_),
        "aiexports_slice_determinations_per_second": round(ours_rate),
        "cedar_slice_decisions_per_second (requests built + evaluated)": round(cedar_rate),
        "cedar_slice_decisions_per_second (evaluation only)": round(len(deals_) / evaluated),
        "aiexports_over_cedar": round(ours_rate / cedar_rate, 2),
        "slice_outcomes_disagreeing": disagree,
    }


if __name__ == "__main__":
    raise SystemExit(main())

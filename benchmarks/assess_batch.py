"""Determinations per second: the batch path next to a naive baseline, in one run.

    python benchmarks/assess_batch.py [--deals 100000] [--naive 2000]

Generates varied deals (every component kind, country group, party type, end use and both
policy windows; some parties on the lists), then times

* the batch path: packs, reference data and the list index loaded once, each party screened
  once, every deal decided on one core (`Assessor.decide`);
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
    outcomes: dict[str, int] = {}
    for result in assessor.decide_many(sourced):
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    batch = time.perf_counter() - started

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
        "batch_determinations_per_second (one core)": round(len(validated) / batch),
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


if __name__ == "__main__":
    raise SystemExit(main())

"""The optimal bundle on large menus: the MILP (HiGHS) beside a brute-force search where
one is possible, and alone on a 200-package menu (the goal: under a second).

    python benchmarks/recommend.py [--packages 200] [--repeats 5] [--seed 7]

Menus are random: each package brings a random set of layers, a price, compute, a fit
and the must-haves it meets; the partner allows overlap of some layers, as a partner
buying several packages would. Prints the median solve time of each size and, up to 18
packages, the brute-force time and the ratio."""

from __future__ import annotations

import argparse
import random
import statistics
import time

from aiexports.core.bundle import Bundle, BundleProblem, Candidate, brute_force, solve
from aiexports.services.recommendation import silence_solver_banner

LAYERS = ("hardware", "data", "models", "security", "applications")
NEEDS = ("byok", "swahili", "air_gapped", "healthcare", "disconnected")


def problem(n: int, rng: random.Random) -> BundleProblem:
    candidates = tuple(
        Candidate(
            id=f"p{i:03d}",
            fit=round(rng.uniform(20, 95), 2),
            price=float(rng.randrange(5, 500)) * 1e6,
            compute=float(rng.randrange(0, 5000)),
            layers=frozenset(rng.sample(LAYERS, rng.randint(1, 5))),
            meets=frozenset(rng.sample(NEEDS, rng.randint(0, 2))),
        )
        for i in range(n)
    )
    return BundleProblem(
        candidates=candidates,
        budget=float(rng.randrange(200, 3000)) * 1e6,
        compute_need=float(rng.choice([0, 1000, 4000])),
        must_have=tuple(rng.sample(NEEDS, 2)),
        exclusive_layers=frozenset({"models", "applications"}),
        max_packages=rng.choice([None, 6]),
    )


def timed(call: object, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    silence_solver_banner()
    rng = random.Random(args.seed)
    print(f"{'packages':>8}  {'MILP s':>8}  {'brute s':>8}  {'ratio':>7}  bundle")
    for n in (12, 18, args.packages):
        p = problem(n, rng)
        found = solve(p)
        milp = timed(lambda p=p: solve(p), args.repeats)
        shown = ",".join(found.packages) if isinstance(found, Bundle) else "infeasible"
        if n <= 18:
            brute = timed(lambda p=p: brute_force(p), 1)
            best = brute_force(p)
            same = (best is None) == (not isinstance(found, Bundle)) and (
                best is None or abs(best - found.objective) < 1e-6  # type: ignore[union-attr]
            )
            print(
                f"{n:>8}  {milp:>8.4f}  {brute:>8.4f}  {brute / milp:>6.1f}x  {shown}"
                f"{'' if same else '  MISMATCH'}"
            )
        else:
            print(f"{n:>8}  {milp:>8.4f}  {'—':>8}  {'—':>7}  {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

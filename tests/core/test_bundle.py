"""The optimal bundle: the MILP's optimum equals a search of every subset, on random
menus of up to 18 packages; constraints are reported, infeasibility explained."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aiexports.core.bundle import Bundle, BundleProblem, Candidate, Infeasible, brute_force, solve

LAYERS = ("hardware", "data", "models", "security", "applications")
NEEDS = ("byok", "swahili", "air_gapped")


@st.composite
def problems(draw: st.DrawFn) -> BundleProblem:
    n = draw(st.integers(0, 18))
    candidates = tuple(
        Candidate(
            id=f"p{i}",
            fit=draw(st.integers(0, 100)) + draw(st.sampled_from([0.0, 0.25, 0.5])),
            price=float(draw(st.integers(1, 500)) * 1_000_000),
            compute=float(draw(st.integers(0, 4000))),
            layers=frozenset(draw(st.sets(st.sampled_from(LAYERS), min_size=1))),
            meets=frozenset(draw(st.sets(st.sampled_from(NEEDS)))),
        )
        for i in range(n)
    )
    return BundleProblem(
        candidates=candidates,
        budget=float(draw(st.integers(0, 2000)) * 1_000_000),
        compute_need=float(draw(st.sampled_from([0, 0, 500, 2000, 6000]))),
        must_have=tuple(draw(st.sets(st.sampled_from(NEEDS), max_size=2))),
        exclusive_layers=frozenset(draw(st.sets(st.sampled_from(LAYERS), max_size=3))),
        max_packages=draw(st.sampled_from([None, None, 1, 3])),
    )


@settings(max_examples=120, deadline=None)
@given(problems())
def test_the_solver_s_optimum_is_the_best_subset(problem: BundleProblem) -> None:
    best = brute_force(problem)
    found = solve(problem)
    if best is None:
        assert isinstance(found, Infeasible)
        return
    assert isinstance(found, Bundle)
    assert abs(found.objective - best) < 1e-6
    for constraint in found.constraints:
        if constraint.lower is not None:
            assert constraint.activity >= constraint.lower - 1e-6
        if constraint.upper is not None:
            assert constraint.activity <= constraint.upper * (1 + 1e-9) + 1e-6


def _candidate(pid: str, fit: float, price: float, **more: object) -> Candidate:
    fields: dict[str, object] = {"compute": 0.0, "layers": frozenset(LAYERS), **more}
    return Candidate(pid, fit, price, **fields)  # type: ignore[arg-type]


def test_the_binding_constraints_are_named() -> None:
    problem = BundleProblem(
        candidates=(
            _candidate("a", 60, 40e6, layers=frozenset({"models"})),
            _candidate("b", 50, 60e6, layers=frozenset({"hardware"})),
            _candidate("c", 70, 90e6, layers=frozenset({"models", "hardware"})),
        ),
        budget=100e6,
        exclusive_layers=frozenset({"models", "hardware"}),
    )
    found = solve(problem)
    assert isinstance(found, Bundle)
    assert found.packages == ("a", "b")  # 110 beats c's 70
    binding = {c.id for c in found.constraints if c.binding}
    assert binding == {"budget", "layer:hardware", "layer:models"}


def test_a_must_have_only_one_package_meets_puts_it_in_the_bundle() -> None:
    problem = BundleProblem(
        candidates=(
            _candidate("best", 90, 10e6),
            _candidate("only-byok", 20, 10e6, meets=frozenset({"byok"})),
        ),
        budget=15e6,
        must_have=("byok",),
    )
    found = solve(problem)
    assert isinstance(found, Bundle)
    assert found.packages == ("only-byok",)


def test_a_budget_no_bundle_fits_is_explained() -> None:
    problem = BundleProblem(
        candidates=(_candidate("a", 50, 40e6, meets=frozenset({"byok"})),),
        budget=10e6,
        must_have=("byok",),
    )
    found = solve(problem)
    assert isinstance(found, Infeasible)
    assert found.reasons == ("budget", "must_have:byok")


def test_next_best_bundles_exclude_the_ones_found() -> None:
    problem = BundleProblem(
        candidates=(_candidate("a", 3, 1), _candidate("b", 2, 1), _candidate("c", 1, 1)),
        budget=1,
    )
    first = solve(problem)
    assert isinstance(first, Bundle)
    second = solve(problem, [frozenset(first.packages)])
    assert isinstance(second, Bundle)
    assert (first.packages, second.packages) == (("a",), ("b",))

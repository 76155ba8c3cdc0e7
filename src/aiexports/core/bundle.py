"""The optimal bundle of packages for a partner, solved exactly as a 0–1 MILP (HiGHS).

Maximise the summed fit of the chosen packages subject to: their summed price within the
budget; their summed compute at least the need; each must-have met by at least one chosen
package; each layer not open to overlap brought by at most one chosen package; at most
``max_packages`` packages. Every constraint is reported with its activity and whether it
binds; an infeasible problem says which constraint groups, relaxed alone, would admit a
bundle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import highspy
import numpy as np

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Candidate:
    id: str
    fit: float
    price: float
    compute: float
    layers: frozenset[str]
    meets: frozenset[str] = frozenset()
    """Ids of the must-haves the package meets."""


@dataclass(frozen=True)
class BundleProblem:
    candidates: tuple[Candidate, ...]
    budget: float
    compute_need: float = 0.0
    must_have: tuple[str, ...] = ()
    exclusive_layers: frozenset[str] = frozenset()
    max_packages: int | None = None


@dataclass(frozen=True)
class Constraint:
    id: str
    description: str
    activity: float
    lower: float | None
    upper: float | None

    @property
    def binding(self) -> bool:
        return any(
            bound is not None and abs(self.activity - bound) <= TOLERANCE * max(1.0, abs(bound))
            for bound in (self.lower, self.upper)
        )

    def contract(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "description": self.description,
            "activity": round(self.activity, 4),
            "lower": self.lower,
            "upper": self.upper,
            "binding": self.binding,
        }


@dataclass(frozen=True)
class Bundle:
    packages: tuple[str, ...]
    objective: float
    price: float
    compute: float
    constraints: tuple[Constraint, ...] = field(default_factory=tuple)

    def contract(self) -> dict[str, Any]:
        return {
            "packages": list(self.packages),
            "objective": round(self.objective, 4),
            "price_usd": round(self.price, 2),
            "compute_h100e": round(self.compute, 1),
            "constraints": [c.contract() for c in self.constraints],
            "binding": [c.id for c in self.constraints if c.binding],
        }


@dataclass(frozen=True)
class Infeasible:
    reasons: tuple[str, ...]
    """Constraint groups each of which, relaxed alone, would admit a bundle."""
    note: str = ""

    def contract(self) -> dict[str, Any]:
        note = self.note or (
            "relaxing any one of these would admit a bundle"
            if self.reasons
            else "no one constraint, relaxed alone, would admit a bundle"
        )
        return {"feasible": False, "relax_any_of": list(self.reasons), "note": note}


def _rows(problem: BundleProblem) -> list[tuple[str, str, list[float], float | None, float | None]]:
    """Every constraint as (id, description, coefficients, lower, upper)."""
    c = problem.candidates
    rows: list[tuple[str, str, list[float], float | None, float | None]] = [
        (
            "budget",
            f"price within the budget of {problem.budget:,.0f} USD",
            [x.price for x in c],
            None,
            problem.budget,
        ),
    ]
    if problem.compute_need > 0:
        rows.append(
            (
                "compute",
                f"at least {problem.compute_need:,.1f} H100-equivalents",
                [x.compute for x in c],
                problem.compute_need,
                None,
            )
        )
    for need in problem.must_have:
        rows.append(
            (
                f"must_have:{need}",
                f"must-have {need} met by a chosen package",
                [1.0 if need in x.meets else 0.0 for x in c],
                1.0,
                None,
            )
        )
    for layer in sorted(problem.exclusive_layers):
        coefficients = [1.0 if layer in x.layers else 0.0 for x in c]
        if sum(coefficients) > 1:
            rows.append(
                (
                    f"layer:{layer}",
                    f"the {layer} layer brought by one package at most",
                    coefficients,
                    None,
                    1.0,
                )
            )
    if problem.max_packages is not None:
        rows.append(
            (
                "max_packages",
                f"at most {problem.max_packages} packages",
                [1.0] * len(c),
                None,
                float(problem.max_packages),
            )
        )
    return rows


def solve(problem: BundleProblem, excluded: Sequence[frozenset[str]] = ()) -> Bundle | Infeasible:
    """The bundle of greatest total fit (ties: the solver's first), other than the
    ``excluded`` bundles."""
    found = _solve(problem, excluded)
    if found is not None:
        return found
    return Infeasible(tuple(_relaxations(problem, excluded)))


def _solve(problem: BundleProblem, excluded: Sequence[frozenset[str]]) -> Bundle | None:
    candidates = problem.candidates
    n = len(candidates)
    rows = _rows(problem)
    if n == 0:
        feasible = all(
            (low is None or low <= 0) and (up is None or up >= 0) for *_, low, up in rows
        )
        return Bundle((), 0.0, 0.0, 0.0, _report(rows, [])) if feasible else None
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    inf = highspy.kHighsInf
    index = np.arange(n, dtype=np.int32)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsIntegrality(n, index, np.array([highspy.HighsVarType.kInteger] * n))
    h.changeColsCost(n, index, np.array([x.fit for x in candidates], dtype=np.float64))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    for _, _, coefficients, low, up in rows:
        nz = [i for i, v in enumerate(coefficients) if v != 0]
        h.addRow(
            -inf if low is None else low,
            inf if up is None else up,
            len(nz),
            np.array(nz, dtype=np.int32),
            np.array([coefficients[i] for i in nz], dtype=np.float64),
        )
    ids = [x.id for x in candidates]
    for bundle in excluded:
        # No-good cut: not exactly this set again.
        inside = [i for i, x in enumerate(ids) if x in bundle]
        coefficients = [1.0 if x in bundle else -1.0 for x in ids]
        h.addRow(-inf, len(inside) - 1, n, index, np.array(coefficients, dtype=np.float64))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = h.getSolution().col_value
    chosen = [i for i in range(n) if values[i] > 0.5]
    return Bundle(
        tuple(candidates[i].id for i in chosen),
        sum(candidates[i].fit for i in chosen),
        sum(candidates[i].price for i in chosen),
        sum(candidates[i].compute for i in chosen),
        _report(rows, chosen),
    )


def _report(
    rows: Iterable[tuple[str, str, list[float], float | None, float | None]], chosen: list[int]
) -> tuple[Constraint, ...]:
    return tuple(
        Constraint(row_id, text, sum(coefficients[i] for i in chosen), low, up)
        for row_id, text, coefficients, low, up in rows
    )


def _relaxations(problem: BundleProblem, excluded: Sequence[frozenset[str]]) -> list[str]:
    """The constraint groups that, each relaxed alone, make the problem feasible."""
    groups: list[tuple[str, BundleProblem]] = [
        ("budget", _with(problem, budget=float("inf"))),
        ("compute", _with(problem, compute_need=0.0)),
        *[
            (
                f"must_have:{need}",
                _with(problem, must_have=tuple(m for m in problem.must_have if m != need)),
            )
            for need in problem.must_have
        ],
        ("layers", _with(problem, exclusive_layers=frozenset())),
        ("max_packages", _with(problem, max_packages=None)),
    ]
    return [name for name, relaxed in groups if relaxed != problem and _solve(relaxed, excluded)]


def _with(problem: BundleProblem, **changes: Any) -> BundleProblem:
    return replace(problem, **changes)


def brute_force(problem: BundleProblem) -> float | None:
    """The greatest total fit over every subset (None when none is feasible): the check
    the solver is tested against, for menus of up to about 20 packages."""
    n = len(problem.candidates)
    masks = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.float64)
    feasible = np.ones(2**n, dtype=bool)
    for _, _, coefficients, low, up in _rows(problem):
        activity = masks @ np.array(coefficients, dtype=np.float64)
        if low is not None:
            feasible &= activity >= low - TOLERANCE
        if up is not None:
            feasible &= activity <= up + TOLERANCE * max(1.0, abs(up))
    if not feasible.any():
        return None
    totals = masks @ np.array([x.fit for x in problem.candidates], dtype=np.float64)
    return float(totals[feasible].max())

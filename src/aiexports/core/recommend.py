"""Package recommendations for a partner: every package on the menu classified against the
partner's requirements and the determination its deal would get, fitted criterion by
criterion, ranked, and the optimal bundle (:mod:`aiexports.core.bundle`).

The core is pure: the determinations are the caller's (the engine decides, for each
package, the partner's deal under it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from aiexports.core.bundle import Bundle, BundleProblem, Candidate, Infeasible, solve
from aiexports.core.catalog import LAYER_NAMES, LanguageCode, Package
from aiexports.core.records import (
    Count,
    CountryCode,
    Day,
    Identifier,
    NonEmptyStr,
    Number,
    Record,
    SetOf,
)
from aiexports.core.sovereignty import (
    Condition,
    SovereigntyFramework,
    SovereigntyScore,
    score,
)
from aiexports.core.vocabulary import EndUse, PartyType

SIX = (
    "data_control",
    "compute_control",
    "model_control",
    "deployment_control",
    "assurances",
    "continuity",
)
Level = Annotated[int, Field(ge=0, le=4, strict=True)]
LayerName = Literal["hardware", "data", "models", "security", "applications"]


class Need(Condition):
    """A must-have or nice-to-have: a condition on a package's facts, with an id."""

    id: Identifier
    description: str | None = None


class Buyer(Record):
    name: Annotated[NonEmptyStr, Field(max_length=500)]
    type: PartyType
    headquarters: CountryCode | None = None


class FitWeights(Record):
    """How much each criterion counts (they add up to 100)."""

    sectors: Number = Field(default=30, ge=0)
    sovereignty: Number = Field(default=25, ge=0)
    languages: Number = Field(default=15, ge=0)
    compute: Number = Field(default=10, ge=0)
    timeline: Number = Field(default=10, ge=0)
    nice_to_have: Number = Field(default=10, ge=0)

    @model_validator(mode="after")
    def _hundred(self) -> FitWeights:
        if abs(sum(self.model_dump().values()) - 100) > 1e-9:
            raise ValueError("the weights add up to 100")
        return self


class PartnerRequirements(Record):
    """A partner government's requirements, in the terms packages are described in."""

    partner: Annotated[NonEmptyStr, Field(max_length=300)]
    country: CountryCode = Field(description="Where the packages would be delivered and used")
    date: Day = Field(description="The menu and the policy in force on this date")
    buyer: Buyer
    end_uses: Annotated[SetOf[EndUse], Field(min_length=1)]
    sectors: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1, max_length=50)]
    languages: Annotated[tuple[LanguageCode, ...], Field(max_length=50)] = ()
    budget_usd: Annotated[Number, Field(ge=0, le=1e13)]
    compute_h100e: Annotated[Number, Field(ge=0, le=1e9)] = 0
    timeline_months: Annotated[Count, Field(ge=1, le=240)]
    sovereignty: dict[str, Level] = Field(
        default_factory=dict,
        description="The least level (0–4) of each of the sovereign AI six a package gives",
    )
    min_seal: Level = Field(default=0, description="The least SEAL level a package has")
    must_have: Annotated[tuple[Need, ...], Field(max_length=50)] = Field(
        default=(), description="Each met by at least one package of the bundle"
    )
    nice_to_have: Annotated[tuple[Need, ...], Field(max_length=50)] = ()
    allow_overlap: tuple[LayerName, ...] = Field(
        default=(), description="Layers two packages of the bundle may both bring"
    )
    max_packages: Annotated[int, Field(ge=1, le=100, strict=True)] | None = None
    weights: FitWeights = Field(default_factory=FitWeights)

    @model_validator(mode="after")
    def _known_dimensions(self) -> PartnerRequirements:
        unknown = sorted(set(self.sovereignty) - set(SIX))
        if unknown:
            raise ValueError(f"unknown sovereignty dimensions {unknown} (known: {list(SIX)})")
        ids = [n.id for n in (*self.must_have, *self.nice_to_have)]
        if len(set(ids)) != len(ids):
            raise ValueError("must-have and nice-to-have ids are unique")
        return self


# --- facts of a package -----------------------------------------------------------------


def _sector(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def package_facts(package: Package) -> dict[str, Any]:
    """What a need can test: the assurance attributes and the offer's facts."""
    facts: dict[str, Any] = {
        "package": package.id,
        "tier": package.tier,
        "sectors": tuple(_sector(s) for s in package.sectors),
        "layers": tuple(n for n in LAYER_NAMES if getattr(package.layers, n).components),
        "compute_h100e": package.compute_h100e(),
    }
    if package.offer is not None:
        facts["languages"] = package.offer.languages
        facts["price_usd"] = package.offer.indicative_price_usd
        facts["lead_time_months"] = package.offer.lead_time_months
    if package.assurances is not None:
        facts.update(package.assurances.facts())
    return facts


# --- results ----------------------------------------------------------------------------

Eligibility = Literal["eligible", "eligible_with_conditions", "not_eligible"]


@dataclass(frozen=True)
class DealOutcome:
    """The determination of the partner's deal under one package, as the engine gave it."""

    outcome: str
    review_policy: str | None
    decision_id: str
    rules: tuple[str, ...]
    conditions: tuple[str, ...]
    path_to_approval: Mapping[str, Any] | None = None
    """For a deal prohibited or licensed: the smallest changes that make it less strict."""

    def contract(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "review_policy": self.review_policy,
            "decision_id": self.decision_id,
            "rules": list(self.rules),
            "conditions": list(self.conditions),
            "path_to_approval": dict(self.path_to_approval) if self.path_to_approval else None,
        }


@dataclass(frozen=True)
class CriterionFit:
    criterion: str
    weight: float
    value: float
    """0–1: how well the package meets the criterion."""
    reason: str

    @property
    def contribution(self) -> float:
        return round(self.weight * self.value, 2)

    def contract(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "weight": self.weight,
            "value": round(self.value, 4),
            "contribution": self.contribution,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class PackageFit:
    package: str
    title: str
    eligibility: Eligibility
    reasons: tuple[str, ...]
    determination: DealOutcome
    seal: SovereigntyScore | None
    six: SovereigntyScore | None
    fit: tuple[CriterionFit, ...]
    meets: tuple[str, ...]
    price_usd: float | None
    compute_h100e: float
    languages: tuple[str, ...]
    sectors: tuple[str, ...]
    layers: tuple[str, ...]
    rank: int | None = None

    @property
    def total(self) -> float:
        return round(sum(c.contribution for c in self.fit), 2)

    def contract(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "title": self.title,
            "rank": self.rank,
            "eligibility": self.eligibility,
            "reasons": list(self.reasons),
            "determination": self.determination.contract(),
            "obligations": list(self.determination.conditions),
            "seal": self.seal.contract() if self.seal else None,
            "sovereign_ai_six": self.six.contract() if self.six else None,
            "fit": [c.contract() for c in self.fit],
            "fit_total": self.total,
            "meets": list(self.meets),
            "price_usd": self.price_usd,
            "compute_h100e": self.compute_h100e,
        }


@dataclass(frozen=True)
class Recommendation:
    partner: str
    country: str
    date: str
    menu_version: str
    packages: tuple[PackageFit, ...]
    bundle: Bundle | Infeasible
    alternatives: tuple[Bundle, ...]
    comparison: tuple[dict[str, Any], ...]

    def contract(self) -> dict[str, Any]:
        bundle = (
            {"feasible": True, **self.bundle.contract()}
            if isinstance(self.bundle, Bundle)
            else self.bundle.contract()
        )
        return {
            "partner": self.partner,
            "country": self.country,
            "date": self.date,
            "menu_version": self.menu_version,
            "packages": [p.contract() for p in self.packages],
            "bundle": bundle,
            "alternatives": [b.contract() for b in self.alternatives],
            "comparison": list(self.comparison),
        }


# --- the use ----------------------------------------------------------------------------


def recommend(
    requirements: PartnerRequirements,
    packages: Sequence[Package],
    outcomes: Mapping[str, DealOutcome],
    seal: SovereigntyFramework,
    six: SovereigntyFramework,
    menu_version: str,
    alternatives: int = 2,
) -> Recommendation:
    """Classify, fit and rank every package, then choose the bundle."""
    fits = [_fit(requirements, p, outcomes[p.id], seal, six) for p in packages]
    eligible = sorted(
        (f for f in fits if f.eligibility != "not_eligible"), key=lambda f: (-f.total, f.package)
    )
    ranks = {f.package: index + 1 for index, f in enumerate(eligible)}
    ranked = tuple(
        sorted(
            (_ranked(f, ranks.get(f.package)) for f in fits),
            key=lambda f: (f.rank is None, f.rank or 0, f.package),
        )
    )
    problem = BundleProblem(
        candidates=tuple(
            Candidate(
                f.package,
                f.total,
                f.price_usd or 0.0,
                f.compute_h100e,
                frozenset(f.layers),
                frozenset(f.meets),
            )
            for f in eligible
        ),
        budget=requirements.budget_usd,
        compute_need=requirements.compute_h100e,
        must_have=tuple(n.id for n in requirements.must_have),
        exclusive_layers=frozenset(LAYER_NAMES) - set(requirements.allow_overlap),
        max_packages=requirements.max_packages,
    )
    bundle = solve(problem)
    if isinstance(bundle, Infeasible) and not eligible:
        bundle = Infeasible(bundle.reasons, "no package on the menu is eligible for this partner")
    others: list[Bundle] = []
    if isinstance(bundle, Bundle):
        seen = [frozenset(bundle.packages)]
        for _ in range(alternatives):
            found = solve(problem, seen)
            if not isinstance(found, Bundle) or not found.packages:
                break
            others.append(found)
            seen.append(frozenset(found.packages))
    chosen = [bundle] if isinstance(bundle, Bundle) else []
    comparison = tuple(
        _side_by_side(b, {f.package: f for f in ranked}, requirements) for b in chosen + others
    )
    return Recommendation(
        requirements.partner,
        requirements.country,
        requirements.date.isoformat(),
        menu_version,
        ranked,
        bundle,
        tuple(others),
        comparison,
    )


def _ranked(fit: PackageFit, rank: int | None) -> PackageFit:
    return replace(fit, rank=rank)


def _fit(
    requirements: PartnerRequirements,
    package: Package,
    outcome: DealOutcome,
    seal_framework: SovereigntyFramework,
    six_framework: SovereigntyFramework,
) -> PackageFit:
    facts = package_facts(package)
    reasons: list[str] = []
    conditional: list[str] = []
    if outcome.outcome == "prohibited":
        reasons.append(f"the deal would be prohibited ({', '.join(outcome.rules)})")
    elif outcome.review_policy == "presumption_of_denial":
        reasons.append(
            "the license would be reviewed with a presumption of denial "
            f"({', '.join(outcome.rules)}): not recommended"
        )
    elif outcome.outcome != "no_license_required":
        conditional.append(
            f"the deal is {outcome.outcome.replace('_', ' ')}"
            + (f" ({', '.join(outcome.rules)})" if outcome.rules else "")
            + (
                f", reviewed with a {outcome.review_policy.replace('_', ' ')}"
                if outcome.review_policy
                else ""
            )
        )
    seal = six = None
    if package.assurances is None:
        if requirements.min_seal or any(requirements.sovereignty.values()):
            reasons.append("the package attests no sovereignty assurances")
    else:
        seal = score(seal_framework, package.assurances)
        six = score(six_framework, package.assurances)
        if seal.level < requirements.min_seal:
            weakest = ", ".join(r.id for r in seal.ladders if r.level == seal.level)
            reasons.append(
                f"SEAL-{seal.level} is below the SEAL-{requirements.min_seal} asked "
                f"(set by {weakest})"
            )
        for dimension, least in sorted(requirements.sovereignty.items()):
            got = six.level_of(dimension)
            if got < least:
                reasons.append(f"{dimension} is {got}, below the {least} asked")
    if package.offer is None:
        reasons.append("the package states no offer (price, languages, lead time)")
    eligibility: Eligibility = (
        "not_eligible" if reasons else "eligible_with_conditions" if conditional else "eligible"
    )
    meets = tuple(n.id for n in requirements.must_have if n.holds(facts))
    return PackageFit(
        package=package.id,
        title=package.title,
        eligibility=eligibility,
        reasons=tuple(reasons + conditional),
        determination=outcome,
        seal=seal,
        six=six,
        fit=_criteria(requirements, facts, six),
        meets=meets,
        price_usd=package.offer.indicative_price_usd if package.offer else None,
        compute_h100e=package.compute_h100e(),
        languages=tuple(facts.get("languages", ())),
        sectors=tuple(facts["sectors"]),
        layers=tuple(facts["layers"]),
    )


def _criteria(
    requirements: PartnerRequirements, facts: Mapping[str, Any], six: SovereigntyScore | None
) -> tuple[CriterionFit, ...]:
    w = requirements.weights
    asked = [_sector(s) for s in requirements.sectors]
    offered = set(facts["sectors"])
    covered = [s for s in asked if s in offered]
    sectors = CriterionFit(
        "sectors",
        w.sectors,
        len(covered) / len(asked),
        f"serves {len(covered)} of {len(asked)} sectors asked"
        + (f" ({', '.join(covered)})" if covered else ""),
    )
    if six is None:
        sovereignty = CriterionFit("sovereignty", w.sovereignty, 0.0, "no assurances attested")
    else:
        levels = {r.id: r.level for r in six.ladders}
        sovereignty = CriterionFit(
            "sovereignty",
            w.sovereignty,
            sum(levels.values()) / (4 * len(levels)),
            "levels " + ", ".join(f"{k} {v}" for k, v in levels.items()) + " of 4",
        )
    spoken = set(facts.get("languages", ()))
    wanted = list(requirements.languages)
    met = [code for code in wanted if code in spoken]
    languages = CriterionFit(
        "languages",
        w.languages,
        len(met) / len(wanted) if wanted else 1.0,
        f"{len(met)} of {len(wanted)} languages asked ({', '.join(met) or 'none'})"
        if wanted
        else "no languages asked",
    )
    need = requirements.compute_h100e
    compute_value = min(1.0, facts["compute_h100e"] / need) if need > 0 else 1.0
    compute = CriterionFit(
        "compute",
        w.compute,
        compute_value,
        f"{facts['compute_h100e']:,.1f} of the {need:,.1f} H100-equivalents needed"
        if need > 0
        else "no compute need stated",
    )
    lead = facts.get("lead_time_months")
    limit = requirements.timeline_months
    timeline = CriterionFit(
        "timeline",
        w.timeline,
        0.0 if lead is None else 1.0 if lead <= limit else limit / lead,
        "no lead time stated"
        if lead is None
        else f"delivered in {lead} months, within the {limit} asked"
        if lead <= limit
        else f"delivered in {lead} months, past the {limit} asked",
    )
    nice = requirements.nice_to_have
    had = [n.id for n in nice if n.holds(facts)]
    extras = CriterionFit(
        "nice_to_have",
        w.nice_to_have,
        len(had) / len(nice) if nice else 1.0,
        f"{len(had)} of {len(nice)} ({', '.join(had) or 'none'})" if nice else "none asked",
    )
    return (sectors, sovereignty, languages, compute, timeline, extras)


def _side_by_side(
    bundle: Bundle, fits: Mapping[str, PackageFit], requirements: PartnerRequirements
) -> dict[str, Any]:
    chosen = [fits[p] for p in bundle.packages]
    seals = [f.seal.level for f in chosen if f.seal is not None]
    spoken = {code for f in chosen for code in f.languages}
    served = {s for f in chosen for s in f.sectors}
    return {
        "packages": list(bundle.packages),
        "fit_total": round(bundle.objective, 2),
        "price_usd": round(bundle.price, 2),
        "budget_left_usd": round(requirements.budget_usd - bundle.price, 2),
        "compute_h100e": round(bundle.compute, 1),
        "weakest_seal": min(seals) if seals else None,
        "must_haves_met": sorted({m for f in chosen for m in f.meets}),
        "sectors_served": [s for s in map(_sector, requirements.sectors) if s in served],
        "languages_served": [code for code in requirements.languages if code in spoken],
        "eligibility": sorted({f.eligibility for f in chosen}),
    }

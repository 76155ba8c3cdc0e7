"""The determination rules, registered by stable id.

Each rule is a small pure function of the deal's facts and the pack's parameters at the
deal's date. Its docstring is the explanation users are shown; its citations come from the
pack. A rule yields :class:`Hit` values; the engine turns them into findings and
conditions in the order of the pack's rule list.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from aiexports.core.components import HardwareComponent
from aiexports.core.policy.facts import (
    DealFacts,
    DealItem,
    PartyFacts,
)
from aiexports.core.policy.pack import ParameterValues, Verdict
from aiexports.core.screening.results import ListMatch
from aiexports.core.vocabulary import ListCode, Outcome, ReviewPolicy
from aiexports.errors import InputError, Issue, ReferenceDataError


@dataclass(frozen=True, slots=True)
class Attach:
    """A condition a rule attaches, with the values its text is filled with."""

    id: str
    values: Mapping[str, str] = field(default_factory=dict)
    key: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        flat = (self.id, *(part for pair in sorted(self.values.items()) for part in pair))
        object.__setattr__(self, "key", flat)


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule found. ``outcome`` None means it only attaches conditions."""

    outcome: Outcome | None
    message: str = ""
    review_policy: ReviewPolicy | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    conditions: tuple[Attach, ...] = ()
    citation_values: Mapping[str, str] = field(default_factory=dict)


RuleFunction = Callable[[DealFacts, ParameterValues], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    function: RuleFunction
    explanation: str
    conditions: tuple[str, ...]
    """Ids of the conditions this rule may attach (their texts must be in the pack)."""
    finding: bool
    """False for rules that only attach conditions (no finding)."""


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str, *, conditions: tuple[str, ...] = (), finding: bool = True
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule under a stable id; its docstring becomes its explanation."""

    def register(function: RuleFunction) -> RuleFunction:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        explanation = " ".join(inspect.cleandoc(function.__doc__ or "").split())
        RULES[rule_id] = Rule(rule_id, function, explanation, conditions, finding)
        return function

    return register


def verdict_hit(verdict: Verdict, message: str, evidence: Mapping[str, Any]) -> Hit:
    return Hit(
        verdict.outcome,
        message,
        verdict.review_policy,
        evidence,
        tuple(Attach(cid) for cid in verdict.conditions),
    )


# --- countries --------------------------------------------------------------------------


@rule("EMBARGO")
def embargo(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """The destination, or the country or headquarters of any party, is in a country group
    under embargo (E:1 terrorist-supporting countries, E:2 unilateral embargo). Exports
    there are prohibited."""
    found = [
        {"where": where, "country": code, "groups": groups}
        for where, code in facts.located
        if (groups := facts.groups_of(code, params.embargo_groups))
    ]
    if found:
        first = found[0]
        yield Hit(
            Outcome.PROHIBITED,
            f"{first['where']} {first['country']} is in Country Group "
            f"{'/'.join(first['groups'])} (embargo)",
            evidence={"countries": found},
        )


@rule("RUSSIA_BELARUS")
def russia_belarus(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """The destination, or the country or headquarters of any party, is Russia or
    Belarus: every item subject to the EAR needs a license, generally denied. Does not
    fire when the embargo rule already prohibits the deal."""
    if "EMBARGO" in facts.fired:
        return
    found = [
        {"where": where, "country": code}
        for where, code in facts.located
        if code in params.russia_belarus_countries
    ]
    if found:
        yield Hit(
            Outcome.LICENSE_REQUIRED,
            f"{found[0]['where']} is {found[0]['country']}: license required for all items "
            "subject to the EAR",
            ReviewPolicy.PRESUMPTION_OF_DENIAL,
            {"countries": found},
        )


# --- restricted parties -----------------------------------------------------------------


def _live(match: ListMatch, facts: DealFacts) -> bool:
    """An expired Denied Persons List order is no longer a match."""
    return not (
        match.source is ListCode.DPL and match.expires is not None and match.expires < facts.day
    )


def _blocking(
    facts: DealFacts, selects: Callable[[ListCode], bool]
) -> Iterator[tuple[PartyFacts, ListMatch]]:
    block = facts.screening.thresholds.block
    for party, screened in zip(facts.parties, facts.screening.parties, strict=True):
        for match in screened.matches:
            if match.score >= block and selects(match.source) and _live(match, facts):
                yield party, match


def _match_evidence(party: PartyFacts, match: ListMatch, band: str) -> dict[str, Any]:
    return {
        "party": party.party.name,
        "party_index": party.index,
        "role": str(party.party.role),
        "list": str(match.source),
        "list_name": match.list_name,
        "entity_number": match.entity_number,
        "listed_name": match.name,
        "matched_name": match.matched_name,
        "score": round(match.score, 4),
        "band": band,
        "programs": list(match.programs),
        "explanation": match.explanation,
    }


def _match_message(party: PartyFacts, match: ListMatch) -> str:
    return (
        f"Party {party.label} matches {match.source} entry {match.entity_number} "
        f"{match.name!r} (score {match.score:.2f})"
    )


@rule("RPS_PROHIBITED")
def rps_prohibited(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party matches, at or above the block threshold, an entry of a list whose
    parties no one may deal with (OFAC SDN: blocked property; BIS Denied Persons List:
    export privileges denied)."""
    for party, match in _blocking(facts, lambda code: code in params.prohibited_lists):
        yield Hit(
            Outcome.PROHIBITED,
            _match_message(party, match),
            evidence=_match_evidence(party, match, "block"),
        )


@rule("RPS_LICENSE")
def rps_license(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party matches, at or above the block threshold, an entry of the Entity List or
    the Military End-User List: a license is required, generally denied."""
    for party, match in _blocking(facts, lambda code: code in params.license_lists):
        yield Hit(
            Outcome.LICENSE_REQUIRED,
            _match_message(party, match),
            ReviewPolicy.PRESUMPTION_OF_DENIAL,
            _match_evidence(party, match, "block"),
        )


@rule("RPS_UVL", conditions=("UVL-STATEMENT",))
def rps_uvl(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party matches, at or above the block threshold, an entry of the Unverified List:
    no license is needed on that ground, but the party must provide a UVL statement
    before the export."""
    for party, match in _blocking(facts, lambda code: code in params.unverified_lists):
        yield Hit(
            Outcome.NO_LICENSE_REQUIRED,
            _match_message(party, match),
            evidence=_match_evidence(party, match, "block"),
            conditions=(Attach("UVL-STATEMENT", {"party": party.party.name}),),
        )


@rule("RPS_OTHER")
def rps_other(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party matches, at or above the block threshold, an entry of another screening
    list (nonproliferation, ITAR debarred, sectoral and other Treasury lists, UN Security
    Council): the deal needs review against that list's programme."""
    named = {*params.prohibited_lists, *params.license_lists, *params.unverified_lists}
    for party, match in _blocking(facts, lambda code: code not in named):
        yield Hit(
            Outcome.REVIEW_REQUIRED,
            _match_message(party, match),
            evidence=_match_evidence(party, match, "block"),
            citation_values={
                "list_name": match.list_name or str(match.source),
                "programs": "; ".join(match.programs),
            },
        )


@rule("RPS_REVIEW")
def rps_review(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party's single best match over all lists scores at or above the review threshold
    but below the block threshold: a possible match, a red flag to resolve before the
    export. A party with any block-level match gets no review finding."""
    thresholds = facts.screening.thresholds
    for party, screened in zip(facts.parties, facts.screening.parties, strict=True):
        live = [m for m in screened.matches if _live(m, facts)]
        if not live:
            continue
        best = max(live, key=lambda m: m.score)
        if thresholds.review <= best.score < thresholds.block:
            yield Hit(
                Outcome.REVIEW_REQUIRED,
                f"Possible match: {_match_message(party, best)}",
                evidence=_match_evidence(party, best, "review"),
            )


@rule("RPS_UNAVAILABLE")
def rps_unavailable(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """No restricted-party list data could be loaded, so the parties were not screened:
    the deal needs review. Never a silent pass."""
    if not facts.screening.available:
        yield Hit(
            Outcome.REVIEW_REQUIRED,
            f"Parties not screened: {facts.screening.lists_version}",
            evidence={"parties": [p.party.name for p in facts.parties]},
        )


# --- advanced computing and model weights -----------------------------------------------


def _concern_triggers(
    facts: DealFacts, params: ParameterValues, places: Sequence[tuple[str, str]]
) -> list[dict[str, str]]:
    test = params.advanced_computing_concern
    triggers = []
    for where, code in places:
        if code in test.countries:
            triggers.append({"where": where, "country": code, "basis": code})
        elif groups := facts.groups_of(code, test.groups):
            triggers.append({"where": where, "country": code, "basis": groups[0]})
    return triggers


def _party_at(facts: DealFacts, where: str) -> PartyFacts | None:
    """The party a location like ``parties[2].headquarters`` points at."""
    if not where.startswith("parties["):
        return None
    return facts.parties[int(where[len("parties[") : where.index("]")])]


def _party_named(facts: DealFacts, where: str) -> str | None:
    party = _party_at(facts, where)
    return party.party.name if party else None


def _describe_trigger(facts: DealFacts, trigger: Mapping[str, str]) -> str:
    basis = trigger["basis"]
    qualifier = f"(Country Group {basis})" if ":" in basis else f"({basis})"
    party = _party_at(facts, trigger["where"])
    if party is None:
        return f"destination {trigger['country']} {qualifier}"
    return (
        f"{party.party.role} {party.party.name!r} headquartered in {trigger['country']} {qualifier}"
    )


def _item_evidence(item: DealItem) -> dict[str, Any]:
    return {
        "component": item.component.id,
        "eccn": item.component.eccn,
        "kind": str(item.component.kind),
    }


@rule("D5_ADVANCED_COMPUTING")
def d5_advanced_computing(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """An advanced computing item (3A090, 4A090 or a listed .z item) or controlled model
    weights, where the destination or any party's headquarters is in Country Group D:5 or
    Macau: a license is required, presumption of denial. From 15 January 2026, hardware
    below the pack's TPP limit going only to China or Macau (destination and every
    headquarters) is reviewed case by case instead. One finding per qualifying component."""
    places = [("destination", facts.destination), *facts.headquarters]
    triggers = _concern_triggers(facts, params, places)
    if not triggers:
        return
    clause = params.d5_hardware_case_by_case
    only_clause_countries = clause is not None and all(
        code in clause.countries for _, code in places
    )
    for item in facts.items:
        computing = item in facts.inventory.computing
        if not computing and item not in facts.inventory.weights:
            continue
        component = item.component
        policy = ReviewPolicy.PRESUMPTION_OF_DENIAL
        if (
            clause is not None
            and only_clause_countries
            and isinstance(component, HardwareComponent)
            and component.tpp is not None
            and component.tpp < clause.tpp_below
        ):
            policy = ReviewPolicy.CASE_BY_CASE
        what = "Advanced computing item" if computing else "Controlled model weights"
        first = triggers[0]
        evidence = {
            **_item_evidence(item),
            "party": _party_named(facts, first["where"]),
            "country_group": first["basis"],
            "triggers": triggers,
        }
        yield Hit(
            Outcome.LICENSE_REQUIRED,
            f"{what} {component.eccn} ({component.id}) for {_describe_trigger(facts, first)}",
            policy,
            evidence,
        )


@rule("ADVANCED_COMPUTING_D1_D4")
def advanced_computing_d1_d4(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """An advanced computing item to a destination in Country Group D:1 or D:4 that is in
    neither A:5 nor A:6: a license is required, reviewed case by case. Does not fire when
    the D:5 rule already applies."""
    if "D5_ADVANCED_COMPUTING" in facts.fired:
        return
    groups = facts.groups_of(facts.destination, params.d1_d4_groups)
    if not groups or facts.groups_of(facts.destination, params.d1_d4_exempt_groups):
        return
    items = facts.inventory.computing
    if items:
        yield Hit(
            Outcome.LICENSE_REQUIRED,
            f"Advanced computing item {items[0].component.eccn} to {facts.destination} "
            f"(Country Group {'/'.join(groups)}, not A:5 or A:6)",
            ReviewPolicy.CASE_BY_CASE,
            {
                "destination": facts.destination,
                "country_groups": groups,
                "components": [item.component.id for item in items],
            },
        )


# --- end uses and end users -------------------------------------------------------------


@rule("MILITARY_END_USE")
def military_end_use(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A military or military-intelligence end user or end use, to a destination listed
    in 15 CFR 744.21 (Belarus, Burma, Cambodia, China, Nicaragua, Russia, Venezuela): a
    license is required, presumption of denial."""
    if not facts.countries.effective(facts.destination).military_end_use_744_21:
        return
    users = [p.party.name for p in facts.parties if p.party.type in params.military_party_types]
    uses = sorted(str(u) for u in facts.end_uses if u in params.military_end_uses)
    if users or uses:
        reason = f"end user {users[0]!r}" if users else f"end use {uses[0]}"
        yield Hit(
            Outcome.LICENSE_REQUIRED,
            f"Military end use/user ({reason}) in {facts.destination}, a 744.21 destination",
            ReviewPolicy.PRESUMPTION_OF_DENIAL,
            {"destination": facts.destination, "parties": users, "end_uses": uses},
        )


@rule("WMD_END_USE")
def wmd_end_use(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """The deal is for a weapons-of-mass-destruction end use (nuclear, chemical or
    biological weapons, missiles): prohibited."""
    uses = sorted(str(u) for u in facts.end_uses if u in params.wmd_end_uses)
    if uses:
        yield Hit(
            Outcome.PROHIBITED, f"End use {uses[0]} is prohibited", evidence={"end_uses": uses}
        )


@rule("FRONTIER_TRAINING_D5")
def frontier_training_d5(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """Chips or cloud capacity to train frontier AI models for a party headquartered in
    Country Group D:5 or Macau: a license is required, presumption of denial."""
    if not any(use in params.frontier_training_end_uses for use in facts.end_uses):
        return
    compute = [
        i.component.id for i in facts.items if i.component.kind in params.frontier_component_kinds
    ]
    if not compute:
        return
    triggers = _concern_triggers(facts, params, facts.headquarters)
    if triggers:
        yield Hit(
            Outcome.LICENSE_REQUIRED,
            f"Frontier model training with {compute[0]} for "
            f"{_describe_trigger(facts, triggers[0])}",
            ReviewPolicy.PRESUMPTION_OF_DENIAL,
            {"components": compute, "triggers": triggers},
        )


@rule("SURVEILLANCE_SAFEGUARD", conditions=("HRDD",))
def surveillance_safeguard(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A surveillance-capable component (facial recognition, biometric identification,
    mass monitoring, interception, location tracking, social-media monitoring, predictive
    policing) for a government, security or state-owned end user or a security end use.
    By the destination's human-rights risk tier: high is prohibited; elevated needs review
    and human-rights due diligence; low proceeds with due diligence. One finding per
    surveillance-capable component."""
    if not facts.inventory.surveillance:
        return
    users = [p.party.name for p in facts.parties if p.party.type in params.surveillance_party_types]
    uses = sorted(str(u) for u in facts.end_uses if u in params.surveillance_end_uses)
    if not users and not uses:
        return
    tier = facts.countries.effective(facts.destination).risk_tier
    verdict = params.surveillance_by_risk_tier[tier]
    for item in facts.inventory.surveillance:
        capabilities = item.component.capabilities
        yield verdict_hit(
            verdict,
            f"Surveillance-capable {item.component.id} ({', '.join(capabilities)}) for "
            f"{'government or security end users' if users else 'a security end use'} in "
            f"{facts.destination}, human-rights risk tier {tier}",
            {
                **_item_evidence(item),
                "capabilities": [str(c) for c in capabilities],
                "parties": users,
                "end_uses": uses,
                "risk_tier": str(tier),
            },
        )


# --- AI Diffusion (90 FR 4544) ----------------------------------------------------------


@rule("DIFFUSION_CHIPS_TIER2", conditions=("LPP-NOTICE",))
def diffusion_chips_tier2(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """Advanced computing hardware to a Tier 2 destination under the Framework for AI
    Diffusion: within the low-processing-performance allowance (total TPP of the deal's
    advanced computing hardware) License Exception LPP applies with notice to BIS; above
    it a license is required, presumption of approval."""
    if facts.countries.effective(facts.destination).ai_diffusion_tier != 2:
        return
    chips = [
        item
        for item in facts.items
        if isinstance(item.component, HardwareComponent) and item in facts.inventory.computing
    ]
    if not chips:
        return
    limit, over = params.lpp_max_total_tpp, params.lpp_over_limit
    if limit is None or over is None:
        raise ReferenceDataError("DIFFUSION_CHIPS_TIER2 needs lpp_max_total_tpp and lpp_over_limit")
    issues = []
    total = 0.0
    for item in chips:
        component = item.component
        assert isinstance(component, HardwareComponent)
        if component.tpp is None:
            issues.append(
                Issue(
                    "tpp is required to count the deal against License Exception LPP",
                    field=f"{item.origin}.tpp"
                    if item.origin != "package"
                    else f"package.{component.id}.tpp",
                )
            )
        if item.units is None:
            issues.append(
                Issue(
                    "units (or a quantities entry) is required to count the deal "
                    "against License Exception LPP",
                    field=f"{item.origin}.units"
                    if item.origin != "package"
                    else f"quantities.{component.id}",
                )
            )
        if component.tpp is not None and item.units is not None:
            total += component.tpp * item.units
    if issues:
        raise InputError(issues)
    evidence = {
        "destination": facts.destination,
        "tier": 2,
        "total_tpp": total,
        "lpp_limit": limit,
        "components": [item.component.id for item in chips],
    }
    if total <= limit:
        yield Hit(
            Outcome.NO_LICENSE_REQUIRED,
            f"Total TPP {total:,.0f} to Tier 2 destination {facts.destination} is within "
            f"License Exception LPP ({limit:,.0f})",
            evidence=evidence,
            conditions=(Attach("LPP-NOTICE", {"total_tpp": f"{total:,.0f}"}),),
        )
    else:
        yield verdict_hit(
            over,
            f"Total TPP {total:,.0f} to Tier 2 destination {facts.destination} exceeds "
            f"License Exception LPP ({limit:,.0f})",
            evidence,
        )


@rule("DIFFUSION_WEIGHTS", conditions=("AIA-SECURITY",))
def diffusion_weights(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """Controlled model weights (ECCN 4E091) under the Framework for AI Diffusion: to a
    Tier 1 destination License Exception AIA applies with its security requirements; to
    Tier 2 or Tier 3 a license is required, presumption of denial."""
    weights = facts.inventory.weights
    if not weights:
        return
    tier = facts.countries.effective(facts.destination).ai_diffusion_tier
    verdict = params.diffusion_weights_by_tier.get(tier)
    if verdict is None:
        raise ReferenceDataError(f"DIFFUSION_WEIGHTS has no verdict for Tier {tier}")
    yield verdict_hit(
        verdict,
        f"Controlled model weights {weights[0].component.id} to Tier {tier} destination "
        f"{facts.destination}",
        {
            "destination": facts.destination,
            "tier": tier,
            "components": [item.component.id for item in weights],
        },
    )


# --- program conditions -----------------------------------------------------------------


@rule(
    "PROGRAM_CONDITIONS",
    conditions=(
        "SEC-KYC",
        "SEC-ACCESS",
        "SEC-WEIGHTS",
        "GOV-RMF",
        "MON-REPORT",
        "MON-PSV",
        "REEXPORT",
    ),
    finding=False,
)
def program_conditions(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """The program's standard terms: know-your-customer checks, access blocking, weight
    security when a model is hosted or its weights transferred, a NIST AI RMF assessment
    for models and applications, end-use reporting (quarterly for low-risk destinations,
    monthly otherwise), post-shipment verification for 1,000 or more accelerators, and no
    re-export without authorization."""
    attach = [_KYC, _ACCESS]
    if any(access in params.weights_condition_access for access in facts.inventory.model_access):
        attach.append(_WEIGHTS)
    if any(kind in params.rmf_condition_kinds for kind in facts.inventory.kinds):
        attach.append(_RMF)
    tier = facts.countries.effective(facts.destination).risk_tier
    attach.append(_report(params.report_frequency[tier]))
    accelerators = facts.inventory.accelerators
    if accelerators >= params.psv_min_accelerators:
        attach.append(Attach("MON-PSV", {"accelerators": f"{accelerators:,}"}))
    attach.append(_REEXPORT)
    yield Hit(None, conditions=tuple(attach))


_KYC, _ACCESS, _WEIGHTS, _RMF, _REEXPORT = (
    Attach(c) for c in ("SEC-KYC", "SEC-ACCESS", "SEC-WEIGHTS", "GOV-RMF", "REEXPORT")
)


@lru_cache(maxsize=16)
def _report(frequency: str) -> Attach:
    return Attach("MON-REPORT", {"frequency": frequency})

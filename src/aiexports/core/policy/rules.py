"""The determination rules, registered by stable id.

Each rule is a small pure function of the deal's facts and the pack's parameters at the
deal's date. Its docstring is the explanation users are shown; its citations come from the
pack. A rule yields :class:`Hit` values; the engine turns them into findings and
conditions in the order of the pack's rule list.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from string import Formatter
from types import MappingProxyType
from typing import Any

from aiexports.core.components import HardwareComponent
from aiexports.core.policy.facts import (
    DealFacts,
    DealItem,
    PartyFacts,
    concern_triggers,
)
from aiexports.core.policy.pack import (
    PARAMETERS,
    CaseByCaseClause,
    CountryTest,
    ParameterValues,
    Verdict,
)
from aiexports.core.screening.results import ListMatch
from aiexports.core.vocabulary import ListCode, Outcome, ReviewPolicy
from aiexports.errors import InputError, Issue, ReferenceDataError


@dataclass(frozen=True, slots=True)
class Attach:
    """A condition a rule attaches, with the values its text is filled with."""

    id: str
    values: Mapping[str, str] = field(default_factory=dict)

    def key(self) -> tuple[str, ...]:
        """The condition and its values, flat (only rendering needs it)."""
        return (self.id, *(part for pair in sorted(self.values.items()) for part in pair))


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
    """A rule: a pure function of the facts and parameters, with a stable id.

    ``explanation`` is the function's docstring; its ``{parameter}`` placeholders are
    filled from the parameters in force (:meth:`explain`), so the text never disagrees
    with the pack."""

    id: str
    function: RuleFunction
    explanation: str
    reads: tuple[str, ...]
    """The parameters the rule reads."""
    conditions: Mapping[str, tuple[str, ...]]
    """Ids of the conditions this rule may attach, with the placeholder values it fills
    in (their texts must be in the pack)."""
    finding: bool
    """False for rules that only attach conditions (no finding)."""

    def __call__(self, facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
        return self.function(facts, params)

    def explain(self, params: ParameterValues) -> str:
        """The explanation with the values of the parameters in force on a date."""
        values = {name: describe_value(getattr(params, name)) for name in self.reads}
        return self.explanation.format_map(values)

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(placeholders(self.explanation))


def placeholders(template: str) -> list[str]:
    """The ``{name}`` placeholders of a text (a text whose braces do not
    parse gets one that names the problem)."""
    try:
        return [name for _, name, _, _ in Formatter().parse(template) if name is not None]
    except ValueError:
        return ["<unbalanced braces>"]


def describe_value(value: object) -> str:
    """A parameter value as an explanation shows it."""
    if isinstance(value, bool) or value is None:
        return "none" if value is None else str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value < 1e15 else f"{value:.0e}"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "; ".join(f"{describe_value(k)}: {describe_value(v)}" for k, v in value.items())
    if isinstance(value, tuple | list):
        return ", ".join(describe_value(v) for v in value) or "none"
    if isinstance(value, Verdict):
        return str(value.outcome) + (f" ({value.review_policy})" if value.review_policy else "")
    if isinstance(value, CountryTest):
        return ", ".join([*value.groups, *value.countries])
    if isinstance(value, CaseByCaseClause):
        return f"{', '.join(value.countries)} below TPP {value.tpp_below:,.0f}"
    return str(value)


def rule(
    rule_id: str,
    *,
    reads: tuple[str, ...] = (),
    conditions: Mapping[str, tuple[str, ...]] | None = None,
    finding: bool = True,
) -> Callable[[RuleFunction], Rule]:
    """Make a rule with a stable id; its docstring becomes its explanation."""

    def make(function: RuleFunction) -> Rule:
        explanation = " ".join(inspect.cleandoc(function.__doc__ or "").split())
        made = Rule(rule_id, function, explanation, reads, dict(conditions or {}), finding)
        unknown = set(reads) - PARAMETER_NAMES
        undeclared = set(made.placeholders) - set(reads)
        if unknown or undeclared:
            raise ValueError(
                f"rule {rule_id}: unknown or undeclared parameters {unknown | undeclared}"
            )
        return made

    return make


PARAMETER_NAMES = frozenset(spec.name for spec in PARAMETERS)


def verdict_hit(verdict: Verdict, message: str, evidence: Mapping[str, Any]) -> Hit:
    return Hit(
        verdict.outcome,
        message,
        verdict.review_policy,
        evidence,
        tuple(Attach(cid) for cid in verdict.conditions),
    )


# --- countries --------------------------------------------------------------------------


@rule("EMBARGO", reads=("embargo_groups",))
def embargo(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """The destination, or the country or headquarters of any party, is in a country group
    under embargo ({embargo_groups}: E:1 is terrorist-supporting countries, E:2 unilateral
    embargo). Exports there are prohibited."""
    found = list(facts.where.embargoed)
    if found:
        first = found[0]
        yield Hit(
            Outcome.PROHIBITED,
            f"{first['where']} {first['country']} is in Country Group "
            f"{'/'.join(first['groups'])} (embargo)",
            evidence={"countries": found},
        )


@rule("RUSSIA_BELARUS", reads=("russia_belarus_countries", "embargo_groups"))
def russia_belarus(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """The destination, or the country or headquarters of any party, is in
    {russia_belarus_countries}: every item subject to the EAR needs a license, generally
    denied. Does not apply when a place of the deal is under embargo ({embargo_groups}),
    which prohibits it."""
    if facts.where.embargoed:
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


def _blocking(
    facts: DealFacts, selects: Callable[[ListCode], bool]
) -> list[tuple[PartyFacts, ListMatch]]:
    return [(party, match) for party, match in facts.blocking if selects(match.source)]


def _match_evidence(
    facts: DealFacts, party: PartyFacts, match: ListMatch, band: str
) -> dict[str, Any]:
    evidence: dict[str, Any] = {
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
    use = facts.screening.parties[party.index].adjudication_of(match)
    if use is not None:
        evidence["adjudication"] = use.contract()
        if band == "block" and match.score < facts.screening.bands(party.index).block:
            evidence["band"] = "confirmed"  # blocking because an adjudication confirmed it
    return evidence


def _match_message(party: PartyFacts, match: ListMatch, facts: DealFacts) -> str:
    message = (
        f"Party {party.label} matches {match.source} entry {match.entity_number} "
        f"{match.name!r} (score {match.score:.2f})"
    )
    use = facts.screening.parties[party.index].adjudication_of(match)
    if use is not None:
        message += f"; the match {use.explanation()}"
    return message


@rule("RPS_PROHIBITED", reads=("prohibited_lists",))
def rps_prohibited(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party matches, at or above the block threshold or as confirmed by an
    adjudication, an entry of a list whose parties no one may deal with
    ({prohibited_lists}; OFAC SDN: blocked property; BIS Denied Persons List: export
    privileges denied)."""
    for party, match in _blocking(facts, lambda code: code in params.prohibited_lists):
        yield Hit(
            Outcome.PROHIBITED,
            _match_message(party, match, facts),
            evidence=_match_evidence(facts, party, match, "block"),
        )


@rule("RPS_LICENSE", reads=("license_lists",))
def rps_license(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party matches, at or above the block threshold or as confirmed by an
    adjudication, an entry of a list whose parties need a license ({license_lists}: the
    Entity List, the Military End-User List): a license is required, generally denied."""
    for party, match in _blocking(facts, lambda code: code in params.license_lists):
        yield Hit(
            Outcome.LICENSE_REQUIRED,
            _match_message(party, match, facts),
            ReviewPolicy.PRESUMPTION_OF_DENIAL,
            _match_evidence(facts, party, match, "block"),
        )


@rule("RPS_UVL", reads=("unverified_lists",), conditions={"UVL-STATEMENT": ("party",)})
def rps_uvl(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party matches, at or above the block threshold or as confirmed by an
    adjudication, an entry of the Unverified List
    ({unverified_lists}): no license is needed on that ground, but the party must provide
    a UVL statement before the export."""
    for party, match in _blocking(facts, lambda code: code in params.unverified_lists):
        yield Hit(
            Outcome.NO_LICENSE_REQUIRED,
            _match_message(party, match, facts),
            evidence=_match_evidence(facts, party, match, "block"),
            conditions=(Attach("UVL-STATEMENT", {"party": party.party.name}),),
        )


@rule("RPS_OTHER", reads=("prohibited_lists", "license_lists", "unverified_lists"))
def rps_other(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party matches, at or above the block threshold or as confirmed by an
    adjudication, an entry of a screening list other than {prohibited_lists},
    {license_lists} and {unverified_lists} (nonproliferation, ITAR debarred, sectoral and
    other Treasury lists, UN Security Council): the deal needs review against that
    list's programme."""
    named = {*params.prohibited_lists, *params.license_lists, *params.unverified_lists}
    for party, match in _blocking(facts, lambda code: code not in named):
        yield Hit(
            Outcome.REVIEW_REQUIRED,
            _match_message(party, match, facts),
            evidence=_match_evidence(facts, party, match, "block"),
            citation_values={
                "list_name": match.list_name or str(match.source),
                "programs": "; ".join(match.programs),
            },
        )


@rule("RPS_REVIEW")
def rps_review(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A party's single best match over all lists scores at or above the review threshold
    but below the block threshold: a possible match, a red flag to resolve before the
    export. A party with any block-level or confirmed match gets no review finding."""
    for party, screened in zip(facts.parties, facts.screening.parties, strict=True):
        live = [m for m in screened.matches if m.in_effect(facts.day)]
        if not live or any(screened.confirmed(m) for m in live):
            continue
        best = max(live, key=lambda m: m.score)
        thresholds = facts.screening.bands(party.index)
        if thresholds.review <= best.score < thresholds.block:
            yield Hit(
                Outcome.REVIEW_REQUIRED,
                f"Possible match: {_match_message(party, best, facts)}",
                evidence=_match_evidence(facts, party, best, "review"),
            )


@rule("RPS_UNAVAILABLE", reads=("prohibited_lists", "license_lists", "unverified_lists"))
def rps_unavailable(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """No restricted-party list data could be loaded, or the data lacks a list the other
    screening rules name ({prohibited_lists}, {license_lists}, {unverified_lists}), so the
    parties were not screened against it: the deal needs review. Never a silent pass."""
    screening = facts.screening
    if not screening.available:
        yield Hit(
            Outcome.REVIEW_REQUIRED,
            f"Parties not screened: {screening.lists_version}",
            evidence={"parties": [p.party.name for p in facts.parties]},
        )
        return
    if screening.covered is None:
        return
    needed = {*params.prohibited_lists, *params.license_lists, *params.unverified_lists}
    missing = sorted(str(code) for code in needed - screening.covered)
    if missing:
        yield Hit(
            Outcome.REVIEW_REQUIRED,
            f"Parties not screened against {', '.join(missing)}: the list data in use "
            f"({screening.lists_version}) holds no entries of them",
            evidence={"missing_lists": missing, "parties": [p.party.name for p in facts.parties]},
        )


# --- advanced computing and model weights -----------------------------------------------


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


@rule(
    "D5_ADVANCED_COMPUTING",
    reads=(
        "advanced_computing_prefixes",
        "advanced_computing_z_bases",
        "controlled_weights_eccns",
        "advanced_computing_concern",
        "d5_hardware_case_by_case",
    ),
)
def d5_advanced_computing(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """An advanced computing item ({advanced_computing_prefixes}, or a .z item of
    {advanced_computing_z_bases}) or controlled model weights ({controlled_weights_eccns}),
    where the destination or any party's headquarters is of concern
    ({advanced_computing_concern}): a license is required, presumption of denial. Hardware
    of the case-by-case clause ({d5_hardware_case_by_case}; from 15 January 2026), going
    only to its countries (destination and every headquarters), is reviewed case by case
    instead. One finding per qualifying component."""
    triggers = facts.where.concern
    if not triggers:
        return
    places = [("destination", facts.destination), *facts.headquarters]
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


@rule(
    "ADVANCED_COMPUTING_D1_D4",
    reads=("d1_d4_groups", "d1_d4_exempt_groups", "advanced_computing_concern"),
)
def advanced_computing_d1_d4(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """An advanced computing item to a destination in Country Group {d1_d4_groups} that is
    in none of {d1_d4_exempt_groups}: a license is required, reviewed case by case. Does not
    apply where the D:5 rule does (a place of concern: {advanced_computing_concern})."""
    if facts.advanced_computing_applies:
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


@rule("MILITARY_END_USE", reads=("military_party_types", "military_end_uses"))
def military_end_use(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A military or military-intelligence end user ({military_party_types}) or end use
    ({military_end_uses}), to a destination listed in 15 CFR 744.21 (Belarus, Burma,
    Cambodia, China, Nicaragua, Russia, Venezuela): a license is required, presumption of
    denial."""
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


@rule("WMD_END_USE", reads=("wmd_end_uses",))
def wmd_end_use(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """The deal is for a weapons-of-mass-destruction end use ({wmd_end_uses}:
    nuclear, chemical or biological weapons, missiles): prohibited."""
    uses = sorted(str(u) for u in facts.end_uses if u in params.wmd_end_uses)
    if uses:
        yield Hit(
            Outcome.PROHIBITED, f"End use {uses[0]} is prohibited", evidence={"end_uses": uses}
        )


@rule(
    "FRONTIER_TRAINING_D5",
    reads=(
        "frontier_training_end_uses",
        "frontier_component_kinds",
        "advanced_computing_concern",
    ),
)
def frontier_training_d5(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """Compute ({frontier_component_kinds}) for frontier model training
    ({frontier_training_end_uses}) for a party headquartered in a place of concern
    ({advanced_computing_concern}): a license is required, presumption of denial."""
    if not any(use in params.frontier_training_end_uses for use in facts.end_uses):
        return
    compute = [
        i.component.id for i in facts.items if i.component.kind in params.frontier_component_kinds
    ]
    if not compute:
        return
    triggers = concern_triggers(facts.countries, params, facts.headquarters)
    if triggers:
        yield Hit(
            Outcome.LICENSE_REQUIRED,
            f"Frontier model training with {compute[0]} for "
            f"{_describe_trigger(facts, triggers[0])}",
            ReviewPolicy.PRESUMPTION_OF_DENIAL,
            {"components": compute, "triggers": triggers},
        )


@rule(
    "SURVEILLANCE_SAFEGUARD",
    reads=("surveillance_party_types", "surveillance_end_uses", "surveillance_by_risk_tier"),
    conditions={"HRDD": ()},
)
def surveillance_safeguard(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """A surveillance-capable component (facial recognition, biometric identification,
    mass monitoring, interception, location tracking, social-media monitoring, predictive
    policing) for an end user of a type {surveillance_party_types} or an end use
    {surveillance_end_uses}. By the destination's human-rights risk tier:
    {surveillance_by_risk_tier} (with human-rights due diligence where the pack attaches
    it). One finding per surveillance-capable component."""
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


@rule(
    "DIFFUSION_CHIPS_TIER2",
    reads=(
        "advanced_computing_prefixes",
        "advanced_computing_z_bases",
        "lpp_max_total_tpp",
        "lpp_over_limit",
    ),
    conditions={"LPP-NOTICE": ("total_tpp",)},
)
def diffusion_chips_tier2(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """Advanced computing hardware to a Tier 2 destination under the Framework for AI
    Diffusion: within the low-processing-performance allowance (a total TPP of
    {lpp_max_total_tpp} for the deal's advanced computing hardware) License Exception LPP
    applies with notice to BIS; above it: {lpp_over_limit}."""
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


@rule(
    "DIFFUSION_WEIGHTS",
    reads=(
        "controlled_weights_eccns",
        "controlled_weights_min_training_ops",
        "diffusion_weights_by_tier",
    ),
    conditions={"AIA-SECURITY": ()},
)
def diffusion_weights(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """Controlled model weights ({controlled_weights_eccns}, or closed weights trained with
    more than {controlled_weights_min_training_ops} operations) under the Framework for AI
    Diffusion, by the destination's tier: {diffusion_weights_by_tier} (at Tier 1 License
    Exception AIA applies with its security requirements)."""
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
    reads=(
        "weights_condition_access",
        "rmf_condition_kinds",
        "report_frequency",
        "psv_min_accelerators",
    ),
    conditions={
        "SEC-KYC": (),
        "SEC-ACCESS": (),
        "SEC-WEIGHTS": (),
        "GOV-RMF": (),
        "MON-REPORT": ("frequency",),
        "MON-PSV": ("accelerators",),
        "REEXPORT": (),
    },
    finding=False,
)
def program_conditions(facts: DealFacts, params: ParameterValues) -> Iterator[Hit]:
    """The program's standard terms: know-your-customer checks, access blocking, weight
    security when a model is made available as {weights_condition_access}, a NIST AI RMF
    assessment for {rmf_condition_kinds} components, end-use reporting by the destination's
    human-rights risk tier ({report_frequency}), post-shipment verification for
    {psv_min_accelerators} or more accelerators, and no re-export without authorization."""
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


def _report(frequency: str) -> Attach:
    return Attach("MON-REPORT", {"frequency": frequency})


RULES: Mapping[str, Rule] = MappingProxyType(
    {
        r.id: r
        for r in (
            embargo,
            russia_belarus,
            rps_prohibited,
            rps_license,
            rps_uvl,
            rps_other,
            rps_review,
            rps_unavailable,
            d5_advanced_computing,
            advanced_computing_d1_d4,
            military_end_use,
            wmd_end_use,
            frontier_training_d5,
            surveillance_safeguard,
            diffusion_chips_tier2,
            diffusion_weights,
            program_conditions,
        )
    }
)
"""Every rule, by id (read-only)."""

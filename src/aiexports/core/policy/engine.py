"""The determination engine: a pure function from a deal, a pack, reference data and
screening results to an explained :class:`Determination`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from string import Formatter
from typing import Any

from aiexports.core.catalog import Menu
from aiexports.core.components import AnyComponent
from aiexports.core.countries import CountryBook
from aiexports.core.deal import Deal
from aiexports.core.determination import Condition, Determination, Finding
from aiexports.core.policy.facts import DealFacts, resolve_items
from aiexports.core.policy.pack import PolicyPack
from aiexports.core.policy.rules import RULES, Attach, Hit
from aiexports.core.screening.results import ScreeningResult
from aiexports.core.vocabulary import Outcome, ReviewPolicy
from aiexports.errors import Issue


@dataclass(frozen=True)
class ReferenceData:
    """The reference data a determination depends on, with the versions it reports."""

    countries: CountryBook
    menu: Menu

    @property
    def versions(self) -> dict[str, str]:
        return {"countries": self.countries.version, "menu": self.menu.version}


def assess(
    deal: Deal, pack: PolicyPack, reference: ReferenceData, screening: ScreeningResult
) -> Determination:
    """Decide ``deal`` under ``pack``; every finding names its rule and citations."""
    items = resolve_items(deal, reference.menu)
    params = pack.values_at(deal.date)
    facts = DealFacts.of(deal, items, reference.countries, screening)
    findings: list[Finding] = []
    program: list[Attach] = []
    attached: list[tuple[str, Attach]] = []
    for rule_id in pack.rules:
        rule = RULES[rule_id]
        for hit in rule.function(facts, params):
            if hit.outcome is None:
                program.extend(hit.conditions)
                continue
            facts.fired.add(rule_id)
            findings.append(_finding(rule_id, hit, pack))
            attached.extend((rule_id, condition) for condition in hit.conditions)
    outcome = max(
        (f.outcome for f in findings), key=_strictness, default=Outcome.NO_LICENSE_REQUIRED
    )
    review_policy = None
    if outcome is Outcome.LICENSE_REQUIRED:
        review_policy = max(
            (f.review_policy for f in findings if f.review_policy is not None),
            key=_review_strictness,
        )
    conditions: list[Condition] = []
    if outcome is not Outcome.PROHIBITED:
        conditions = _conditions(pack, [("PROGRAM_CONDITIONS", c) for c in program] + attached)
    data_versions = {
        **reference.versions,
        "lists": screening.lists_version,
        "screening": f"{screening.matcher};{screening.thresholds.describe()}",
    }
    return Determination(
        deal_id=deal.id,
        outcome=outcome,
        review_policy=review_policy,
        policy=pack.reference(deal.date),
        findings=tuple(findings),
        conditions=tuple(conditions),
        decision_id=decision_id(deal, items_of(items), pack, data_versions, screening),
        data_versions=data_versions,
    )


def _strictness(outcome: Outcome) -> int:
    return outcome.strictness


def _review_strictness(policy: ReviewPolicy) -> int:
    return policy.strictness


def _finding(rule_id: str, hit: Hit, pack: PolicyPack) -> Finding:
    assert hit.outcome is not None
    return Finding(
        rule=rule_id,
        outcome=hit.outcome,
        review_policy=hit.review_policy if hit.outcome is Outcome.LICENSE_REQUIRED else None,
        message=hit.message,
        citations=_citations(pack.citations.get(rule_id, ()), hit.citation_values),
        evidence=dict(hit.evidence),
    )


def _citations(templates: tuple[str, ...], values: Mapping[str, str]) -> tuple[str, ...]:
    if not values:
        return templates
    filled = (_fill(template, values) for template in templates)
    return tuple(text for text in filled if text.strip())


def _fill(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders; a placeholder without a value is kept as written."""
    parts = []
    for literal, name, _spec, _conversion in Formatter().parse(template):
        parts.append(literal)
        if name is not None:
            parts.append(values[name] if name in values else "{" + name + "}")
    return "".join(parts)


def _conditions(pack: PolicyPack, uses: list[tuple[str, Attach]]) -> list[Condition]:
    seen: set[str] = set()
    conditions = []
    for rule_id, use in uses:
        if use.id in seen:
            continue
        seen.add(use.id)
        text = pack.conditions[use.id]
        conditions.append(
            Condition(
                id=use.id,
                text=_fill(text.text, use.values),
                binding=text.binding,
                source_rule=rule_id,
            )
        )
    return conditions


def items_of(items: tuple[Any, ...]) -> tuple[tuple[AnyComponent, int | None], ...]:
    return tuple((item.component, item.units) for item in items)


def decision_id(
    deal: Deal,
    items: tuple[tuple[AnyComponent, int | None], ...],
    pack: PolicyPack,
    data_versions: Mapping[str, str],
    screening: ScreeningResult,
) -> str:
    """sha256 of the canonical inputs: the deal, the components it resolved to, the pack,
    the reference-data versions and the screening results that could matter."""
    review = screening.thresholds.review
    screened = [
        [
            [str(m.source), m.entity_number, m.matched_name, round(m.score, 6)]
            for m in party.matches
            if m.score >= review
        ]
        for party in screening.parties
    ]
    payload = {
        "deal": _canonical_deal(deal),
        "items": [[_canonical_component(component), units] for component, units in items],
        "policy": [pack.id, pack.version, pack.digest],
        "data": dict(sorted(data_versions.items())),
        "screening": [screening.available, screened],
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _canonical_deal(deal: Deal) -> Any:
    return deal.model_dump(mode="json", exclude_defaults=True)


@lru_cache(maxsize=8192)
def _canonical_component(component: AnyComponent) -> str:
    return json.dumps(component.model_dump(mode="json", exclude_defaults=True), sort_keys=True)


def check_pack(pack: PolicyPack) -> list[Issue]:
    """What makes a pack unusable: unknown rules, rules without citations or
    explanation, conditions without text."""
    issues = []
    for rule_id in pack.rules:
        rule = RULES.get(rule_id)
        if rule is None:
            issues.append(Issue(f"unknown rule {rule_id!r}", field="rules"))
            continue
        if not rule.explanation:
            issues.append(Issue(f"rule {rule_id} has no explanation", field="rules"))
        if rule.finding and not pack.citations.get(rule_id):
            issues.append(Issue(f"rule {rule_id} has no citation", field=f"citations.{rule_id}"))
        for condition in rule.conditions:
            if condition not in pack.conditions:
                issues.append(
                    Issue(
                        f"condition {condition} (attached by {rule_id}) has no text",
                        field=f"conditions.{condition}",
                    )
                )
    for condition_id in _verdict_conditions(pack):
        if condition_id not in pack.conditions:
            issues.append(
                Issue(f"condition {condition_id} has no text", field=f"conditions.{condition_id}")
            )
    return issues


def _verdict_conditions(pack: PolicyPack) -> set[str]:
    found: set[str] = set()
    params = pack.parameters
    for step in params.surveillance_by_risk_tier.steps:
        for verdict in step.value.values():
            found.update(verdict.conditions)
    for weights_step in params.diffusion_weights_by_tier.steps:
        for verdict in weights_step.value.values():
            found.update(verdict.conditions)
    for over_step in params.lpp_over_limit.steps:
        if over_step.value is not None:
            found.update(over_step.value.conditions)
    return found

"""The determination engine: a pure function from a deal, a pack, reference data and
screening results to an explained :class:`Determination`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter

from aiexports.core.catalog import Menu
from aiexports.core.countries import CountryBook
from aiexports.core.deal import Deal
from aiexports.core.determination import Condition, Determination, Finding
from aiexports.core.policy.facts import DealFacts, resolve_items
from aiexports.core.policy.pack import PolicyPack
from aiexports.core.policy.rules import RULES, Attach, Hit, RuleFunction
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
    deal: Deal,
    pack: PolicyPack,
    reference: ReferenceData,
    screening: ScreeningResult,
    canonical_deal: str | None = None,
) -> Determination:
    """Decide ``deal`` under ``pack``; every finding names its rule and citations.

    ``canonical_deal`` (from :func:`canonical_deal_text`) saves recomputing it when the
    same deal is decided under several packs."""
    items = resolve_items(deal, reference.menu)
    params = pack.values_at(deal.date)
    facts = DealFacts.of(deal, items, reference.countries, screening, params)
    findings: list[Finding] = []
    program: list[Attach] = []
    attached: list[tuple[str, Attach]] = []
    for rule_id, function in _functions(pack):
        for hit in function(facts, params):
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
        decision_id=decision_id(
            canonical_deal or canonical_deal_text(deal), pack, data_versions, screening
        ),
        data_versions=data_versions,
    )


def _functions(pack: PolicyPack) -> list[tuple[str, RuleFunction]]:
    key = (pack.id, pack.digest, pack.rules)
    found = _PACK_FUNCTIONS.get(key)
    if found is None:
        found = _PACK_FUNCTIONS[key] = [(r, RULES[r].function) for r in pack.rules]
    return found


_PACK_FUNCTIONS: dict[tuple[object, ...], list[tuple[str, RuleFunction]]] = {}


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
        key = (pack.id, pack.digest, rule_id, use.key)
        condition = _RENDERED.get(key)
        if condition is None:
            text = pack.conditions[use.id]
            condition = Condition(
                id=use.id,
                text=_fill(text.text, use.values),
                binding=text.binding,
                source_rule=rule_id,
            )
            if len(_RENDERED) > 10_000:
                _RENDERED.clear()
            _RENDERED[key] = condition
        conditions.append(condition)
    return conditions


_RENDERED: dict[tuple[object, ...], Condition] = {}
"""Conditions repeat across deals: each distinct one is rendered once."""


def decision_id(
    canonical_deal: str,
    pack: PolicyPack,
    data_versions: Mapping[str, str],
    screening: ScreeningResult,
) -> str:
    """sha256 of the canonical inputs: the deal, the pack, the reference-data versions
    and the screening results that could matter. The deal's components need no record of
    their own: inline ones are in the deal, and the menu version pins the package and
    catalog ones."""
    context_key = (pack.id, pack.version, pack.digest, *sorted(data_versions.items()))
    context = _CONTEXT_RECORDS.get(context_key)
    if context is None:
        if len(_CONTEXT_RECORDS) > 1000:
            _CONTEXT_RECORDS.clear()
        context = _CONTEXT_RECORDS[context_key] = _record(
            "policy", pack.id, pack.version, pack.digest
        ) + "".join(_record("data", key, value) for key, value in sorted(data_versions.items()))
    parts = [
        f"4:deal{len(canonical_deal)}:{canonical_deal}",
        context,
        "9:screening" + ("4:True" if screening.available else "5:False"),
    ]
    review = screening.thresholds.review
    for index, party in enumerate(screening.parties):
        for m in party.matches:
            if m.score >= review:
                parts.append(
                    _record(
                        "match",
                        str(index),
                        str(m.source),
                        m.entity_number,
                        m.matched_name,
                        f"{m.score:.6f}",
                    )
                )
    return "sha256:" + hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()


def _record(*parts: str) -> str:
    """Length-prefixed parts: no two different inputs give the same text."""
    return "".join(f"{len(part)}:{part}" for part in parts)


_CONTEXT_RECORDS: dict[tuple[object, ...], str] = {}
"""The pack and data-version part of the record, the same for every deal of a batch."""


def canonical_deal_text(deal: Deal) -> str:
    """The deal as canonical JSON: fields in schema order, mappings sorted by the model,
    defaults left out."""
    return deal.model_dump_json(exclude_defaults=True)


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

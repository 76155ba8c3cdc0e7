"""The determination engine: a pack compiled against the reference data decides deals,
each with the screening results of its parties, into explained :class:`Determination`\\ s."""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from string import Formatter
from typing import Generic, TypeVar

from aiexports.core.catalog import Menu
from aiexports.core.countries import CountryBook
from aiexports.core.deal import Deal
from aiexports.core.determination import Condition, Determination, Finding, PolicyRef
from aiexports.core.policy.facts import (
    DealFacts,
    DealItem,
    Inventory,
    Locations,
    inventory,
    items_key,
    locations,
    locations_key,
    resolve_items,
)
from aiexports.core.policy.pack import ParameterValues, PolicyPack, Verdict
from aiexports.core.policy.rules import RULES, Attach, Hit, Rule, placeholders
from aiexports.core.screening.results import ListMatch, ScreeningResult
from aiexports.core.vocabulary import Outcome, ReviewPolicy
from aiexports.errors import InputError, Issue


@dataclass(frozen=True)
class ReferenceData:
    """The reference data a determination depends on, with the versions it reports."""

    countries: CountryBook
    menu: Menu

    @property
    def versions(self) -> dict[str, str]:
        return {"countries": self.countries.version, "menu": self.menu.version}


CACHE_LIMIT = 8192
"""Entries per cache of a compiled policy (locations and items of that many distinct
deals: tens of megabytes at most)."""

K = TypeVar("K")
V = TypeVar("V")


class _BoundedCache(Generic[K, V]):
    """A dictionary that forgets its older half when full: a batch's working set
    (packages, destinations, dates) mostly fits, and a pathological one must not grow
    without bound. (Emptying it all at once would make a working set just larger than
    the limit miss every time.)"""

    __slots__ = ("_entries", "_limit")

    def __init__(self, limit: int = CACHE_LIMIT) -> None:
        self._entries: dict[K, V] = {}
        self._limit = limit

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, key: K, value: V) -> V:
        entries = self._entries
        if len(entries) >= self._limit:
            for old in list(islice(entries, len(entries) // 2 + 1)):
                del entries[old]
        entries[key] = value
        return value


class CompiledPolicy:
    """A pack compiled against the reference data: what does not depend on the deal is
    worked out once, and every cache lives here, scoped by this object's identity (never
    in a module global).

    Safe to share across threads: its caches hold values computed from immutable inputs,
    so two threads filling one entry store equal values. Picklable: a pickle holds the
    pack and the reference data, and the receiver compiles again."""

    __slots__ = (
        "_boundaries",
        "_conditions",
        "_context",
        "_epochs",
        "_items",
        "_locations",
        "_references",
        "_values",
        "digest",
        "pack",
        "reference",
        "rules",
    )

    def __init__(
        self, pack: PolicyPack, reference: ReferenceData, cache_limit: int = CACHE_LIMIT
    ) -> None:
        problems = check_pack(pack)
        if problems:
            raise InputError(problems)
        self.pack = pack
        self.reference = reference
        self.digest = pack.digest
        self.rules: tuple[Rule, ...] = tuple(RULES[rule_id] for rule_id in pack.rules)
        self._boundaries = _boundaries(pack)
        self._epochs: _BoundedCache[dt.date, int] = _BoundedCache(cache_limit)
        self._values: _BoundedCache[int, ParameterValues] = _BoundedCache(cache_limit)
        self._references: _BoundedCache[dt.date, PolicyRef] = _BoundedCache(cache_limit)
        self._locations: _BoundedCache[tuple[object, ...], Locations] = _BoundedCache(cache_limit)
        # Items and their inventory are kept together: rules test an item's membership of
        # the inventory by identity, so the two must come from one resolution.
        self._items: _BoundedCache[tuple[object, ...], tuple[tuple[DealItem, ...], Inventory]] = (
            _BoundedCache(cache_limit)
        )
        self._conditions: _BoundedCache[tuple[object, ...], Condition] = _BoundedCache(cache_limit)
        self._context: _BoundedCache[tuple[tuple[str, str], ...], str] = _BoundedCache(cache_limit)

    def __reduce__(self) -> tuple[object, ...]:
        return (CompiledPolicy, (self.pack, self.reference))

    @property
    def id(self) -> str:
        return self.pack.id

    def epoch(self, day: dt.date) -> int:
        """Which stretch between the pack's dates (parameter steps, range ends) the date
        the parameters are read at falls in: every day of one stretch reads the same
        values. (A day outside the pack's ranges reads them at the nearest range's end,
        which is why the stretch is found for that date.)"""
        found = self._epochs.get(day)
        if found is None:
            found = self._epochs.put(
                day, bisect_right(self._boundaries, self.pack.parameter_date(day))
            )
        return found

    def values_at(self, day: dt.date) -> ParameterValues:
        """The parameters in force on ``day`` (or the nearest date the pack is in force),
        one object per stretch, so that caches keyed by it are shared across dates."""
        return self._values_of(self.epoch(day), day)

    def reference_at(self, day: dt.date) -> PolicyRef:
        found = self._references.get(day)
        if found is None:
            found = self._references.put(day, self.pack.reference(day, self.digest))
        return found

    def explanation(self, rule_id: str, day: dt.date) -> str:
        """A rule's explanation with the parameter values in force on ``day``."""
        return RULES[rule_id].explain(self.values_at(day))

    def items(self, deal: Deal) -> tuple[DealItem, ...]:
        """The deal's items; deals with the same package, components and quantities (a
        portfolio's common case) share one resolution."""
        return self._inventory(deal)[0]

    def _inventory(self, deal: Deal) -> tuple[tuple[DealItem, ...], Inventory]:
        epoch = self.epoch(deal.date)
        return self._inventory_at(deal, epoch, self._values_of(epoch, deal.date))

    def _values_of(self, epoch: int, day: dt.date) -> ParameterValues:
        found = self._values.get(epoch)
        if found is None:
            found = self._values.put(epoch, self.pack.values_at(day))
        return found

    def _inventory_at(
        self, deal: Deal, epoch: int, params: ParameterValues
    ) -> tuple[tuple[DealItem, ...], Inventory]:
        key = (epoch, *items_key(deal))
        found = self._items.get(key)
        if found is None:
            items = resolve_items(deal, self.reference.menu)
            found = self._items.put(key, (items, inventory(items, params)))
        return found

    def facts(self, deal: Deal, screening: ScreeningResult) -> DealFacts:
        """What the rules read of ``deal``; the parts that depend only on the places or
        only on the items are shared by every deal with the same ones."""
        epoch = self.epoch(deal.date)
        return self._facts_at(deal, screening, epoch, self._values_of(epoch, deal.date))

    def _facts_at(
        self, deal: Deal, screening: ScreeningResult, epoch: int, params: ParameterValues
    ) -> DealFacts:
        items, held = self._inventory_at(deal, epoch, params)
        where_key = (epoch, *locations_key(deal))
        where = self._locations.get(where_key)
        if where is None:
            where = self._locations.put(
                where_key, locations(deal, self.reference.countries, params)
            )
        return DealFacts.of(deal, items, self.reference.countries, screening, where, held)

    def assess(
        self, deal: Deal, screening: ScreeningResult, canonical_deal: str | None = None
    ) -> Determination:
        """Decide ``deal``; every finding names its rule and citations.

        ``canonical_deal`` (from :func:`canonical_deal_text`) saves recomputing it when the
        same deal is decided under several policies."""
        hits, program, attached = self._hits(deal, screening)
        findings = [self._finding(rule_id, hit) for rule_id, hit in hits]
        outcome, review_policy = _verdict(hit for _, hit in hits)
        conditions: list[Condition] = []
        if outcome is not Outcome.PROHIBITED:
            conditions = self._render([("PROGRAM_CONDITIONS", c) for c in program] + attached)
        data_versions = {
            **self.reference.versions,
            "lists": screening.lists_version,
            "screening": f"{screening.matcher};{screening.describe()}",
        }
        # The engine's own output needs no re-validation: built from validated parts.
        return Determination.model_construct(
            deal_id=deal.id,
            outcome=outcome,
            review_policy=review_policy,
            policy=self.reference_at(deal.date),
            findings=tuple(findings),
            conditions=tuple(conditions),
            decision_id=self.decision_id(
                canonical_deal or canonical_deal_text(deal), data_versions, screening
            ),
            data_versions=data_versions,
            screening_adjudications=tuple(
                {"party_index": index, **use.contract()}
                for index, party in enumerate(screening.parties)
                for use in party.adjudications
            ),
        )

    def outcome(self, deal: Deal, screening: ScreeningResult) -> OutcomeSummary:
        """What ``assess`` would decide, without the explanation: outcome, review policy,
        the rules that found something and the conditions attached. Comparing two packs
        over a portfolio needs no more; the deals that change can then be assessed in
        full."""
        hits, program, attached = self._hits(deal, screening)
        outcome, review_policy = _verdict(hit for _, hit in hits)
        conditions: frozenset[str] = frozenset()
        if outcome is not Outcome.PROHIBITED:
            conditions = frozenset([c.id for c in program] + [c.id for _, c in attached])
        return OutcomeSummary(
            deal.id,
            outcome,
            review_policy,
            frozenset(rule_id for rule_id, _ in hits),
            conditions,
        )

    def _hits(
        self, deal: Deal, screening: ScreeningResult
    ) -> tuple[list[tuple[str, Hit]], list[Attach], list[tuple[str, Attach]]]:
        """Every rule run once, in the pack's order: the findings' hits, the conditions
        that come with no finding, and those each finding attaches."""
        epoch = self.epoch(deal.date)
        params = self._values_of(epoch, deal.date)
        facts = self._facts_at(deal, screening, epoch, params)
        hits: list[tuple[str, Hit]] = []
        program: list[Attach] = []
        attached: list[tuple[str, Attach]] = []
        for rule in self.rules:
            for hit in rule.function(facts, params):
                if hit.outcome is None:
                    program.extend(hit.conditions)
                    continue
                hits.append((rule.id, hit))
                attached.extend((rule.id, condition) for condition in hit.conditions)
        return hits, program, attached

    def _finding(self, rule_id: str, hit: Hit) -> Finding:
        assert hit.outcome is not None
        return Finding.model_construct(
            rule=rule_id,
            outcome=hit.outcome,
            review_policy=hit.review_policy if hit.outcome is Outcome.LICENSE_REQUIRED else None,
            message=hit.message,
            citations=_citations(self.pack.citations.get(rule_id, ()), hit.citation_values),
            evidence=dict(hit.evidence),
        )

    def _render(self, uses: list[tuple[str, Attach]]) -> list[Condition]:
        """Each condition once, its text filled; distinct ones are rendered once."""
        seen: set[str] = set()
        conditions = []
        for rule_id, use in uses:
            if use.id in seen:
                continue
            seen.add(use.id)
            key = (rule_id, *use.key())
            condition = self._conditions.get(key)
            if condition is None:
                text = self.pack.conditions[use.id]
                condition = self._conditions.put(
                    key,
                    Condition(
                        id=use.id,
                        text=_fill(text.text, use.values),
                        binding=text.binding,
                        source_rule=rule_id,
                    ),
                )
            conditions.append(condition)
        return conditions

    def decision_id(
        self, canonical_deal: str, data_versions: Mapping[str, str], screening: ScreeningResult
    ) -> str:
        """sha256 of the canonical inputs: the deal, the pack (with its content digest),
        the reference-data versions and the screening results that could matter. The
        deal's components need no record of their own: inline ones are in the deal, and
        the menu version pins the package and catalog ones."""
        context_key = tuple(sorted(data_versions.items()))
        context = self._context.get(context_key)
        if context is None:
            pack = self.pack
            context = self._context.put(
                context_key,
                _record("policy", pack.id, pack.version, self.digest)
                + "".join(_record("data", key, value) for key, value in context_key),
            )
        parts = [
            f"4:deal{len(canonical_deal)}:{canonical_deal}",
            context,
            "9:screening" + ("4:True" if screening.available else "5:False"),
        ]
        for index, party in enumerate(screening.parties):
            review = screening.bands(index).review
            # An adjudication is an input: clearing or confirming a match changes the id.
            for use in sorted(party.adjudications, key=lambda u: u.adjudication.id):
                parts.append(
                    _record(
                        "adjudication",
                        str(index),
                        use.adjudication.id,
                        str(use.adjudication.verdict),
                        "applied" if use.applied else "invalidated",
                    )
                )
            for m in sorted(party.matches, key=_match_order):
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


def _boundaries(pack: PolicyPack) -> list[dt.date]:
    """The first days on which the values a rule reads may change."""
    days: set[dt.date] = set()
    for window in pack.effective:
        if window.start is not None:
            days.add(window.start)
        if window.end is not None and window.end < dt.date.max:
            days.add(window.end + dt.timedelta(days=1))
    for name in type(pack.parameters).model_fields:
        days.update(s.since for s in getattr(pack.parameters, name).steps if s.since is not None)
    return sorted(days)


def compile_policy(pack: PolicyPack, reference: ReferenceData) -> CompiledPolicy:
    """Compile ``pack`` for ``reference``: the object that decides deals under it."""
    return CompiledPolicy(pack, reference)


def assess(
    deal: Deal,
    pack: PolicyPack,
    reference: ReferenceData,
    screening: ScreeningResult,
    canonical_deal: str | None = None,
) -> Determination:
    """Decide one deal under ``pack``, compiling it for this call (batch callers compile
    once with :func:`compile_policy`)."""
    return compile_policy(pack, reference).assess(deal, screening, canonical_deal)


def _verdict(hits: Iterable[Hit]) -> tuple[Outcome, ReviewPolicy | None]:
    """The strictest outcome found, and for a license the strictest review policy."""
    found = [(hit.outcome, hit.review_policy) for hit in hits if hit.outcome is not None]
    outcome = max((o for o, _ in found), key=_strictness, default=Outcome.NO_LICENSE_REQUIRED)
    if outcome is not Outcome.LICENSE_REQUIRED:
        return outcome, None
    policy = max(
        (p for o, p in found if o is Outcome.LICENSE_REQUIRED and p is not None),
        key=_review_strictness,
    )
    return outcome, policy


@dataclass(frozen=True, slots=True)
class OutcomeSummary:
    """A determination without its explanation (see :meth:`CompiledPolicy.outcome`)."""

    deal_id: str | None
    outcome: Outcome
    review_policy: ReviewPolicy | None
    rules: frozenset[str]
    conditions: frozenset[str]


def _match_order(match: ListMatch) -> tuple[str, str, str]:
    return (str(match.source), match.entity_number, match.matched_name)


def _strictness(outcome: Outcome) -> int:
    return outcome.strictness


def _review_strictness(policy: ReviewPolicy) -> int:
    return policy.strictness


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


def _record(*parts: str) -> str:
    """Length-prefixed parts: no two different inputs give the same text."""
    return "".join(f"{len(part)}:{part}" for part in parts)


def canonical_deal_text(deal: Deal) -> str:
    """The deal as canonical JSON: fields in schema order, mappings and sets (end uses,
    capabilities) sorted by the model, defaults left out."""
    return deal.model_dump_json(exclude_defaults=True)


def check_pack(pack: PolicyPack) -> list[Issue]:
    """What makes a pack unusable: unknown rules, rules without citations or explanation,
    conditions without text, and condition placeholders no rule fills in. Each issue
    names the field of the pack document it is about."""
    issues = []
    fills: dict[str, set[str]] = {}
    for index, rule_id in enumerate(pack.rules):
        rule = RULES.get(rule_id)
        if rule is None:
            issues.append(
                Issue(
                    f"unknown rule {rule_id!r} (known: {', '.join(sorted(RULES))})",
                    field=f"rules[{index}]",
                )
            )
            continue
        if not rule.explanation:
            issues.append(Issue(f"rule {rule_id} has no explanation", field=f"rules[{index}]"))
        if rule.finding and not pack.citations.get(rule_id):
            issues.append(Issue(f"rule {rule_id} has no citation", field=f"citations.{rule_id}"))
        for condition, values in rule.conditions.items():
            fills.setdefault(condition, set()).update(values)
            if condition not in pack.conditions:
                issues.append(
                    Issue(
                        f"condition {condition} (attached by {rule_id}) has no text",
                        field=f"conditions.{condition}",
                    )
                )
    for condition_id in verdict_conditions(pack):
        attached = condition_id in fills
        fills.setdefault(condition_id, set())
        if condition_id not in pack.conditions and not attached:
            issues.append(
                Issue(f"condition {condition_id} has no text", field=f"conditions.{condition_id}")
            )
    for condition_id, known in fills.items():
        text = pack.conditions.get(condition_id)
        if text is None:
            continue
        for name in placeholders(text.text):
            if name not in known:
                filled = ", ".join(sorted(known)) or "none"
                issues.append(
                    Issue(
                        f"unknown placeholder {{{name}}} (this condition is filled with: {filled})",
                        field=f"conditions.{condition_id}.text",
                    )
                )
    return issues


def verdict_conditions(pack: PolicyPack) -> set[str]:
    """The conditions that the verdicts among the pack's parameters attach, wherever
    they are (found by walking the values, so no list of parameters is kept by hand)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, Verdict):
            found.update(value.conditions)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    for name in type(pack.parameters).model_fields:
        for step in getattr(pack.parameters, name).steps:
            walk(step.value)
    return found

"""The path to approval: for a deal that comes out prohibited, license-required or
reviewed with a presumption of denial, the smallest changes of each kind that would make
its determination less strict — each with the determination it would get and the rules
that change.

Found by search over the policy (``decide`` is the compiled policy with the deal's
screening), never by hand-written hints. The kinds of change:

* ``fewer_units``: fewer accelerators of one hardware item — the most units that still
  give a less strict outcome (a bisection over the unit count, checked one unit above);
* ``component_variant``: another component of the same kind from the menu's catalog in the
  place of one of the deal's (a lower-TPP part, another model), or a model offered by API
  or hosted instead of its weights being transferred;
* ``headquarters``: a party whose ultimate parent is headquartered in its own country;
* ``drop_end_use``: one end use fewer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiexports.core.catalog import Menu
from aiexports.core.components import AnyComponent
from aiexports.core.deal import Deal
from aiexports.core.determination import Determination, Finding
from aiexports.core.policy.facts import resolve_items
from aiexports.core.vocabulary import ComponentKind, ModelAccess, Outcome
from aiexports.errors import AiExportsError

ChangeKind = Literal["fewer_units", "component_variant", "headquarters", "drop_end_use"]
Decide = Callable[[dict[str, Any]], Determination]
"""Decides a deal document (the deal's own, changed) under the same policy and lists."""

VARIANTS_PER_ITEM = 3
"""The least strict variants kept per item (the nearest first among equals)."""


def strictness(found: Determination | Finding) -> tuple[int, int]:
    """How strict a determination (or one finding) is: its outcome, then its review policy."""
    policy = found.review_policy
    return found.outcome.strictness, policy.strictness if policy is not None else -1


def describe(found: Determination | Finding) -> str:
    policy = found.review_policy
    return str(found.outcome) + (f" ({policy})" if policy is not None else "")


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    subject: str
    """What the change is about: a component, a party or an end use."""
    description: str
    document: dict[str, Any]
    determination: Determination
    rules: tuple[dict[str, str | None], ...]
    """Each rule whose strictest finding the change alters: from and to (None: no finding)."""
    closeness: float = 0.0
    """How far the change goes among changes of its kind (ordering only)."""

    def contract(self) -> dict[str, Any]:
        d = self.determination
        return {
            "kind": self.kind,
            "change": self.description,
            "outcome": str(d.outcome),
            "review_policy": str(d.review_policy) if d.review_policy else None,
            "decision_id": d.decision_id,
            "rules_changed": [dict(r) for r in self.rules],
            "deal": self.document,
        }


@dataclass(frozen=True)
class PathToApproval:
    determination: Determination
    changes: tuple[Change, ...]

    def contract(self) -> dict[str, Any]:
        return {
            "from": describe(self.determination),
            "decision_id": self.determination.decision_id,
            "changes": [c.contract() for c in self.changes],
        }


def needs_a_path(determination: Determination) -> bool:
    """Prohibited, license-required or presumption of denial: a path is worth searching."""
    return determination.outcome.strictness >= Outcome.LICENSE_REQUIRED.strictness


def path_to_approval(
    deal: Deal, document: Mapping[str, Any], decide: Decide, menu: Menu
) -> PathToApproval:
    """The less strict determinations within reach of one change of each kind, the least
    strict first."""
    base = decide(dict(document))
    if not needs_a_path(base):
        return PathToApproval(base, ())
    found: list[Change] = []
    for kind, subject, description, changed, closeness in _candidates(
        deal, document, decide, base, menu
    ):
        try:
            determination = decide(changed)
        except (AiExportsError, ValueError):
            continue  # a change the deal cannot take (a variant missing a field a rule needs)
        if strictness(determination) < strictness(base):
            found.append(
                Change(
                    kind,
                    subject,
                    description,
                    changed,
                    determination,
                    _changed_rules(base, determination),
                    closeness,
                )
            )
    found.sort(key=lambda c: (strictness(c.determination), _KINDS.index(c.kind), c.closeness))
    return PathToApproval(base, tuple(_fewest_variants(found)))


_KINDS: tuple[ChangeKind, ...] = (
    "fewer_units",
    "headquarters",
    "drop_end_use",
    "component_variant",
)


def _changed_rules(
    before: Determination, after: Determination
) -> tuple[dict[str, str | None], ...]:
    """Each rule whose strictest finding reads otherwise after the change (None: none)."""
    a, b = _strictest(before), _strictest(after)
    return tuple(
        {"rule": rule, "from": a.get(rule), "to": b.get(rule)}
        for rule in sorted(set(a) | set(b))
        if a.get(rule) != b.get(rule)
    )


def _strictest(determination: Determination) -> dict[str, str]:
    """Each rule's strictest finding, as it reads."""
    found: dict[str, Finding] = {}
    for f in determination.findings:
        if f.rule not in found or strictness(f) > strictness(found[f.rule]):
            found[f.rule] = f
    return {rule: describe(f) for rule, f in found.items()}


def _fewest_variants(changes: list[Change]) -> Iterator[Change]:
    """At most ``VARIANTS_PER_ITEM`` component variants per item replaced."""
    kept: dict[str, int] = {}
    for change in changes:
        if change.kind == "component_variant":
            kept[change.subject] = kept.get(change.subject, 0) + 1
            if kept[change.subject] > VARIANTS_PER_ITEM:
                continue
        yield change


def _candidates(
    deal: Deal,
    document: Mapping[str, Any],
    decide: Decide,
    base: Determination,
    menu: Menu,
) -> Iterator[tuple[ChangeKind, str, str, dict[str, Any], float]]:
    items = resolve_items(deal, menu)
    for item in items:
        component = item.component
        if component.kind is ComponentKind.HARDWARE and item.units:
            yield from _fewer_units(document, decide, base, component.id, item.units)
    in_deal = {item.component.id for item in items}
    for item in items:
        yield from _variants(deal, document, menu, item.component, item.units, in_deal)
    for index, party in enumerate(deal.parties):
        if party.headquarters is not None and party.headquarters != party.country:
            changed = _copy(document)
            changed["parties"][index]["headquarters"] = party.country
            yield (
                "headquarters",
                party.name,
                f"{party.role} {party.name!r} with its ultimate parent headquartered in "
                f"{party.country} instead of {party.headquarters}",
                changed,
                0.0,
            )
    if len(deal.end_uses) > 1:
        for use in sorted(str(u) for u in deal.end_uses):
            changed = _copy(document)
            changed["end_uses"] = [u for u in changed["end_uses"] if u != use]
            yield "drop_end_use", use, f"without the end use {use}", changed, 0.0


def _fewer_units(
    document: Mapping[str, Any],
    decide: Decide,
    base: Determination,
    component_id: str,
    units: int,
) -> Iterator[tuple[ChangeKind, str, str, dict[str, Any], float]]:
    """The most units below ``units`` that reach each less strict level, one level after
    another (a bisection per level, assuming fewer units are never stricter)."""

    def at(count: int) -> dict[str, Any]:
        changed = _copy(document)
        changed["quantities"] = {**changed.get("quantities", {}), component_id: count}
        return changed

    def level(count: int) -> tuple[int, int]:
        return strictness(decide(at(count)))

    ceiling = strictness(base)
    floor = level(0)
    while floor < ceiling:
        # The largest count whose level is below the ceiling: count 0 is, ``units`` is not.
        low, high = 0, units
        while high - low > 1:
            middle = (low + high) // 2
            if level(middle) < ceiling:
                low = middle
            else:
                high = middle
        yield (
            "fewer_units",
            component_id,
            f"{component_id} at {low:,} units instead of {units:,}",
            at(low),
            float(units - low),
        )
        ceiling = level(low)
        units = low


def _variants(
    deal: Deal,
    document: Mapping[str, Any],
    menu: Menu,
    component: AnyComponent,
    units: int | None,
    in_deal: set[str],
) -> Iterator[tuple[ChangeKind, str, str, dict[str, Any], float]]:
    """Each catalog component of the same kind in ``component``'s place (hardware: only
    other accelerators, at the deal's unit count), and for a model whose weights are
    transferred, the same model by API or hosted."""
    if component.kind not in (ComponentKind.HARDWARE, ComponentKind.MODEL):
        return
    tpp = getattr(component, "tpp", None)
    for other in sorted(menu.component_catalog().values(), key=lambda c: c.id):
        if other.kind is not component.kind or other.id in in_deal:
            continue
        other_tpp = getattr(other, "tpp", None)
        if tpp is not None and other_tpp is None:
            continue  # an accelerator's place is taken by another accelerator
        closeness = abs(tpp - other_tpp) if tpp is not None and other_tpp is not None else 0.0
        yield (
            "component_variant",
            component.id,
            f"{component.id} replaced by {other.id} ({other.eccn}"
            + (f", TPP {other_tpp:,.0f}" if other_tpp is not None else "")
            + ")",
            _replaced(
                deal,
                document,
                menu,
                component.id,
                other.model_dump(mode="json", exclude_none=True),
                units,
            ),
            float(closeness),
        )
    access = getattr(component, "access", None)
    if component.kind is ComponentKind.MODEL and access == ModelAccess.WEIGHTS:
        for instead in (ModelAccess.API, ModelAccess.HOSTED):
            variant = component.model_dump(mode="json", exclude_none=True)
            variant["access"] = str(instead)
            variant["id"] = f"{component.id}-{instead}"
            yield (
                "component_variant",
                component.id,
                f"{component.id} offered by {instead} access instead of its weights",
                _replaced(deal, document, menu, component.id, variant, None),
                -1.0,
            )


def _replaced(
    deal: Deal,
    document: Mapping[str, Any],
    menu: Menu,
    component_id: str,
    replacement: dict[str, Any],
    units: int | None,
) -> dict[str, Any]:
    """The deal with ``component_id`` replaced: a package's components are then named one
    by one (the package no longer applies whole)."""
    changed = _copy(document)
    entries: list[Any] = []
    if deal.package is not None:
        entries.extend(c.id for c in menu.package(deal.package).components())
        changed.pop("package", None)
    entries.extend(changed.get("components", []))
    out: list[Any] = []
    for entry in entries:
        entry_id = entry if isinstance(entry, str) else entry.get("id")
        if entry_id == component_id:
            out.append(replacement)
        elif entry_id not in {e if isinstance(e, str) else e.get("id") for e in out}:
            out.append(entry)
    changed["components"] = out
    quantities = dict(changed.get("quantities", {}))
    quantities.pop(component_id, None)
    if units is not None and "units" in replacement:
        quantities[replacement["id"]] = units  # the same number of the other part
    if quantities:
        changed["quantities"] = quantities
    return changed


def _copy(document: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(document))

"""The facts about one deal that every rule reads, computed once per assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiexports.core.catalog import Menu
from aiexports.core.components import AnyComponent, HardwareComponent, ModelComponent
from aiexports.core.countries import CountryBook
from aiexports.core.deal import Deal, Party
from aiexports.core.eccn import is_advanced_computing
from aiexports.core.policy.pack import ParameterValues
from aiexports.core.screening.results import ListMatch, ScreeningResult
from aiexports.core.vocabulary import ComponentKind, EndUse, ModelAccess, ModelWeights
from aiexports.errors import InputError, Issue, NotFoundError


@dataclass(frozen=True, slots=True, eq=False)
class DealItem:
    """A component of the deal, with the unit count after ``quantities``.

    ``origin`` is where the component was named: ``package`` or ``components[i]``.
    """

    component: AnyComponent
    units: int | None
    origin: str


def items_key(deal: Deal) -> tuple[object, ...]:
    """What a deal's items depend on: deals with equal keys have equal items."""
    return (deal.package, deal.components, tuple(deal.quantities.items()))


def resolve_items(deal: Deal, menu: Menu) -> tuple[DealItem, ...]:
    """The package's components followed by the deal's own, each once, with quantities."""
    items: dict[str, tuple[AnyComponent, str]] = {}
    issues: list[Issue] = []
    if deal.package is not None:
        try:
            package = menu.package(deal.package)
        except NotFoundError as error:
            raise NotFoundError(Issue(i.message, field="package") for i in error.issues) from None
        for component in package.components():
            items[component.id] = (component, "package")
    catalog: Mapping[str, AnyComponent] | None = None
    for index, entry in enumerate(deal.components):
        where = f"components[{index}]"
        if isinstance(entry, str):
            if entry in items:
                continue
            if catalog is None:
                catalog = menu.component_catalog()
            found = catalog.get(entry)
            if found is None:
                issues.append(Issue(f"no component {entry!r} in the menu's catalog", field=where))
                continue
            items[entry] = (found, where)
        else:
            existing = items.get(entry.id)
            if existing is not None and existing[0] != entry:
                issues.append(
                    Issue(
                        f"component {entry.id!r} differs from the package's component of that id",
                        field=where,
                    )
                )
                continue
            items.setdefault(entry.id, (entry, where))
    for component_id in deal.quantities:
        if component_id not in items:
            issues.append(
                Issue(
                    f"no component {component_id!r} in this deal",
                    field=f"quantities.{component_id}",
                )
            )
    if issues:
        raise InputError(issues)
    return tuple(
        DealItem(component, _units(component, deal.quantities), origin)
        for component, origin in items.values()
    )


def _units(component: AnyComponent, quantities: Mapping[str, int]) -> int | None:
    if component.id in quantities:
        return quantities[component.id]
    return component.units if isinstance(component, HardwareComponent) else None


@dataclass(frozen=True, slots=True)
class PartyFacts:
    index: int
    party: Party
    country: str
    headquarters: str

    @property
    def label(self) -> str:
        return f"{self.party.name} ({self.party.role})"


@dataclass(frozen=True, slots=True)
class Locations:
    """Where a deal goes and where its parties are, with what several rules ask of those
    places, computed once: deals with the same destination and party countries share it."""

    destination: str
    party_codes: tuple[tuple[str, str], ...]
    """Effective (country, headquarters) of each party, in order."""
    located: tuple[tuple[str, str], ...]
    """(where, code) for the destination and every party's country and headquarters."""
    headquarters: tuple[tuple[str, str], ...]
    """(where, code) of every party's headquarters (its country when not given)."""
    embargoed: tuple[Mapping[str, Any], ...]
    """The places of ``located`` in an embargoed country group, with the groups."""
    concern: tuple[Mapping[str, str], ...]
    """The destination and headquarters that are of concern for advanced computing."""


def locations_key(deal: Deal) -> tuple[object, ...]:
    return (
        deal.destination,
        tuple((p.country, p.headquarters) for p in deal.parties),
    )


def locations(deal: Deal, countries: CountryBook, params: ParameterValues) -> Locations:
    destination = countries.effective_code(deal.destination)
    codes = tuple(
        (countries.effective_code(p.country), countries.effective_code(p.headquarters_country))
        for p in deal.parties
    )
    located = [("destination", destination)]
    for index, (party, (country, headquarters)) in enumerate(zip(deal.parties, codes, strict=True)):
        located.append((_where(index, "country"), country))
        if party.headquarters is not None:
            located.append((_where(index, "headquarters"), headquarters))
    hq = tuple((_where(index, "headquarters"), code[1]) for index, code in enumerate(codes))
    embargoed = tuple(
        {"where": where, "country": code, "groups": groups}
        for where, code in located
        if (groups := countries.groups_among(code, params.embargo_groups))
    )
    return Locations(
        destination,
        codes,
        tuple(located),
        hq,
        embargoed,
        concern_triggers(countries, params, (("destination", destination), *hq)),
    )


def concern_triggers(
    countries: CountryBook, params: ParameterValues, places: Sequence[tuple[str, str]]
) -> tuple[Mapping[str, str], ...]:
    """The places of concern for advanced computing, each with the basis of concern."""
    test = params.advanced_computing_concern
    triggers = []
    for where, code in places:
        if code in test.countries:
            triggers.append({"where": where, "country": code, "basis": code})
        elif groups := countries.groups_among(code, test.groups):
            triggers.append({"where": where, "country": code, "basis": groups[0]})
    return tuple(triggers)


@dataclass(frozen=True, slots=True)
class DealFacts:
    """One deal as the rules see it; country codes are effective (Hong Kong → China).

    Everything several rules need is computed once, before any rule runs, so that no rule
    depends on another having fired."""

    deal: Deal
    day: dt.date
    items: tuple[DealItem, ...]
    countries: CountryBook
    screening: ScreeningResult
    parties: tuple[PartyFacts, ...]
    end_uses: frozenset[EndUse]
    where: Locations
    inventory: Inventory
    """What the rules ask of the deal's items."""
    blocking: tuple[tuple[PartyFacts, ListMatch], ...]
    """Each party's matches at or above the block threshold that are in effect on the
    deal's date (an expired Denied Persons order is no match)."""

    @staticmethod
    def of(
        deal: Deal,
        items: tuple[DealItem, ...],
        countries: CountryBook,
        screening: ScreeningResult,
        where: Locations,
        inventory: Inventory,
    ) -> DealFacts:
        parties = tuple(
            PartyFacts(index, party, *where.party_codes[index])
            for index, party in enumerate(deal.parties)
        )
        blocking = tuple(
            (party, match)
            for party, screened in zip(parties, screening.parties, strict=True)
            for match in screened.matches
            if (match.score >= screening.bands(party.index).block or screened.confirmed(match))
            and match.in_effect(deal.date)
        )
        return DealFacts(
            deal=deal,
            day=deal.date,
            items=items,
            countries=countries,
            screening=screening,
            parties=parties,
            end_uses=frozenset(deal.end_uses),
            where=where,
            inventory=inventory,
            blocking=blocking,
        )

    @property
    def destination(self) -> str:
        return self.where.destination

    @property
    def located(self) -> tuple[tuple[str, str], ...]:
        return self.where.located

    @property
    def headquarters(self) -> tuple[tuple[str, str], ...]:
        return self.where.headquarters

    @property
    def advanced_computing_applies(self) -> bool:
        """The D:5 advanced computing rule's ground: a place of concern and an advanced
        computing item or controlled weights."""
        return bool(self.where.concern) and bool(self.inventory.computing or self.inventory.weights)

    def groups_of(self, code: str, among: tuple[str, ...]) -> tuple[str, ...]:
        """Which of the groups ``among`` the (effective) country ``code`` is in."""
        return self.countries.groups_among(code, among)


@dataclass(frozen=True, slots=True)
class Inventory:
    """A deal's items as the rules see them."""

    computing: tuple[DealItem, ...]
    """Items that are advanced computing items."""
    weights: tuple[DealItem, ...]
    """Items that are controlled model weights."""
    kinds: frozenset[ComponentKind]
    model_access: frozenset[ModelAccess]
    """How the deal's models are made available."""
    accelerators: int
    """Accelerators in all hardware components together, after quantities."""
    surveillance: tuple[DealItem, ...]
    """Items with surveillance-capable capabilities."""


def inventory(items: tuple[DealItem, ...], params: ParameterValues) -> Inventory:
    """What the rules ask of a deal's items, in one pass."""
    computing, weights, surveillance = [], [], []
    kinds: set[ComponentKind] = set()
    access: set[ModelAccess] = set()
    accelerators = 0
    for item in items:
        component = item.component
        kind = component.kind
        kinds.add(kind)
        if kind is ComponentKind.HARDWARE:
            accelerators += item.units or 0
        elif isinstance(component, ModelComponent):
            if component.access is not None:
                access.add(component.access)
            if is_controlled_weights(item, params):
                weights.append(item)
        if is_advanced_computing_item(item, params):
            computing.append(item)
        if component.capabilities:
            surveillance.append(item)
    return Inventory(
        tuple(computing),
        tuple(weights),
        frozenset(kinds),
        frozenset(access),
        accelerators,
        tuple(surveillance),
    )


def _where(index: int, attribute: str) -> str:
    return f"parties[{index}].{attribute}"


def is_advanced_computing_item(item: DealItem, params: ParameterValues) -> bool:
    return is_advanced_computing(
        item.component.eccn, params.advanced_computing_prefixes, params.advanced_computing_z_bases
    )


def is_controlled_weights(item: DealItem, params: ParameterValues) -> bool:
    """Spec: a model with a 4E091 ECCN, or closed weights trained with more than the
    threshold of operations whose weights are transferred."""
    component = item.component
    if not isinstance(component, ModelComponent):
        return False
    if any(component.eccn.startswith(eccn) for eccn in params.controlled_weights_eccns):
        return True
    return (
        component.weights is ModelWeights.CLOSED
        and component.access is ModelAccess.WEIGHTS
        and component.training_ops is not None
        and component.training_ops > params.controlled_weights_min_training_ops
    )

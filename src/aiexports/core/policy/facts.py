"""The facts about one deal that every rule reads, computed once per assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from aiexports.core.catalog import Menu
from aiexports.core.components import AnyComponent, HardwareComponent, ModelComponent
from aiexports.core.countries import CountryBook
from aiexports.core.deal import Deal, Party
from aiexports.core.eccn import is_advanced_computing
from aiexports.core.policy.pack import ParameterValues
from aiexports.core.screening.results import ScreeningResult
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


def resolve_items(deal: Deal, menu: Menu) -> tuple[DealItem, ...]:
    """The package's components followed by the deal's own, each once, with quantities."""
    if deal.package is not None and not deal.components:
        # Deals naming only a package repeat across a portfolio: resolve each once.
        key = (menu.version, deal.package, tuple(deal.quantities.items()))
        found = _PACKAGE_ITEMS.get(key)
        if found is None:
            if len(_PACKAGE_ITEMS) > 4096:
                _PACKAGE_ITEMS.clear()
            found = _PACKAGE_ITEMS[key] = _resolve(deal, menu)
        return found
    return _resolve(deal, menu)


_PACKAGE_ITEMS: dict[tuple[object, ...], tuple[DealItem, ...]] = {}


def _resolve(deal: Deal, menu: Menu) -> tuple[DealItem, ...]:
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


@dataclass(slots=True)
class DealFacts:
    """One deal as the rules see it; country codes are effective (Hong Kong → China).

    Everything several rules need is computed once here: where each country appears,
    and which items are advanced computing items or controlled model weights."""

    deal: Deal
    day: dt.date
    items: tuple[DealItem, ...]
    countries: CountryBook
    screening: ScreeningResult
    destination: str
    parties: tuple[PartyFacts, ...]
    end_uses: frozenset[EndUse]
    located: tuple[tuple[str, str], ...]
    """(where, code) for the destination and every party's country and headquarters."""
    headquarters: tuple[tuple[str, str], ...]
    """(where, code) of every party's headquarters (its country when not given)."""
    inventory: Inventory
    """What the rules ask of the deal's items."""
    fired: set[str] = field(default_factory=set)

    @staticmethod
    def of(
        deal: Deal,
        items: tuple[DealItem, ...],
        countries: CountryBook,
        screening: ScreeningResult,
        params: ParameterValues,
    ) -> DealFacts:
        parties = tuple(
            PartyFacts(
                index,
                party,
                countries.effective_code(party.country),
                countries.effective_code(party.headquarters_country),
            )
            for index, party in enumerate(deal.parties)
        )
        destination = countries.effective_code(deal.destination)
        located = [("destination", destination)]
        for party in parties:
            located.append((_where(party.index, "country"), party.country))
            if party.party.headquarters is not None:
                located.append((_where(party.index, "headquarters"), party.headquarters))
        return DealFacts(
            deal=deal,
            day=deal.date,
            items=items,
            countries=countries,
            screening=screening,
            destination=destination,
            parties=parties,
            end_uses=frozenset(deal.end_uses),
            located=tuple(located),
            headquarters=tuple((_where(p.index, "headquarters"), p.headquarters) for p in parties),
            inventory=inventory(items, params),
        )

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
    """What the rules ask of a deal's items, in one pass; remembered for the item lists
    that repeat (a package's resolution is shared by every deal naming only it)."""
    key = (id(items), id(params))
    cached = _SUMMARIES.get(key)
    if cached is not None and cached[0] is items and cached[1] is params:
        return cached[2]
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
    summary = Inventory(
        tuple(computing),
        tuple(weights),
        frozenset(kinds),
        frozenset(access),
        accelerators,
        tuple(surveillance),
    )
    if len(_SUMMARIES) > 8192:
        _SUMMARIES.clear()
    _SUMMARIES[key] = (items, params, summary)
    return summary


_SUMMARIES: dict[tuple[int, int], tuple[tuple[DealItem, ...], ParameterValues, Inventory]] = {}


@lru_cache(maxsize=256)
def _where(index: int, attribute: str) -> str:
    return f"parties[{index}].{attribute}"


def is_advanced_computing_item(item: DealItem, params: ParameterValues) -> bool:
    key = (
        item.component.eccn,
        params.advanced_computing_prefixes,
        params.advanced_computing_z_bases,
    )
    known = _ADVANCED.get(key)
    if known is None:
        if len(_ADVANCED) > 4096:
            _ADVANCED.clear()
        known = _ADVANCED[key] = is_advanced_computing(*key)
    return known


_ADVANCED: dict[tuple[str, tuple[str, ...], tuple[str, ...]], bool] = {}


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

"""The menu: priority AI export packages offered by vendor consortia.

A package is a full-stack offer in the program's five layers (hardware and cloud, data,
models, security, sector applications) plus governance and sovereignty assurances.
:func:`review_proposal` applies the program's proposal rules to one package; every
finding names a rule id, the field it concerns and the program text behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import Field, model_validator

from aiexports.core.components import AnyComponent, Component, GovernanceComponent
from aiexports.core.countries import CountryBook
from aiexports.core.records import (
    Count,
    CountryCode,
    Day,
    Flag,
    Identifier,
    NonEmptyStr,
    Number,
    Record,
)
from aiexports.core.sovereignty import Assurances
from aiexports.core.vocabulary import ComponentKind, PackageStatus, PartyType
from aiexports.errors import InputError, Issue, NotFoundError

_Fail = Callable[[str, str, str], None]
"""Records a broken proposal rule: (rule id, field path, message)."""


class Parent(Record):
    """A company that owns or controls a consortium member (directly or through others)."""

    name: NonEmptyStr
    country: CountryCode = Field(description="Where the parent is incorporated or located")
    headquarters: CountryCode | None = Field(
        default=None, description="Where it is controlled from, when not its country"
    )


class ConsortiumMember(Record):
    name: NonEmptyStr
    country: CountryCode = Field(description="Where the member is located")
    headquarters: CountryCode | None = Field(
        default=None, description="Country of the ultimate parent; defaults to country"
    )
    parents: tuple[Parent, ...] = Field(
        default=(), description="The chain of owners or controllers, nearest first"
    )
    role: NonEmptyStr = Field(description="What the member contributes, e.g. 'cloud operator'")

    @property
    def headquarters_country(self) -> str:
        return self.headquarters or self.country


class Consortium(Record):
    name: NonEmptyStr
    anchor_member: NonEmptyStr = Field(description="Name of the member who submits the proposal")
    members: Annotated[tuple[ConsortiumMember, ...], Field(min_length=1)]
    fictional: Flag = Field(
        default=False, description="True for illustrative consortia that do not exist"
    )


class Layer(Record):
    summary: NonEmptyStr
    components: tuple[Component, ...] = ()


class HardwareLayer(Layer):
    """Layer 1: AI-optimized hardware, data-center storage, cloud and networking."""

    us_content_share: Number = Field(
        ge=0, le=1, description="Share of the layer's aggregate value that is U.S.-origin"
    )
    us_manufacturing: str | None = Field(
        default=None, description="Statement of the extent of U.S. manufacturing"
    )


class ApplicationLayer(Layer):
    """Layer 5: sector applications."""

    sectors: tuple[NonEmptyStr, ...] = ()


class Layers(Record):
    hardware: HardwareLayer
    data: Layer = Field(description="Layer 2: data pipelines and labeling")
    models: Layer = Field(description="Layer 3: models and systems")
    security: Layer = Field(description="Layer 4: measures securing the models and systems")
    applications: ApplicationLayer


LAYER_KINDS: Mapping[str, frozenset[ComponentKind]] = MappingProxyType(
    {
        "hardware": frozenset({ComponentKind.HARDWARE, ComponentKind.CLOUD}),
        "data": frozenset({ComponentKind.DATA_PIPELINE}),
        "models": frozenset({ComponentKind.MODEL}),
        "security": frozenset({ComponentKind.SECURITY}),
        "applications": frozenset({ComponentKind.APPLICATION}),
    }
)
LAYER_NAMES = tuple(LAYER_KINDS)


class Governance(Record):
    framework: NonEmptyStr = Field(
        default="nist-ai-rmf-1.0", description="Id of a bundled risk-management framework"
    )
    rmf_subcategories: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Framework subcategories the package implements, e.g. 'MAP 1.1'"
    )
    generative_ai_profile: Flag = Field(
        default=False, description="Applies the NIST AI 600-1 Generative AI Profile"
    )
    human_rights_due_diligence: str | None = None
    components: tuple[GovernanceComponent, ...] = ()


class Sovereignty(Record):
    """What the buyer is assured about control of its data, keys and operations."""

    data_residency: Literal["in_country", "regional", "provider_region"]
    key_custody: Literal["buyer", "joint", "provider"]
    operator: Literal["buyer", "local_partner", "consortium"]
    exit_and_portability: NonEmptyStr
    audit_rights: Flag
    local_capacity: str | None = Field(default=None, description="Skills and staffing transfer")


class Offer(Record):
    """What a partner weighs besides the law: price, languages, time to deliver."""

    indicative_price_usd: Annotated[Number, Field(gt=0, le=1e12)]
    languages: Annotated[tuple[LanguageCode, ...], Field(min_length=1)] = Field(
        description="ISO 639-1 codes of the languages the applications serve"
    )
    lead_time_months: Annotated[Count, Field(ge=1, le=120)]


class OperatingModel(Record):
    builds: NonEmptyStr
    owns: NonEmptyStr
    operates: NonEmptyStr


FederalSupport = Literal["EXIM", "DFC", "USTDA", "advocacy", "none"]
PackageTier = Literal["flagship", "standard", "starter"]


H100_TPP = 15831
"""Total Processing Performance of one H100 (1,978.9 TOPS × 8 bits): the unit of compute
the program counts in (H100 equivalents)."""

LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]


class Package(Record):
    """A priority AI export package as offered on (or proposed for) the menu."""

    id: Identifier
    version: Annotated[Count, Field(ge=1)]
    title: NonEmptyStr
    summary: NonEmptyStr
    status: PackageStatus
    status_date: Day | None = None
    tier: PackageTier
    sectors: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)]
    buyers: Annotated[tuple[PartyType, ...], Field(min_length=1)]
    consortium: Consortium
    target_countries: tuple[CountryCode, ...] = ()
    target_blocs: tuple[Identifier, ...] = Field(
        default=(), description="Regional blocs targeted, by the program's bloc ids (e.g. asean)"
    )
    operating_model: OperatingModel
    federal_support: tuple[FederalSupport, ...] = ()
    layers: Layers
    governance: Governance
    sovereignty: Sovereignty
    surveillance_safeguards: str | None = Field(
        default=None, description="How surveillance-capable parts are kept from abuse"
    )
    offer: Offer | None = None
    assurances: Assurances | None = Field(
        default=None, description="Sovereignty assurances as measured, attested attributes"
    )

    def components(self) -> tuple[AnyComponent, ...]:
        """Every component, layer by layer, then governance."""
        parts: list[AnyComponent] = []
        for name in LAYER_NAMES:
            parts.extend(getattr(self.layers, name).components)
        parts.extend(self.governance.components)
        return tuple(parts)

    def compute_h100e(self) -> float:
        """The accelerators the package ships, in H100 equivalents (TPP / 15,831 each,
        the H100's Total Processing Performance)."""
        total = 0.0
        for component in self.components():
            tpp = getattr(component, "tpp", None)
            units = getattr(component, "units", None)
            if tpp and units:
                total += tpp * units / H100_TPP
        return round(total, 1)

    @property
    def surveillance_capable(self) -> bool:
        return any(component.capabilities for component in self.components())


@dataclass(frozen=True)
class Menu:
    """The packages on the menu and the catalog of their components by id."""

    packages: Mapping[str, Package]
    version: str

    def package(self, package_id: str) -> Package:
        try:
            return self.packages[package_id]
        except KeyError:
            raise NotFoundError(f"no package {package_id!r} on the menu") from None

    def component_catalog(self) -> dict[str, AnyComponent]:
        return {c.id: c for p in self.packages.values() for c in p.components()}


def build_menu(packages: Iterable[Package], version: str) -> Menu:
    """A menu, refusing duplicate package ids and component ids shared between packages."""
    by_id: dict[str, Package] = {}
    owner: dict[str, str] = {}
    issues: list[Issue] = []
    for package in packages:
        if package.id in by_id:
            issues.append(Issue(f"package id {package.id!r} appears twice", field="id"))
            continue
        by_id[package.id] = package
        for component in package.components():
            if component.id in owner and owner[component.id] != package.id:
                issues.append(
                    Issue(
                        f"component id {component.id!r} is also used by package "
                        f"{owner[component.id]!r}; component ids are unique on the menu",
                        field="components",
                    )
                )
            owner.setdefault(component.id, package.id)
    if issues:
        raise InputError(issues)
    return Menu(by_id, version)


# --- proposal rules ---------------------------------------------------------------------


class Bloc(Record):
    """A regional bloc a package may target as a whole."""

    name: NonEmptyStr
    members: Annotated[tuple[CountryCode, ...], Field(min_length=1)]
    source: NonEmptyStr


class ProgramTerms(Record):
    """The program's proposal requirements, as data (FR Doc 2026-06952)."""

    us_content_min_share: Number = Field(ge=0, le=1)
    embargo_groups: tuple[str, ...]
    citations: dict[str, tuple[str, ...]]
    warnings: tuple[str, ...] = Field(
        default=(), description="Rules whose findings flag a proposal without rejecting it"
    )
    blocs: dict[str, Bloc] = Field(default_factory=dict)
    rmf_required_maturity: Annotated[int, Field(ge=1, le=4, strict=True)] = Field(
        default=3,
        description="The NIST AI RMF maturity a package's committed subcategories reach",
    )
    rmf_remediation_days: dict[str, Annotated[int, Field(ge=1, le=3650, strict=True)]] = Field(
        default_factory=lambda: {
            "not_started": 90,
            "partial": 180,
            "not_applicable": 90,
            "below_maturity": 180,
        },
        description="Days from the assessment to the due date of each kind of gap",
    )

    @model_validator(mode="after")
    def _every_kind_of_gap_dated(self) -> ProgramTerms:
        kinds = {"not_started", "partial", "not_applicable", "below_maturity"}
        if set(self.rmf_remediation_days) != kinds:
            raise ValueError(f"rmf_remediation_days dates each of {sorted(kinds)}")
        return self

    denied_targets: dict[CountryCode, NonEmptyStr] = Field(
        default_factory=dict,
        description="Countries the program does not promote packages to, each with the "
        "control that bars them (a country of concern is barred by the program itself)",
    )


Severity = Literal["error", "warning"]


class ProposalFinding(Record):
    rule: str
    field: str
    message: str
    citations: tuple[str, ...]
    severity: Severity = Field(
        default="error",
        description="error: the package may not be designated; warning: "
        "it may, with the justification the message asks for",
    )


@dataclass(frozen=True)
class FrameworkCatalog:
    """Ids of a risk-management framework's subcategories (e.g. NIST AI RMF 1.0)."""

    id: str
    subcategories: frozenset[str]
    functions: tuple[str, ...]


def review_proposal(
    package: Package,
    countries: CountryBook,
    terms: ProgramTerms,
    frameworks: Mapping[str, FrameworkCatalog],
) -> tuple[ProposalFinding, ...]:
    """Every proposal rule the package breaks or is flagged by (empty when it may go on
    the menu as it is). Findings of the rules in ``terms.warnings`` are warnings."""
    found: list[ProposalFinding] = []

    def fail(rule: str, field: str, message: str) -> None:
        found.append(
            ProposalFinding(
                rule=rule,
                field=field,
                message=message,
                citations=terms.citations.get(rule, ()),
                severity="warning" if rule in terms.warnings else "error",
            )
        )

    for name in LAYER_NAMES:
        layer: Layer = getattr(package.layers, name)
        if not layer.components:
            fail(
                "PKG_FULL_STACK",
                f"layers.{name}.components",
                f"the {name} layer offers no component; a package covers all five layers",
            )
        for index, component in enumerate(layer.components):
            if component.kind not in LAYER_KINDS[name]:
                allowed = ", ".join(sorted(LAYER_KINDS[name]))
                fail(
                    "PKG_LAYER_KIND",
                    f"layers.{name}.components[{index}].kind",
                    f"a {component.kind} component does not belong in the {name} layer "
                    f"(allowed: {allowed})",
                )
    _check_component_ids(package, fail)

    members = {member.name for member in package.consortium.members}
    if package.consortium.anchor_member not in members:
        fail(
            "PKG_ANCHOR_MEMBER",
            "consortium.anchor_member",
            f"anchor member {package.consortium.anchor_member!r} is not a consortium member",
        )
    for index, member in enumerate(package.consortium.members):
        concern = _control_of_concern(member, countries)
        if concern is not None:
            where, how = concern
            fail("PKG_MEMBER_OF_CONCERN", f"consortium.members[{index}].{where}", how)

    share = package.layers.hardware.us_content_share
    if share < terms.us_content_min_share:
        fail(
            "PKG_US_CONTENT",
            "layers.hardware.us_content_share",
            f"U.S.-content presumption not met: needs a documented justification (U.S. "
            f"content of the hardware layer is {_percent(share)}, below the "
            f"{_percent(terms.us_content_min_share)} of its aggregate value the program "
            "presumes sufficient)",
        )

    _check_targets(package, countries, terms, fail)
    if package.surveillance_capable and not package.surveillance_safeguards:
        fail(
            "PKG_SURVEILLANCE_SAFEGUARDS",
            "surveillance_safeguards",
            "a surveillance-capable package states its safeguards against abuse",
        )

    _check_governance(package.governance, frameworks, fail)
    return tuple(found)


def _control_of_concern(member: ConsortiumMember, countries: CountryBook) -> tuple[str, str] | None:
    """Where a member is located in, or owned or controlled from, a country of concern:
    its own country, its headquarters, or any parent's country or headquarters."""
    places: list[tuple[str, str, str]] = [
        ("country", member.country, f"member {member.name!r} is located in"),
        ("headquarters", member.headquarters_country, f"member {member.name!r} is controlled from"),
    ]
    for index, parent in enumerate(member.parents):
        owner = f"member {member.name!r} is owned or controlled through its parent {parent.name!r},"
        places.append((f"parents[{index}].country", parent.country, f"{owner} located in"))
        if parent.headquarters is not None:
            places.append(
                (f"parents[{index}].headquarters", parent.headquarters, f"{owner} controlled from")
            )
    for where, code, how in places:
        if countries.effective(code).country_of_concern:
            return where, f"{how} {code}, a country of concern"
    return None


def _check_targets(
    package: Package, countries: CountryBook, terms: ProgramTerms, fail: _Fail
) -> None:
    if not package.target_countries and not package.target_blocs:
        fail(
            "PKG_TARGETS",
            "target_countries",
            "a package names at least one target country or regional bloc",
        )
    targets: list[tuple[str, str, str]] = [
        (f"target_countries[{i}]", code, code) for i, code in enumerate(package.target_countries)
    ]
    for index, bloc_id in enumerate(package.target_blocs):
        bloc = terms.blocs.get(bloc_id)
        where = f"target_blocs[{index}]"
        if bloc is None:
            known = ", ".join(sorted(terms.blocs)) or "none"
            fail("PKG_TARGETS", where, f"unknown regional bloc {bloc_id!r} (known: {known})")
            continue
        targets.extend((where, code, f"{code} (a member of {bloc.name})") for code in bloc.members)
    for where, code, label in targets:
        profile = countries.effective(code)
        if countries.in_any_group(code, terms.embargo_groups):
            fail(
                "PKG_EMBARGOED_TARGET",
                where,
                f"{label} is in an embargoed country group and cannot be a target",
            )
        elif profile.country_of_concern:
            fail(
                "PKG_TARGET_OF_CONCERN",
                where,
                f"{label} is a country of concern: the program promotes packages to allies "
                "and partners, not to countries of concern",
            )
        elif code in terms.denied_targets:
            fail(
                "PKG_DENIED_TARGET",
                where,
                f"{label} cannot be a target: {terms.denied_targets[code]}",
            )
        elif package.surveillance_capable and profile.risk_tier == "high":
            fail(
                "PKG_SURVEILLANCE_TARGET",
                where,
                f"{label} has a high human-rights risk tier and the package is "
                "surveillance-capable",
            )


def _percent(share: float) -> str:
    """50.9% as 50.9%, not rounded up to the threshold it misses."""
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _check_component_ids(package: Package, fail: _Fail) -> None:
    seen: set[str] = set()
    for component in package.components():
        if component.id in seen:
            fail(
                "PKG_COMPONENT_IDS",
                "layers",
                f"component id {component.id!r} appears twice in the package",
            )
        seen.add(component.id)


def _check_governance(
    governance: Governance, frameworks: Mapping[str, FrameworkCatalog], fail: _Fail
) -> None:
    framework = frameworks.get(governance.framework)
    if framework is None:
        known = ", ".join(sorted(frameworks))
        fail(
            "PKG_RMF_ALIGNMENT",
            "governance.framework",
            f"unknown framework {governance.framework!r} (known: {known})",
        )
        return
    unknown = [s for s in governance.rmf_subcategories if s not in framework.subcategories]
    for index, subcategory in enumerate(governance.rmf_subcategories):
        if subcategory in unknown:
            fail(
                "PKG_RMF_ALIGNMENT",
                f"governance.rmf_subcategories[{index}]",
                f"{subcategory!r} is not a subcategory of {framework.id}",
            )
    covered = {s.split(" ", 1)[0] for s in governance.rmf_subcategories}
    missing = [f for f in framework.functions if f not in covered]
    if missing:
        fail(
            "PKG_RMF_ALIGNMENT",
            "governance.rmf_subcategories",
            f"no subcategory of {', '.join(missing)}; alignment covers every function "
            f"of {framework.id}",
        )

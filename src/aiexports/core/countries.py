"""Partner-country profiles and the country tests the rules make.

A :class:`CountryBook` is built from reference data by :func:`build_country_book`; the
rules ask it questions (``in_any_group``, ``groups_among``, ``effective``) about the
*effective* country, so that a code treated as another (Hong Kong as China) is handled in
one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import Field

from aiexports.core.records import Count, Flag, Record
from aiexports.core.vocabulary import RiskTier
from aiexports.errors import NotFoundError, ReferenceDataError


class GroupInfo(Record):
    """One EAR country group as shipped: members and how far they were verified."""

    code: str
    title: str
    members: tuple[str, ...]
    confidence: str
    notes: str = ""
    sources: tuple[str, ...] = ()


class CountryProfile(Record):
    code: str
    name: str
    other_names: tuple[str, ...] = ()
    ear_groups: tuple[str, ...] = Field(description="EAR Country Groups, e.g. D:1, E:1")
    ai_diffusion_tier: Count = Field(ge=1, le=3, description="Tier under 90 FR 4544")
    military_end_use_744_21: Flag = Field(description="Listed in 15 CFR 744.21")
    risk_tier: RiskTier = Field(description="Human-rights risk tier (default or imported)")
    risk_tier_basis: str = ""
    treated_as: str | None = Field(default=None, description="Code used for every country test")
    country_of_concern: Flag = Field(
        default=False, description="Program country of concern (PRC incl. Hong Kong and Macau)"
    )
    echri_signatory: Flag = False


@dataclass(frozen=True)
class CountryBook:
    """Every known country's profile, plus the group tables it was built from."""

    profiles: Mapping[str, CountryProfile]
    groups: Mapping[str, GroupInfo]
    version: str
    name_index: Mapping[str, str] = field(default_factory=dict)
    _effective: dict[str, CountryProfile] = field(default_factory=dict, compare=False, repr=False)
    _groups: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __contains__(self, code: object) -> bool:
        return code in self.profiles

    def profile(self, code: str) -> CountryProfile:
        """The profile shipped for ``code`` itself (Hong Kong's own, say)."""
        try:
            return self.profiles[code]
        except KeyError:
            raise NotFoundError(f"unknown country code {code!r}") from None

    def effective(self, code: str) -> CountryProfile:
        """The profile every country test uses for ``code`` (Hong Kong → China)."""
        found = self._effective.get(code)
        if found is None:
            own = self.profile(code)
            found = self._effective[code] = self.profiles[own.treated_as] if own.treated_as else own
        return found

    def groups_among(self, code: str, among: tuple[str, ...]) -> tuple[str, ...]:
        """The groups of ``among`` that ``code``'s effective profile is in (remembered:
        the rules ask the same questions of every deal)."""
        key = (code, among)
        found = self._groups.get(key)
        if found is None:
            own = self.effective(code).ear_groups
            found = self._groups[key] = tuple(group for group in among if group in own)
        return found

    def effective_code(self, code: str) -> str:
        return self.effective(code).code

    def in_any_group(self, code: str, groups: Iterable[str]) -> bool:
        own = self.effective(code).ear_groups
        return any(group in own for group in groups)

    def code_for_name(self, name: str) -> str | None:
        """ISO code for a country name as written in list files ("Korea, North" → KP)."""
        return self.name_index.get(normalize_country_name(name))


def normalize_country_name(name: str) -> str:
    return " ".join(name.replace(",", " ").replace(".", " ").lower().split())


@dataclass(frozen=True)
class CountrySources:
    """The reference inputs a country book is derived from."""

    iso_countries: tuple[tuple[str, tuple[str, ...]], ...]
    """(alpha-2 code, names: short name first) for every ISO 3166-1 country, plus XK."""
    groups: Mapping[str, GroupInfo]
    diffusion_tier1: frozenset[str]
    military_end_use: frozenset[str]
    echri_signatories: frozenset[str]
    high_risk_groups: tuple[str, ...]
    high_risk_extra: frozenset[str]
    treated_as: Mapping[str, str]
    countries_of_concern: frozenset[str]
    tier3_extra: frozenset[str]
    name_aliases: Mapping[str, str]
    risk_tier_overrides: Mapping[str, RiskTier] = field(default_factory=dict)
    version: str = ""


def build_country_book(sources: CountrySources) -> CountryBook:
    """Derive every profile from the group tables and the spec's default tiering."""
    known = {code for code, _ in sources.iso_countries}
    _check_codes(sources, known)
    membership: dict[str, list[str]] = {code: [] for code in known}
    for group in sources.groups.values():
        for member in group.members:
            membership[member].append(group.code)
    tier3_groups = ("D:5",)
    profiles: dict[str, CountryProfile] = {}
    for code, spellings in sources.iso_countries:
        groups = tuple(sorted(membership[code]))
        if code in sources.diffusion_tier1:
            tier = 1
        elif code in sources.tier3_extra or any(g in groups for g in tier3_groups):
            tier = 3
        else:
            tier = 2
        risk, basis = _default_risk_tier(code, groups, sources)
        if code in sources.risk_tier_overrides:
            risk, basis = sources.risk_tier_overrides[code], "imported index"
        profiles[code] = CountryProfile(
            code=code,
            name=spellings[0],
            other_names=spellings[1:],
            ear_groups=groups,
            ai_diffusion_tier=tier,
            military_end_use_744_21=code in sources.military_end_use,
            risk_tier=risk,
            risk_tier_basis=basis,
            treated_as=sources.treated_as.get(code),
            country_of_concern=code in sources.countries_of_concern,
            echri_signatory=code in sources.echri_signatories,
        )
    for code, target in sources.treated_as.items():
        base = profiles[target]
        profiles[code] = profiles[code].model_copy(
            update={
                "ear_groups": base.ear_groups,
                "ai_diffusion_tier": base.ai_diffusion_tier,
                "military_end_use_744_21": base.military_end_use_744_21,
                "risk_tier": base.risk_tier,
                "risk_tier_basis": f"treated as {target}",
                "country_of_concern": base.country_of_concern
                or code in sources.countries_of_concern,
            }
        )
    return CountryBook(profiles, dict(sources.groups), sources.version, _name_index(sources))


def _name_index(sources: CountrySources) -> dict[str, str]:
    """Normalised country names (ISO names, codes and list spellings) to codes."""
    index: dict[str, str] = {}
    for code, spellings in sources.iso_countries:
        index[normalize_country_name(code)] = code
        for name in spellings:
            index[normalize_country_name(name)] = code
    for alias, code in sources.name_aliases.items():
        index[normalize_country_name(alias)] = code
    return index


def _default_risk_tier(
    code: str, groups: tuple[str, ...], sources: CountrySources
) -> tuple[RiskTier, str]:
    high = [g for g in sources.high_risk_groups if g in groups]
    if high or code in sources.high_risk_extra:
        return RiskTier.HIGH, "in " + ", ".join(high or [code])
    if code in sources.echri_signatories:
        return RiskTier.LOW, "Export Controls and Human Rights Initiative Code of Conduct"
    return RiskTier.ELEVATED, "default"


def _check_codes(sources: CountrySources, known: set[str]) -> None:
    named = [
        *(m for g in sources.groups.values() for m in g.members),
        *sources.diffusion_tier1,
        *sources.military_end_use,
        *sources.echri_signatories,
        *sources.high_risk_extra,
        *sources.treated_as,
        *sources.treated_as.values(),
        *sources.countries_of_concern,
        *sources.tier3_extra,
        *sources.name_aliases.values(),
        *sources.risk_tier_overrides,
    ]
    unknown = sorted({code for code in named if code not in known})
    if unknown:
        raise ReferenceDataError(f"country reference data names unknown codes: {unknown}")

"""Policy packs: versioned, dated data that the rules read.

A pack has effective-date ranges, the ids of the rules it enables (in the order findings
are reported), citations per rule, condition texts and dated parameters. A parameter is a
list of ``{since, value}`` steps; its value at a date is the last step whose ``since`` is
on or before that date (the OpenFisca pattern). Parameters are typed here, so a pack with
a misspelt or ill-typed parameter fails to load instead of silently changing a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from aiexports.core.determination import EffectiveRange, PolicyRef
from aiexports.core.eccn import Eccn
from aiexports.core.records import NonEmptyStr, Record
from aiexports.core.vocabulary import (
    ComponentKind,
    EndUse,
    ListCode,
    ModelAccess,
    Outcome,
    PartyType,
    ReviewPolicy,
    RiskTier,
)
from aiexports.errors import InputError, Issue, NotFoundError

T = TypeVar("T")


class Step(BaseModel, Generic[T]):
    model_config = ConfigDict(frozen=True, extra="forbid")

    since: dt.date | None = Field(default=None, description="First date of this value")
    value: T
    source: str | None = Field(default=None, description="Where the value comes from")


class Dated(BaseModel, Generic[T]):
    """A parameter whose value may change on given dates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: Annotated[tuple[Step[T], ...], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: object) -> object:
        return {"steps": data} if isinstance(data, list | tuple) else data

    @model_validator(mode="after")
    def _ordered(self) -> Dated[T]:
        dates = [step.since for step in self.steps]
        if dates[0] is not None and len(dates) > 1 and None in dates[1:]:
            raise ValueError("only the first step may have no 'since' date")
        known = [d for d in dates if d is not None]
        if known != sorted(set(known)):
            raise ValueError("steps must be in increasing 'since' order without repeats")
        return self

    def at(self, day: dt.date) -> T:
        chosen: Step[T] | None = None
        for step in self.steps:
            if step.since is None or step.since <= day:
                chosen = step
        if chosen is None:
            # Before the first dated step: the rule did not exist yet in this pack.
            raise _BeforeFirstStepError
        return chosen.value


class _BeforeFirstStepError(Exception):
    pass


class Verdict(Record):
    outcome: Outcome
    review_policy: ReviewPolicy | None = None
    conditions: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _policy_with_license(self) -> Verdict:
        if (self.review_policy is None) == (self.outcome is Outcome.LICENSE_REQUIRED):
            raise ValueError(
                "a review_policy is given exactly when the outcome is license_required"
            )
        return self


class CountryTest(Record):
    """Countries in any of ``groups`` or listed in ``countries``."""

    groups: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


class CaseByCaseClause(Record):
    """Hardware below ``tpp_below`` going only to ``countries`` is reviewed case by case."""

    countries: tuple[str, ...]
    tpp_below: float


class Parameters(Record):
    """Every parameter a rule may read, each dated."""

    embargo_groups: Dated[tuple[str, ...]]
    russia_belarus_countries: Dated[tuple[str, ...]]
    prohibited_lists: Dated[tuple[ListCode, ...]]
    license_lists: Dated[tuple[ListCode, ...]]
    unverified_lists: Dated[tuple[ListCode, ...]]
    advanced_computing_prefixes: Dated[tuple[Eccn, ...]]
    advanced_computing_z_bases: Dated[tuple[Eccn, ...]]
    controlled_weights_eccns: Dated[tuple[Eccn, ...]]
    controlled_weights_min_training_ops: Dated[float]
    advanced_computing_concern: Dated[CountryTest]
    d5_hardware_case_by_case: Dated[CaseByCaseClause | None]
    d1_d4_groups: Dated[tuple[str, ...]]
    d1_d4_exempt_groups: Dated[tuple[str, ...]]
    military_party_types: Dated[tuple[PartyType, ...]]
    military_end_uses: Dated[tuple[EndUse, ...]]
    wmd_end_uses: Dated[tuple[EndUse, ...]]
    frontier_training_end_uses: Dated[tuple[EndUse, ...]]
    frontier_component_kinds: Dated[tuple[ComponentKind, ...]]
    surveillance_party_types: Dated[tuple[PartyType, ...]]
    surveillance_end_uses: Dated[tuple[EndUse, ...]]
    surveillance_by_risk_tier: Dated[dict[RiskTier, Verdict]]
    psv_min_accelerators: Dated[int]
    weights_condition_access: Dated[tuple[ModelAccess, ...]]
    rmf_condition_kinds: Dated[tuple[ComponentKind, ...]]
    report_frequency: Dated[dict[RiskTier, str]]
    lpp_max_total_tpp: Dated[float | None] = Field(
        default_factory=lambda: Dated[float | None](steps=(Step[float | None](value=None),))
    )
    lpp_over_limit: Dated[Verdict | None] = Field(
        default_factory=lambda: Dated[Verdict | None](steps=(Step[Verdict | None](value=None),))
    )
    diffusion_weights_by_tier: Dated[dict[int, Verdict]] = Field(
        default_factory=lambda: Dated[dict[int, Verdict]](
            steps=(Step[dict[int, Verdict]](value={}),)
        )
    )


@dataclass(frozen=True, slots=True)
class ParameterValues:
    """The parameters as they stand on one date (what the rules read)."""

    embargo_groups: tuple[str, ...]
    russia_belarus_countries: tuple[str, ...]
    prohibited_lists: tuple[ListCode, ...]
    license_lists: tuple[ListCode, ...]
    unverified_lists: tuple[ListCode, ...]
    advanced_computing_prefixes: tuple[str, ...]
    advanced_computing_z_bases: tuple[str, ...]
    controlled_weights_eccns: tuple[str, ...]
    controlled_weights_min_training_ops: float
    advanced_computing_concern: CountryTest
    d5_hardware_case_by_case: CaseByCaseClause | None
    d1_d4_groups: tuple[str, ...]
    d1_d4_exempt_groups: tuple[str, ...]
    military_party_types: tuple[PartyType, ...]
    military_end_uses: tuple[EndUse, ...]
    wmd_end_uses: tuple[EndUse, ...]
    frontier_training_end_uses: tuple[EndUse, ...]
    frontier_component_kinds: tuple[ComponentKind, ...]
    surveillance_party_types: tuple[PartyType, ...]
    surveillance_end_uses: tuple[EndUse, ...]
    surveillance_by_risk_tier: dict[RiskTier, Verdict]
    psv_min_accelerators: int
    weights_condition_access: tuple[ModelAccess, ...]
    rmf_condition_kinds: tuple[ComponentKind, ...]
    report_frequency: dict[RiskTier, str]
    lpp_max_total_tpp: float | None
    lpp_over_limit: Verdict | None
    diffusion_weights_by_tier: dict[int, Verdict]


class ConditionText(Record):
    text: NonEmptyStr = Field(description="May hold {placeholders} the rule fills in")
    binding: bool = True


class PolicyPack(Record):
    """A versioned, dated policy: which rules apply, with what parameters and citations."""

    id: NonEmptyStr
    title: NonEmptyStr
    version: NonEmptyStr
    summary: str = ""
    effective: Annotated[tuple[EffectiveRange, ...], Field(min_length=1)]
    rules: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)]
    citations: dict[str, tuple[NonEmptyStr, ...]]
    conditions: dict[str, ConditionText]
    parameters: Parameters
    digest: str = Field(default="", description="sha256 of the pack's source, set by the reader")

    @model_validator(mode="after")
    def _consistent(self) -> PolicyPack:
        ranges = sorted(self.effective, key=lambda r: r.start or dt.date.min)
        for before, after in pairwise(ranges):
            if before.end is None or (after.start is not None and after.start <= before.end):
                raise ValueError("effective ranges overlap")
        for window in self.effective:
            if window.start and window.end and window.start > window.end:
                raise ValueError("an effective range ends before it starts")
        duplicates = {r for r in self.rules if self.rules.count(r) > 1}
        if duplicates:
            raise ValueError(f"rules listed twice: {sorted(duplicates)}")
        return self

    def in_force(self, day: dt.date) -> bool:
        return any(window.contains(day) for window in self.effective)

    def range_for(self, day: dt.date) -> EffectiveRange:
        """The effective range containing ``day``, or the nearest one."""
        return min(self.effective, key=lambda window: window.distance(day))

    def parameter_date(self, day: dt.date) -> dt.date:
        """``day`` itself when in force; otherwise the nearest date inside a range."""
        return self.range_for(day).nearest(day)

    def reference(self, day: dt.date) -> PolicyRef:
        cache = self.__pydantic_private__["_references"]  # type: ignore[index]
        found = cache.get(day)
        if found is None:
            window = self.range_for(day)
            found = cache[day] = PolicyRef(
                id=self.id,
                effective=window,
                version=self.version,
                title=self.title,
                digest=self.digest,
            )
        return found  # type: ignore[no-any-return]

    def values_at(self, day: dt.date) -> ParameterValues:
        """The parameters at ``day`` (or at the nearest date inside the pack's ranges)."""
        # Private attributes read through __getattr__; this runs once per determination.
        cache = self.__pydantic_private__["_values"]  # type: ignore[index]
        cached = cache.get(day)
        if cached is None:
            cached = cache[day] = _values_at(self, self.parameter_date(day))
        return cached  # type: ignore[no-any-return]

    _values: dict[dt.date, ParameterValues] = PrivateAttr(default_factory=dict)
    _references: dict[dt.date, PolicyRef] = PrivateAttr(default_factory=dict)


def _values_at(pack: PolicyPack, day: dt.date) -> ParameterValues:
    values = {}
    for name in ParameterValues.__slots__:
        dated: Dated[object] = getattr(pack.parameters, name)
        try:
            values[name] = dated.at(day)
        except _BeforeFirstStepError:
            raise InputError(
                Issue(f"pack {pack.id} has no value of {name} on {day}", field="date")
            ) from None
    return ParameterValues(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PackShelf:
    """The packs available to the engine, chosen by date or by id."""

    packs: Mapping[str, PolicyPack]
    _by_day: dict[dt.date, PolicyPack] = field(default_factory=dict, compare=False, repr=False)

    def named(self, pack_id: str) -> PolicyPack:
        try:
            return self.packs[pack_id]
        except KeyError:
            known = ", ".join(sorted(self.packs))
            raise NotFoundError(f"no policy pack {pack_id!r} (known: {known})") from None

    def in_force(self, day: dt.date) -> PolicyPack:
        found = self._by_day.get(day)
        if found is None:
            found = self._by_day[day] = self._find_in_force(day)
        return found

    def _find_in_force(self, day: dt.date) -> PolicyPack:
        matching = [pack for pack in self.packs.values() if pack.in_force(day)]
        if len(matching) != 1:
            names = ", ".join(pack.id for pack in matching) or "none"
            raise InputError(
                Issue(
                    f"{len(matching)} policy packs are in force on {day} ({names}); "
                    "name one with --policy",
                    field="date",
                )
            )
        return matching[0]

    def choose(self, day: dt.date, pack_id: str | None) -> PolicyPack:
        return self.named(pack_id) if pack_id else self.in_force(day)

"""Policy packs: versioned, dated data that the rules read.

A pack has effective-date ranges, the ids of the rules it enables (in the order findings
are reported), citations per rule, condition texts and dated parameters. A parameter is a
list of ``{since, value}`` steps; its value at a date is the last step whose ``since`` is
on or before that date (the OpenFisca pattern). Parameters are typed here, so a pack with
a misspelt or ill-typed parameter fails to load instead of silently changing a rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from itertools import pairwise
from typing import Annotated, Any, Generic, TypeVar, cast, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from aiexports.core.determination import EffectiveRange, PolicyRef
from aiexports.core.eccn import Eccn
from aiexports.core.records import Count, Day, Flag, NonEmptyStr, Number, Record
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
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    since: Day | None = Field(default=None, description="First date of this value")
    value: T
    source: str | None = Field(default=None, description="Where the value comes from")


class Dated(BaseModel, Generic[T]):
    """A parameter whose value may change on given dates."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

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
    tpp_below: Number


def _about(description: str, unit: str) -> dict[str, str]:
    """A parameter's meaning and unit (its type is the field's annotation)."""
    return {"description": description, "unit": unit}


@dataclass(frozen=True, slots=True)
class ParameterValues:
    """Every parameter a rule may read, as it stands on one date.

    This is the single declaration of the parameters: a pack gives each one as a dated
    list of steps (:class:`Dated`), whose model (:data:`Parameters`) is derived from the
    fields below, so that a parameter is typed, described and given a unit once."""

    embargo_groups: tuple[str, ...] = field(
        metadata=_about("Country groups under embargo", "country groups")
    )
    russia_belarus_countries: tuple[str, ...] = field(
        metadata=_about("Countries under the Russia/Belarus license requirement", "ISO codes")
    )
    prohibited_lists: tuple[ListCode, ...] = field(
        metadata=_about("Lists whose parties no one may deal with", "list codes")
    )
    license_lists: tuple[ListCode, ...] = field(
        metadata=_about("Lists whose parties need a license, presumption of denial", "list codes")
    )
    unverified_lists: tuple[ListCode, ...] = field(
        metadata=_about("Lists whose parties must give a UVL statement", "list codes")
    )
    advanced_computing_prefixes: tuple[Eccn, ...] = field(
        metadata=_about("ECCNs that are advanced computing items", "ECCN prefixes")
    )
    advanced_computing_z_bases: tuple[Eccn, ...] = field(
        metadata=_about("ECCNs whose .z paragraphs are advanced computing items", "ECCNs")
    )
    controlled_weights_eccns: tuple[Eccn, ...] = field(
        metadata=_about("ECCNs of controlled model weights", "ECCN prefixes")
    )
    controlled_weights_min_training_ops: Number = field(
        metadata=_about(
            "Training compute above which transferred closed weights are controlled", "operations"
        )
    )
    advanced_computing_concern: CountryTest = field(
        metadata=_about(
            "Destinations and headquarters of concern for advanced computing", "country test"
        )
    )
    d5_hardware_case_by_case: CaseByCaseClause | None = field(
        metadata=_about("Hardware reviewed case by case instead of presumption of denial", "clause")
    )
    d1_d4_groups: tuple[str, ...] = field(
        metadata=_about("Country groups needing a license for advanced computing", "country groups")
    )
    d1_d4_exempt_groups: tuple[str, ...] = field(
        metadata=_about("Country groups exempt from the D:1/D:4 requirement", "country groups")
    )
    military_party_types: tuple[PartyType, ...] = field(
        metadata=_about("Party types that are military end users", "party types")
    )
    military_end_uses: tuple[EndUse, ...] = field(metadata=_about("Military end uses", "end uses"))
    wmd_end_uses: tuple[EndUse, ...] = field(
        metadata=_about("Weapons-of-mass-destruction end uses", "end uses")
    )
    frontier_training_end_uses: tuple[EndUse, ...] = field(
        metadata=_about("End uses that are frontier model training", "end uses")
    )
    frontier_component_kinds: tuple[ComponentKind, ...] = field(
        metadata=_about("Component kinds that provide training compute", "component kinds")
    )
    surveillance_party_types: tuple[PartyType, ...] = field(
        metadata=_about("Party types the surveillance safeguard applies to", "party types")
    )
    surveillance_end_uses: tuple[EndUse, ...] = field(
        metadata=_about("End uses the surveillance safeguard applies to", "end uses")
    )
    surveillance_by_risk_tier: Mapping[RiskTier, Verdict] = field(
        metadata=_about(
            "The surveillance safeguard's verdict by human-rights risk tier", "verdicts"
        )
    )
    psv_min_accelerators: Count = field(
        metadata=_about(
            "Accelerators from which post-shipment verification is required", "accelerators"
        )
    )
    weights_condition_access: tuple[ModelAccess, ...] = field(
        metadata=_about("Model access modes that need weight security", "access modes")
    )
    rmf_condition_kinds: tuple[ComponentKind, ...] = field(
        metadata=_about("Component kinds that need a NIST AI RMF assessment", "component kinds")
    )
    report_frequency: Mapping[RiskTier, str] = field(
        metadata=_about("End-use reporting frequency by human-rights risk tier", "frequency")
    )
    lpp_max_total_tpp: Number | None = field(
        metadata=_about("Total processing performance allowed under License Exception LPP", "TPP"),
        default=None,
    )
    lpp_over_limit: Verdict | None = field(
        metadata=_about("The verdict above the LPP allowance", "verdict"), default=None
    )
    diffusion_weights_by_tier: Mapping[int, Verdict] = field(
        metadata=_about("The verdict for controlled weights by AI Diffusion tier", "verdicts"),
        default_factory=dict,
    )


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """What the declaration says of one parameter."""

    name: str
    type: Any
    description: str
    unit: str
    default: object
    required: bool


def _specs() -> tuple[ParameterSpec, ...]:
    hints = get_type_hints(ParameterValues, include_extras=True)
    specs = []
    for declared in fields(ParameterValues):
        default: object = declared.default
        if declared.default_factory is not MISSING:
            default = declared.default_factory()
        has_default = default is not MISSING
        specs.append(
            ParameterSpec(
                declared.name,
                hints[declared.name],
                declared.metadata["description"],
                declared.metadata["unit"],
                default if has_default else None,
                not has_default,
            )
        )
    return tuple(specs)


PARAMETERS: tuple[ParameterSpec, ...] = _specs()
"""The parameters, in declaration order."""


def _pack_type(annotation: Any) -> Any:
    """The type a pack document gives: read-only mappings are written as plain ones."""
    if get_origin(annotation) is Mapping:
        key, value = get_args(annotation)
        return cast(Any, dict)[key, value]
    return annotation


def _model_field(spec: ParameterSpec) -> tuple[Any, Any]:
    kind = cast(Any, Dated)[_pack_type(spec.type)]
    if spec.required:
        return kind, Field(description=spec.description)
    default = spec.default
    if isinstance(default, Mapping):
        default = dict(default)
    return kind, Field(
        default_factory=lambda: kind(steps=({"value": default},)), description=spec.description
    )


Parameters: type[Record] = create_model(  # type: ignore[call-overload]
    "Parameters",
    __base__=Record,
    __doc__="Every parameter a rule may read, each dated (derived from ParameterValues).",
    **{spec.name: _model_field(spec) for spec in PARAMETERS},
)


class ConditionText(Record):
    text: NonEmptyStr = Field(description="May hold {placeholders} the rule fills in")
    binding: Flag = True


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

    def __reduce__(self) -> tuple[object, ...]:
        # Parametrised generic models (Dated[...]) cannot be pickled by reference: a pack
        # travels to worker processes as its JSON and is validated again there.
        return (_pack_from_json, (self.model_dump_json(),))

    @property
    def digest(self) -> str:
        """sha256 of the pack's content, never supplied: two packs differing in any field
        have different digests. Computed on each call (a copy of a pack with one field
        changed must not inherit a remembered digest); a compiled policy keeps it."""
        content = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()

    def reference(self, day: dt.date, digest: str | None = None) -> PolicyRef:
        return PolicyRef(
            id=self.id,
            effective=self.range_for(day),
            version=self.version,
            title=self.title,
            digest=digest or self.digest,
        )

    def values_at(self, day: dt.date) -> ParameterValues:
        """The parameters at ``day`` (or at the nearest date inside the pack's ranges)."""
        return _values_at(self, self.parameter_date(day))


def _pack_from_json(text: str) -> PolicyPack:
    return PolicyPack.model_validate_json(text)


def _values_at(pack: PolicyPack, day: dt.date) -> ParameterValues:
    values = {}
    for spec in PARAMETERS:
        name = spec.name
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

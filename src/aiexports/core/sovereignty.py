"""Sovereignty assurances as measured attributes of a package, and their scoring.

An offer's assurances (where the data and metadata live, who holds the keys, where the
operators are and whose law reaches them, what happens if access is revoked, …) are
facts, each attested with evidence. Two ladders are read from them, both as data:

* the EU Cloud Sovereignty Framework (SOV-1 … SOV-8, each SEAL-0 … SEAL-4, weighted; the
  weakest objective sets the offer's SEAL level), with the buyer's jurisdiction in the
  place of the EU;
* the "sovereign AI six" a partner states its requirements in (data, compute, model and
  deployment control, assurances, continuity), each 0–4.

A ladder's level is the highest whose conditions hold together with those of every level
below it; each level says which condition held or failed, so every level is explained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from aiexports.core.records import Count, Day, Flag, NonEmptyStr, Number, Record

Residency = Literal["in_country", "in_region", "provider_regions"]
KeyManagement = Literal["provider", "cmk", "byok", "hyok_external"]
OperatorResidency = Literal["in_country", "in_region", "abroad"]
Employer = Literal["buyer_country", "us", "third_country"]
Disconnection = Literal["none", "disconnected", "air_gapped"]
ForeignLaw = Literal["cloud_act", "fisa_702"]
Ownership = Literal["buyer", "joint", "consortium"]
HardwareSupply = Literal["us", "allied", "mixed", "local"]
LocalModel = Literal["none", "fallback_model", "weights"]


class Continuity(Record):
    """What the buyer keeps if access is revoked or the contract ends."""

    notice_days: Count = Field(description="Notice before a service ends or access is revoked")
    export_format: NonEmptyStr = Field(description="Formats the buyer's data is exported in")
    local_model: LocalModel = Field(
        description="A model that keeps running locally: its weights, a fallback, or none"
    )


class Attestation(Record):
    """Who attested which attributes, when, on what evidence."""

    covers: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)]
    attested_by: NonEmptyStr
    date: Day
    evidence: NonEmptyStr


class Assurances(Record):
    """The measured sovereignty attributes of an offer."""

    data_residency: Residency
    metadata_residency: Residency
    isolated_partition: Flag = Field(description="A partition no other customer shares")
    operator_residency: OperatorResidency
    operator_employer: Employer = Field(description="Jurisdiction of the operators' employer")
    personnel_screening: Flag
    key_management: KeyManagement
    access_approval: Flag = Field(description="Provider access needs the buyer's approval")
    access_transparency_logs: Flag
    confidential_computing: Flag
    disconnected_operation: Disconnection
    foreign_law_exposure: tuple[ForeignLaw, ...] = Field(
        description="Foreign laws that can compel the provider to disclose data"
    )
    source_escrow_in_region: Flag
    ownership: Ownership = Field(description="Who owns the facility and equipment")
    hardware_supply: HardwareSupply
    firmware_attested: Flag = Field(description="Firmware provenance attested")
    open_interfaces: Flag = Field(description="Open standards and non-proprietary APIs")
    energy_reporting: Flag
    renewable_share: Number = Field(ge=0, le=1)
    continuity: Continuity
    attestations: Annotated[tuple[Attestation, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _every_attribute_attested(self) -> Assurances:
        attributes = set(ATTRIBUTES)
        covered: set[str] = set()
        for attestation in self.attestations:
            unknown = set(attestation.covers) - attributes
            if unknown:
                raise ValueError(f"attestation covers unknown attributes: {sorted(unknown)}")
            covered.update(attestation.covers)
        missing = attributes - covered
        if missing:
            raise ValueError(f"attributes without an attestation: {sorted(missing)}")
        return self

    def facts(self) -> dict[str, Any]:
        """The attributes by name (continuity's as ``continuity.<field>``)."""
        found: dict[str, Any] = {name: getattr(self, name) for name in ATTRIBUTES}
        del found["continuity"]
        for name in Continuity.model_fields:
            found[f"continuity.{name}"] = getattr(self.continuity, name)
        return found

    def attestation_of(self, attribute: str) -> Attestation | None:
        top = attribute.split(".", 1)[0]
        return next((a for a in self.attestations if top in a.covers), None)


ATTRIBUTES: tuple[str, ...] = tuple(n for n in Assurances.model_fields if n != "attestations")


# --- conditions and ladders (data) ------------------------------------------------------


class Condition(Record):
    """A test of one fact: ``is``, ``in``, ``not_in``, ``at_least``, ``at_most``, ``empty``
    or ``contains`` (exactly one)."""

    attribute: NonEmptyStr
    is_: Any = Field(default=None, alias="is")
    in_: tuple[Any, ...] | None = Field(default=None, alias="in")
    not_in: tuple[Any, ...] | None = None
    at_least: Number | None = None
    at_most: Number | None = None
    empty: bool | None = None
    contains: Any = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        given = [n for n in TESTS if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("exactly one of is, in, not_in, at_least, at_most, empty, contains")
        return self

    @property
    def test(self) -> tuple[str, Any]:
        name = next(n for n in TESTS if getattr(self, n) is not None)
        return name.rstrip("_"), getattr(self, name)

    def holds(self, facts: Mapping[str, Any]) -> bool:
        if self.attribute not in facts:
            return False
        value = facts[self.attribute]
        test, wanted = self.test
        if test == "is":
            return _same(value, wanted)
        if test == "in":
            return any(_same(value, w) for w in wanted)
        if test == "not_in":
            return _hashable(value) and not any(_same(value, w) for w in wanted)
        if test == "at_least":
            return (
                isinstance(value, int | float) and not isinstance(value, bool) and value >= wanted
            )
        if test == "at_most":
            return (
                isinstance(value, int | float) and not isinstance(value, bool) and value <= wanted
            )
        if test == "empty":
            return isinstance(value, tuple | list | str) and (len(value) == 0) is wanted
        # contains: of a list of facts (a sector, a language); never of a single value
        return isinstance(value, tuple | list) and any(_same(v, wanted) for v in value)

    def describe(self) -> str:
        test, wanted = self.test
        shown = ", ".join(map(str, wanted)) if isinstance(wanted, tuple) else str(wanted)
        words = {
            "is": f"is {shown}",
            "in": f"is one of {shown}",
            "not_in": f"is none of {shown}",
            "at_least": f"is at least {shown}",
            "at_most": f"is at most {shown}",
            "empty": "is empty" if wanted else "is not empty",
            "contains": f"includes {shown}",
        }
        return f"{self.attribute} {words[test]}"


TESTS = ("is_", "in_", "not_in", "at_least", "at_most", "empty", "contains")


def _hashable(value: Any) -> bool:
    return not isinstance(value, list | dict | set)


def _same(a: Any, b: Any) -> bool:
    """Equal as written: a flag is not the number 1, nor 1 the flag true."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    return bool(a == b)


class Rung(Record):
    """One level of a ladder: what it means and the conditions that reach it."""

    level: Annotated[int, Field(ge=1, le=4)]
    meaning: NonEmptyStr
    conditions: Annotated[tuple[Condition, ...], Field(min_length=1)]


class Ladder(Record):
    id: NonEmptyStr
    title: NonEmptyStr
    weight: Number = Field(default=0, ge=0, le=100)
    rungs: Annotated[tuple[Rung, ...], Field(min_length=4, max_length=4)]

    @model_validator(mode="after")
    def _levels_one_to_four(self) -> Ladder:
        if [r.level for r in self.rungs] != [1, 2, 3, 4]:
            raise ValueError("rungs are levels 1, 2, 3 and 4, in order")
        return self


class SovereigntyFramework(Record):
    """Ladders over the assurance attributes, as published data."""

    id: NonEmptyStr
    title: NonEmptyStr
    version: NonEmptyStr
    source: NonEmptyStr
    adaptation: str | None = None
    level_names: Annotated[tuple[NonEmptyStr, ...], Field(min_length=5, max_length=5)]
    ladders: Annotated[tuple[Ladder, ...], Field(min_length=1)]
    weighted: Flag = Field(default=False, description="Weights add up to 100")

    @model_validator(mode="after")
    def _weights(self) -> SovereigntyFramework:
        ids = [ladder.id for ladder in self.ladders]
        if len(set(ids)) != len(ids):
            raise ValueError("ladder ids are unique")
        if self.weighted and abs(sum(ladder.weight for ladder in self.ladders) - 100) > 1e-9:
            raise ValueError("the ladders' weights add up to 100")
        for ladder in self.ladders:
            for rung in ladder.rungs:
                for condition in rung.conditions:
                    if condition.attribute not in FACT_NAMES:
                        raise ValueError(
                            f"{ladder.id} level {rung.level}: unknown attribute "
                            f"{condition.attribute!r}"
                        )
        return self

    def ladder(self, ladder_id: str) -> Ladder:
        return next(ladder for ladder in self.ladders if ladder.id == ladder_id)


FACT_NAMES = frozenset(
    [n for n in ATTRIBUTES if n != "continuity"]
    + [f"continuity.{n}" for n in Continuity.model_fields]
)


# --- scoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RungResult:
    level: int
    meaning: str
    met: tuple[str, ...]
    failed: tuple[str, ...]

    def contract(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "meaning": self.meaning,
            "met": list(self.met),
            "failed": list(self.failed),
        }


@dataclass(frozen=True)
class LadderResult:
    id: str
    title: str
    weight: float
    level: int
    name: str
    explanation: str
    rungs: tuple[RungResult, ...]

    def contract(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "weight": self.weight,
            "level": self.level,
            "name": self.name,
            "explanation": self.explanation,
            "rungs": [r.contract() for r in self.rungs],
        }


@dataclass(frozen=True)
class SovereigntyScore:
    framework: str
    version: str
    level: int
    """The weakest ladder's level (for the SEAL: the offer's SEAL level)."""
    name: str
    score: float
    """Σ weight × level / 4 (0–100; 0 for an unweighted framework)."""
    ladders: tuple[LadderResult, ...]

    def level_of(self, ladder_id: str) -> int:
        return next(r.level for r in self.ladders if r.id == ladder_id)

    def contract(self) -> dict[str, Any]:
        weakest = [r.id for r in self.ladders if r.level == self.level]
        return {
            "framework": self.framework,
            "version": self.version,
            "level": self.level,
            "name": self.name,
            "score": self.score,
            "set_by": weakest,
            "ladders": [r.contract() for r in self.ladders],
        }


def climb(ladder: Ladder, facts: Mapping[str, Any], names: Sequence[str]) -> LadderResult:
    """The ladder's level for ``facts``: each rung in turn until one fails."""
    level = 0
    results = []
    for rung in ladder.rungs:
        met = tuple(c.describe() for c in rung.conditions if c.holds(facts))
        failed = tuple(c.describe() for c in rung.conditions if not c.holds(facts))
        results.append(RungResult(rung.level, rung.meaning, met, failed))
        if failed:
            break
        level = rung.level
    last = results[-1]
    if last.failed:
        why = f"level {last.level} not reached: {'; '.join(last.failed)}"
        explanation = f"{names[level]} — {why}"
    else:
        explanation = f"{names[level]} — every condition up to level 4 holds"
    return LadderResult(
        ladder.id, ladder.title, ladder.weight, level, names[level], explanation, tuple(results)
    )


def score(framework: SovereigntyFramework, assurances: Assurances) -> SovereigntyScore:
    facts = assurances.facts()
    ladders = tuple(climb(ladder, facts, framework.level_names) for ladder in framework.ladders)
    level = min(r.level for r in ladders)
    total = sum(r.weight * r.level / 4 for r in ladders) if framework.weighted else 0.0
    return SovereigntyScore(
        framework.id,
        framework.version,
        level,
        framework.level_names[level],
        round(total, 2),
        ladders,
    )


def attested_on(assurances: Assurances) -> dt.date:
    """The oldest attestation's date: how current the assurances are at worst."""
    return min(a.date for a in assurances.attestations)

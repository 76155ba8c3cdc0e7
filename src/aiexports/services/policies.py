"""Use cases over the policy packs: which are in force, and what each rule says on a date."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from aiexports.core.policy.engine import compile_policy
from aiexports.core.policy.pack import PARAMETERS, ParameterSpec, PolicyPack
from aiexports.core.policy.rules import RULES

if TYPE_CHECKING:
    from aiexports.runtime import Runtime


def list_policies(runtime: Runtime) -> list[PolicyPack]:
    return list(runtime.shelf.packs.values())


def policy_summary(pack: PolicyPack) -> dict[str, Any]:
    return {
        "id": pack.id,
        "title": pack.title,
        "version": pack.version,
        "digest": pack.digest,
        "effective": [w.model_dump(mode="json") for w in pack.effective],
        "rules": list(pack.rules),
    }


@dataclass(frozen=True)
class RuleView:
    id: str
    explanation: str
    """With the values of the parameters in force on the view's date."""
    reads: tuple[str, ...]
    citations: tuple[str, ...]


@dataclass(frozen=True)
class PolicyView:
    """A pack as it stands on one date: rules explained, conditions, parameter values."""

    pack: PolicyPack
    day: dt.date
    rules: tuple[RuleView, ...]
    parameters: dict[str, Any]
    declarations: tuple[ParameterSpec, ...]

    def contract(self) -> dict[str, Any]:
        pack = self.pack
        return {
            "id": pack.id,
            "title": pack.title,
            "version": pack.version,
            "digest": pack.digest,
            "summary": pack.summary,
            "effective": [w.model_dump(mode="json") for w in pack.effective],
            "rules": [
                {
                    "id": r.id,
                    "explanation": r.explanation,
                    "reads": list(r.reads),
                    "citations": list(r.citations),
                }
                for r in self.rules
            ],
            "conditions": {k: v.model_dump() for k, v in pack.conditions.items()},
            "parameters_on": self.day.isoformat(),
            "parameters": self.parameters,
            "parameter_declarations": {
                spec.name: {"description": spec.description, "unit": spec.unit}
                for spec in self.declarations
            },
        }


def show_policy(runtime: Runtime, pack_id: str, day: dt.date | None = None) -> PolicyView:
    """``day`` defaults to today on the runtime's clock."""
    pack = runtime.shelf.named(pack_id)
    on = day or runtime.clock().date()
    compiled = compile_policy(pack, runtime.reference)
    values = compiled.values_at(on)
    rules = tuple(
        RuleView(
            rule_id,
            compiled.explanation(rule_id, on),
            RULES[rule_id].reads,
            pack.citations.get(rule_id, ()),
        )
        for rule_id in pack.rules
    )
    parameters = {f.name: plain(getattr(values, f.name)) for f in dataclasses.fields(values)}
    return PolicyView(pack, on, rules, parameters, PARAMETERS)


def plain(value: object) -> object:
    """Parameter values as JSON data (records, enums and tuples included)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value

"""Components: the items and services a package or a deal is made of (spec section 1)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from aiexports.core.eccn import Eccn
from aiexports.core.records import Count, Identifier, NonEmptyStr, Number, Record, SetOf
from aiexports.core.vocabulary import Capability, ComponentKind, ModelAccess, ModelWeights


class _ComponentBase(Record):
    id: Identifier
    name: NonEmptyStr | None = None
    eccn: Eccn = Field(description="ECCN (e.g. 4A090.a) or EAR99")
    capabilities: SetOf[Capability] = Field(
        default=(), description="Surveillance-capable capability tags the component has"
    )
    description: str | None = None


class HardwareComponent(_ComponentBase):
    """Accelerators, servers, storage or networking equipment."""

    kind: Literal[ComponentKind.HARDWARE]
    tpp: Number | None = Field(
        default=None, gt=0, description="Total Processing Performance of ONE accelerator"
    )
    units: Count | None = Field(
        default=None, ge=0, description="Number of accelerators (deal.quantities overrides)"
    )


class CloudComponent(_ComponentBase):
    kind: Literal[ComponentKind.CLOUD]


class DataPipelineComponent(_ComponentBase):
    kind: Literal[ComponentKind.DATA_PIPELINE]


class ModelComponent(_ComponentBase):
    kind: Literal[ComponentKind.MODEL]
    weights: ModelWeights | None = Field(default=None, description="closed | open")
    access: ModelAccess | None = Field(
        default=None, description="api | hosted | weights (weights = the weights are transferred)"
    )
    training_ops: Number | None = Field(default=None, ge=0, description="Total training operations")


class SecurityComponent(_ComponentBase):
    kind: Literal[ComponentKind.SECURITY]


class ApplicationComponent(_ComponentBase):
    kind: Literal[ComponentKind.APPLICATION]


class GovernanceComponent(_ComponentBase):
    kind: Literal[ComponentKind.GOVERNANCE]


Component = Annotated[
    HardwareComponent
    | CloudComponent
    | DataPipelineComponent
    | ModelComponent
    | SecurityComponent
    | ApplicationComponent
    | GovernanceComponent,
    Field(discriminator="kind"),
]
"""Any component, chosen by its ``kind``."""

AnyComponent = (
    HardwareComponent
    | CloudComponent
    | DataPipelineComponent
    | ModelComponent
    | SecurityComponent
    | ApplicationComponent
    | GovernanceComponent
)


def _reference_or_kind(value: Any) -> str | None:
    """Tag of a component entry, for validation (str or mapping) and serialisation."""
    if isinstance(value, str):
        return "reference"
    if isinstance(value, dict | _ComponentBase):
        return "inline"
    return None


ComponentEntry = Annotated[
    Annotated[Identifier, Tag("reference")] | Annotated[Component, Tag("inline")],
    Discriminator(
        _reference_or_kind,
        custom_error_type="component_entry",
        custom_error_message="a component is a catalog id (string) or a mapping with a kind",
    ),
]
"""A deal's component: a catalog id or an inline component."""

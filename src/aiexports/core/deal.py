"""The deal document (spec section 1): what is exported, where, to whom and for what."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from aiexports.core.components import ComponentEntry
from aiexports.core.records import (
    Count,
    CountryCode,
    Identifier,
    NonEmptyStr,
    Number,
    Record,
    SetOf,
)
from aiexports.core.vocabulary import EndUse, PartyRole, PartyType


class Party(Record):
    role: PartyRole
    name: NonEmptyStr
    country: CountryCode = Field(description="Where the party is located")
    headquarters: CountryCode | None = Field(
        default=None,
        description="Country of the ultimate parent's headquarters; defaults to country",
    )
    type: PartyType

    @property
    def headquarters_country(self) -> str:
        return self.headquarters or self.country


class Deal(Record):
    """A proposed export. Names a package on the menu, components, or both."""

    id: NonEmptyStr | None = None
    date: dt.date = Field(description="Date of the proposed export; selects the policy pack")
    package: Identifier | None = Field(default=None, description="Id of a package on the menu")
    components: tuple[ComponentEntry, ...] = ()
    destination: CountryCode = Field(description="Where the items are delivered and used")
    parties: Annotated[tuple[Party, ...], Field(min_length=1)]
    end_uses: Annotated[SetOf[EndUse], Field(min_length=1)]
    quantities: dict[Identifier, Annotated[Count, Field(ge=0)]] = Field(
        default_factory=dict, description="Per-component unit overrides"
    )
    value_usd: Annotated[Number, Field(ge=0)] | None = None

    @field_validator("parties")
    @classmethod
    def _has_end_user(cls, parties: tuple[Party, ...]) -> tuple[Party, ...]:
        if not any(party.role is PartyRole.END_USER for party in parties):
            raise ValueError("the parties must include an end_user")
        return parties

    @field_validator("components")
    @classmethod
    def _unique_inline_ids(
        cls, components: tuple[ComponentEntry, ...]
    ) -> tuple[ComponentEntry, ...]:
        ids = [entry if isinstance(entry, str) else entry.id for entry in components]
        duplicates = sorted({cid for cid in ids if ids.count(cid) > 1})
        if duplicates:
            raise ValueError(f"component ids appear twice: {', '.join(duplicates)}")
        return components

    @field_validator("quantities")
    @classmethod
    def _sorted(cls, quantities: dict[str, int]) -> dict[str, int]:
        """Sorted, so that equal deals have one canonical form."""
        return dict(sorted(quantities.items()))

    @model_validator(mode="after")
    def _names_something(self) -> Deal:
        if self.package is None and not self.components:
            raise ValueError("a deal names a package, components, or both")
        return self

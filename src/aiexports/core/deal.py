"""The deal document (spec section 1): what is exported, where, to whom and for what."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from aiexports.core.components import ComponentEntry
from aiexports.core.records import (
    Count,
    CountryCode,
    Day,
    Identifier,
    NonEmptyStr,
    Number,
    Record,
    SetOf,
)
from aiexports.core.vocabulary import EndUse, PartyRole, PartyType

MAX_PARTIES = 200
"""More parties than any real transaction names (a deal lists its purchaser, consignees,
end users and agents); a longer list is a broken or hostile document."""
MAX_COMPONENTS = 1000


class Party(Record):
    role: PartyRole
    name: Annotated[NonEmptyStr, Field(max_length=500, description="As the party is known")]
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
    date: Day = Field(description="Date of the proposed export; selects the policy pack")
    package: Identifier | None = Field(default=None, description="Id of a package on the menu")
    components: Annotated[tuple[ComponentEntry, ...], Field(max_length=MAX_COMPONENTS)] = ()
    destination: CountryCode = Field(description="Where the items are delivered and used")
    parties: Annotated[tuple[Party, ...], Field(min_length=1, max_length=MAX_PARTIES)]
    end_uses: Annotated[SetOf[EndUse], Field(min_length=1)]
    quantities: dict[Identifier, Annotated[Count, Field(ge=0)]] = Field(
        default_factory=dict, max_length=MAX_COMPONENTS, description="Per-component unit overrides"
    )
    value_usd: Annotated[Number, Field(ge=0)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: object) -> object:
        """Refuse a document far larger than any deal before validating its parts (a
        hundred thousand parties would each be validated, and each error reported)."""
        if isinstance(data, dict):
            if len(data) > len(cls.model_fields) + 20:
                raise ValueError(f"{len(data):,} fields; a deal has {len(cls.model_fields)}")
            for name, most in (("parties", MAX_PARTIES), ("components", MAX_COMPONENTS)):
                value = data.get(name)
                if isinstance(value, list | tuple) and len(value) > most:
                    raise ValueError(f"{len(value):,} {name}; a deal has at most {most:,}")
        return data

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

"""The license application document (service spec §4, shaped on BIS-748P) and the deal the
engine decides from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from aiexports.core.deal import MAX_COMPONENTS, MAX_PARTIES
from aiexports.core.records import (
    CountryCode,
    Day,
    Identifier,
    NonEmptyStr,
    PlainStr,
    Record,
    SetOf,
)
from aiexports.core.vocabulary import EndUse, PartyRole, PartyType

Text = Annotated[PlainStr, Field(max_length=2000)]
Money = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]
"""Dollars and cents, at most a trillion (the licensed amounts are whole cents)."""


class ApplicationParty(Record):
    """A party of block 14–18 of BIS-748P (purchaser, consignees, end users)."""

    role: PartyRole
    name: Annotated[NonEmptyStr, Field(max_length=500)]
    address: Text | None = None
    city: Annotated[PlainStr, Field(max_length=200)] | None = None
    postal_code: Annotated[PlainStr, Field(max_length=40)] | None = None
    country: CountryCode
    headquarters: CountryCode | None = None
    type: PartyType
    phone: Annotated[PlainStr, Field(max_length=60)] | None = None


class ApplicationItem(Record):
    """An item of block 22: what is licensed, in which quantity, at which value."""

    component: Identifier
    eccn: Annotated[str, Field(max_length=40)] | None = None
    quantity: Annotated[int, Field(ge=1, le=10**12, strict=True)]
    unit: Annotated[str, Field(max_length=40)] = "units"
    unit_value_usd: Money | None = None
    total_value_usd: Money
    description: Text | None = None


class DocumentRef(Record):
    id: NonEmptyStr
    kind: NonEmptyStr
    filename: NonEmptyStr
    sha256: NonEmptyStr
    size: int


class ApplicationDocument(Record):
    """What an applicant writes. A draft may leave out what it does not know yet; a
    submission needs parties (an end user among them), end uses and items."""

    reference: Annotated[str, Field(max_length=200)] | None = None
    date: Day | None = None
    package: Identifier | None = None
    destination: CountryCode
    parties: Annotated[tuple[ApplicationParty, ...], Field(max_length=MAX_PARTIES)] = ()
    end_uses: SetOf[EndUse] = ()
    specific_end_use: Text | None = None
    items: Annotated[tuple[ApplicationItem, ...], Field(max_length=MAX_COMPONENTS)] = ()
    documents: tuple[DocumentRef, ...] = ()


def deal_of(application: ApplicationDocument, today: dt.date) -> dict[str, Any]:
    """The deal document (determination spec §1) the engine decides for ``application``:
    the package, the items' components with their quantities, the parties as screened
    and the total value. Validated by the caller like any deal."""
    deal: dict[str, Any] = {
        "date": (application.date or today).isoformat(),
        "destination": application.destination,
        "parties": [
            {
                "role": str(p.role),
                "name": p.name,
                "country": p.country,
                **({"headquarters": p.headquarters} if p.headquarters else {}),
                "type": str(p.type),
            }
            for p in application.parties
        ],
        "end_uses": sorted(str(u) for u in application.end_uses),
        # A package's own components may be named again: the engine takes each once.
        "components": [item.component for item in application.items],
        "quantities": {item.component: item.quantity for item in application.items},
        "value_usd": float(sum((item.total_value_usd for item in application.items), Decimal(0))),
    }
    if application.package is not None:
        deal["package"] = application.package
    return deal


def application_field(deal_field: str | None, application: ApplicationDocument) -> str | None:
    """Where in the application a field of its deal came from (the deal's components
    and quantities are the application's items)."""
    if deal_field is None:
        return None
    if deal_field.startswith("components["):
        return "items[" + deal_field[len("components[") :].split("]", 1)[0] + "].component"
    if deal_field.startswith("quantities."):
        component = deal_field[len("quantities.") :]
        for index, item in enumerate(application.items):
            if item.component == component:
                return f"items[{index}].component"
        return "items"
    return deal_field


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def dollars(amount_cents: int) -> float:
    """Cents as a decimal number of dollars for JSON (exact to the cent below 2**53)."""
    return float(Decimal(amount_cents) / 100)

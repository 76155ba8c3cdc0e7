"""Restricted-party list entries in one normalised model, whatever list they came from."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Literal

from pydantic import Field

from aiexports.core.records import Record
from aiexports.core.vocabulary import ListCode


class EntryType(StrEnum):
    PERSON = "person"
    ENTITY = "entity"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


class Alias(Record):
    name: str
    strength: Literal["strong", "weak"] = "strong"
    kind: str | None = Field(default=None, description="As the list labels it: aka, fka, nka…")


class Address(Record):
    text: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = Field(default=None, description="ISO code when it could be resolved")
    country_text: str | None = Field(default=None, description="The country as written")


class Identifier(Record):
    type: str
    value: str
    country: str | None = None


class ListEntry(Record):
    """One party on one list. ``entity_number`` is the list's own id (see ``key``)."""

    source: ListCode
    entity_number: str
    type: EntryType = EntryType.UNKNOWN
    name: str
    aliases: tuple[Alias, ...] = ()
    countries: tuple[str, ...] = Field(default=(), description="ISO codes linked to the entry")
    addresses: tuple[Address, ...] = ()
    dates_of_birth: tuple[str, ...] = Field(default=(), description="YYYY, YYYY-MM or YYYY-MM-DD")
    places_of_birth: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programs: tuple[str, ...] = ()
    title: str | None = None
    remarks: str | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    federal_register_notice: str | None = None
    last_update: str | None = Field(default=None, description="As written by the list")
    start_date: dt.date | None = None
    end_date: dt.date | None = Field(default=None, description="Expiry (DPL orders)")
    list_name: str = ""
    source_url: str | None = None
    feed: str = Field(description="The import feed the entry came from (ofac-sdn, csl, …)")
    origin: str | None = Field(default=None, description="File and line the entry was read from")
    flags: tuple[str, ...] = Field(default=(), description="Data oddities found on import")

    @property
    def key(self) -> str:
        return f"{self.source}:{self.entity_number}"

    def screening_names(self) -> list[tuple[str, str]]:
        """(name, strength) pairs to match against: the primary name and every alias, each
        cut at "; and any successor…" and "X (Y)" counted as X and Y (spec section 6)."""
        found: list[tuple[str, str]] = []
        seen: set[str] = set()
        for raw, strength in [(self.name, "strong")] + [(a.name, a.strength) for a in self.aliases]:
            for name in expand_listed_name(raw):
                folded = name.casefold()
                if folded not in seen:
                    seen.add(folded)
                    found.append((name, strength))
        return found


_SUCCESSOR = re.compile(r";\s*and\s+any\s+successor.*$", re.IGNORECASE | re.DOTALL)
_PARENTHESIS = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*(?P<rest>[^()]*)$")


def expand_listed_name(raw: str) -> list[str]:
    """The names a listed name stands for: ``"Sinobright Co.; and any successor, sub-unit"``
    → ``["Sinobright Co."]``; ``"Academy of Aerospace (AASPT)"`` → ``["Academy of
    Aerospace", "AASPT"]``."""
    name = _SUCCESSOR.sub("", raw).strip().strip(";").strip()
    if not name:
        return []
    match = _PARENTHESIS.match(name)
    if match is None:
        return [name]
    outer = f"{match['outer']} {match['rest']}".strip()
    inner = match["inner"].strip()
    return [part for part in dict.fromkeys((outer, inner)) if part]

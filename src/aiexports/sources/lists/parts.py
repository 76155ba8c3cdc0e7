"""Pieces every importer builds entries from: cell values, countries and addresses."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from typing import TypeVar

from aiexports.core.countries import CountryBook
from aiexports.core.screening.entries import Address, Alias, Identifier
from aiexports.sources.lists.flags import EntryFlags

T = TypeVar("T", bound=Hashable)

# Spellings the country book may lack: "St. Kitts & Nevis", "Cabo Verde.  Previously Cape
# Verde." (the first sentence names the country).
_SPELLINGS = ((re.compile(r"\bSt\.\s*"), "Saint "), (re.compile(r"\s*&\s*"), " and "))
_FIRST_SENTENCE = re.compile(r"^(.+?)\.\s+\S")


def present(value: str | None) -> str | None:
    """The value without surrounding blanks, or None when nothing is left."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def unique(values: Iterable[T]) -> tuple[T, ...]:
    """``values`` without repeats, first occurrence kept."""
    return tuple(dict.fromkeys(values))


def split_values(cell: str | None, separator: str = ";") -> list[str]:
    """A multi-value cell's values, blanks dropped."""
    if not cell:
        return []
    return [value for part in cell.split(separator) if (value := part.strip())]


class Places:
    """Countries resolved to ISO codes; what cannot be resolved is kept as text and flagged."""

    def __init__(self, countries: CountryBook) -> None:
        self.countries = countries

    def code(self, written: str | None, flag: EntryFlags, what: str = "country") -> str | None:
        text = present(written)
        if text is None:
            return None
        code = self.resolve(text)
        if code is None:
            flag("unknown_country", f"{what} {text!r} is not a known country")
        return code

    def resolve(self, text: str) -> str | None:
        """The ISO code of a country name or code, trying common variant spellings."""
        code = self.countries.code_for_name(text)
        if code is not None:
            return code
        variant = text
        for pattern, replacement in _SPELLINGS:
            variant = pattern.sub(replacement, variant)
        if sentence := _FIRST_SENTENCE.match(variant):
            variant = sentence[1]
        return self.countries.code_for_name(variant) if variant != text else None

    def codes(self, written: Iterable[str], flag: EntryFlags, what: str) -> list[str]:
        return [code for text in written if (code := self.code(text, flag, what))]

    def address(
        self,
        flag: EntryFlags,
        *,
        text: str | None = None,
        city: str | None = None,
        state: str | None = None,
        postal_code: str | None = None,
        country: str | None = None,
        inferred: str | None = None,
    ) -> Address | None:
        """An address from its written parts (None when all are empty). A country that
        cannot be resolved stays in ``country_text``; an address without one is flagged
        unless the caller ``inferred`` its ISO code (and flagged that instead)."""
        parts = [present(part) for part in (text, city, state, postal_code)]
        country_text = present(country)
        if not any(parts) and country_text is None:
            return None
        code = self.code(country_text, flag, "address country") if country_text else inferred
        if code is None and country_text is None:
            shown = ", ".join(part for part in parts if part)
            flag("missing_country", f"address {shown!r} has no country")
        return Address(
            text=parts[0],
            city=parts[1],
            state=parts[2],
            postal_code=parts[3],
            country=code,
            country_text=country_text,
        )

    def identifier(
        self, type_: str, value: str, country: str | None, flag: EntryFlags
    ) -> Identifier:
        """An identifier whose issuing country is an ISO code when it resolves, else the
        text as written (flagged)."""
        written = present(country)
        code = self.code(written, flag, f"{type_} country") if written else None
        return Identifier(type=type_, value=value, country=code or written)


def distinct_aliases(aliases: Iterable[Alias]) -> tuple[Alias, ...]:
    """One alias per name (ignoring case), in first-seen order; a strong alias wins over a
    weak one of the same name (OFAC repeats listed aliases in its remarks)."""
    chosen: dict[str, Alias] = {}
    for alias in aliases:
        key = alias.name.casefold()
        if key not in chosen or (alias.strength == "strong" and chosen[key].strength == "weak"):
            chosen[key] = alias
    return tuple(chosen.values())


def linked_countries(addresses: Iterable[Address], *other_codes: Iterable[str]) -> tuple[str, ...]:
    """The distinct ISO codes of the addresses, then of nationalities and citizenships."""
    codes = [address.country for address in addresses if address.country]
    for group in other_codes:
        codes.extend(group)
    return unique(codes)

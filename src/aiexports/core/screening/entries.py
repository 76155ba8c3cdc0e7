"""Restricted-party list entries in one normalised model, whatever list they came from."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Literal

from pydantic import Field
from rapidfuzz.distance import Levenshtein

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
_BORN = re.compile(r"(?:,\s*born\b|\s+born\s+(?:in|on)\b).*$", re.IGNORECASE | re.DOTALL)
_SUB_UNIT = re.compile(r"\s+-\s+sub-unit(?:\s+name)?\s*$", re.IGNORECASE)
_ENUMERATION = re.compile(r"(?:^|(?<=\s))[a-h]\)\s+")
"""``a) X b) Y``: the UN's way of listing a person's alternative names in one string."""
_INTRODUCED = re.compile(
    r"^(?:original\s+script\s*:|a\.?k\.?a\.?|f\.?k\.?a\.?|as\b)\s*", re.IGNORECASE
)
_DESCRIPTOR_WORDS = frozenset(
    {"name", "listed", "identity", "passport", "born", "birth", "previously", "formerly"}
)


def expand_listed_name(raw: str) -> list[str]:
    """The names a listed name stands for (spec section 6, and the grammar of the UN's
    alias strings):

    * ``"Sinobright Co.; and any successor, sub-unit"`` → ``["Sinobright Co."]``;
    * ``"Academy of Aerospace (AASPT)"`` → the outer name and the inner one;
    * ``"A; B; C"`` and ``"a) A; B b) C"`` → each name;
    * ``"حسن غول (Hassan Ghul; Hassan Gul)"`` and ``"Abubakar (original script: Абубакар)"``
      → the outer name and each inner one;
    * ``"Leader (Hong Kong) International Trading"`` → the name with and without the
      words in parentheses (they belong to it: "Hong Kong" alone is no name of it);
    * ``"EL PARA (COMBAT NAME)"``, ``"Hilarion Santos, III (third)"``, ``"X (KPE.018)"``,
      ``"X, born 1 Jan. 1953 (Oman passport no. …)"`` → the name alone: a remark in
      parentheses (lower case, digits, or words like *name*, *passport*) names nothing."""
    text = _SUCCESSOR.sub("", raw)
    text = _BORN.sub("", text)
    found: list[str] = []
    for piece in _ENUMERATION.split(text):
        for part in _split_outside_parentheses(piece, ";"):
            found.extend(_expand_one(part))
    return [name for name in dict.fromkeys(found) if name]


def _expand_one(text: str) -> list[str]:
    text = _tidy(text)
    groups = _top_level_groups(text)
    if not groups:
        return [text] if text else []
    start, end = groups[0]
    before, inner, after = text[:start], text[start + 1 : end - 1], text[end:]
    outer = _tidy(f"{before} {after}")
    inner = _SUB_UNIT.sub("", _INTRODUCED.sub("", inner.strip())).strip()
    if not before.strip() or _is_remark(inner):
        return _expand_one(outer)  # "(Sheikh) Musa Hilal": a title before the name
    if after.strip(" ,.;") and not after.strip().startswith("("):
        # Words in the middle of a name belong to it.
        return [*_expand_one(_tidy(f"{before} {inner} {after}")), *_expand_one(outer)]
    names = _expand_one(outer)
    for alternative in _split_outside_parentheses(inner, ";"):
        names.extend(_expand_one(_variant_of(outer, alternative)))
    return names


def _variant_of(outer: str, alternative: str) -> str:
    """``Lom-ali Butayev (Butaev)``: one word in parentheses after a name of several is
    another spelling of one of its words (the name with it swapped in), unless it is an
    acronym (``AQMI``) or another script."""
    words = outer.split()
    if len(words) < 2 or " " in alternative or alternative.isupper() or not alternative.isascii():
        return alternative
    scores = [Levenshtein.normalized_similarity(w.lower(), alternative.lower()) for w in words]
    best = max(range(len(words)), key=scores.__getitem__)
    if scores[best] < 0.5:
        return alternative
    return " ".join([*words[:best], alternative, *words[best + 1 :]])


def _is_remark(inner: str) -> bool:
    if not inner or any(ch.isdigit() for ch in inner):
        return True
    latin = [ch for ch in inner if ch.isalpha() and ch.isascii()]
    if latin and len(latin) == sum(ch.isalpha() for ch in inner) and inner == inner.lower():
        return True  # "(third)", "(martyrs)", "(birth name)": a remark, not a name
    words = {word.strip(".,:;").lower() for word in inner.split()}
    return bool(words & _DESCRIPTOR_WORDS)


def _top_level_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each balanced top-level parenthesis group; an unbalanced
    parenthesis is kept as text."""
    groups: list[tuple[int, int]] = []
    depth = start = 0
    for index, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = index
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                groups.append((start, index + 1))
    return groups


def _split_outside_parentheses(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
        if ch == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" ,;")

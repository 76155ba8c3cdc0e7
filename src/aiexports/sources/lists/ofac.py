"""OFAC's SDN list in its legacy CSV export: ``sdn.csv`` plus ``alt.csv`` (aliases),
``add.csv`` (addresses) and ``sdn_comments.csv`` (remarks too long for ``sdn.csv``).

The files have no header, end lines with CRLF and end with a Ctrl-Z byte; ``-0-`` (often
``-0- ``) is null. They join on ``ent_num``, so a row of ``alt``/``add``/comments naming an
``ent_num`` that ``sdn.csv`` lacks makes the whole download unusable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from aiexports.core.countries import CountryBook
from aiexports.core.screening.entries import Address, Alias, EntryType, Identifier, ListEntry
from aiexports.core.screening.snapshot import FeedImport, FeedProvenance
from aiexports.core.vocabulary import ListCode
from aiexports.sources.lists.dates import birth_dates
from aiexports.sources.lists.flags import EntryFlags, Oddities
from aiexports.sources.lists.inputs import ListFile
from aiexports.sources.lists.parts import (
    Places,
    distinct_aliases,
    linked_countries,
    present,
    unique,
)
from aiexports.sources.lists.remarks import WrittenIdentifier, read_remarks
from aiexports.sources.lists.report import US_GOVERNMENT_WORK, feed_import
from aiexports.sources.lists.tables import Row, read_rows

FEED = "ofac-sdn"
FORMAT = "OFAC legacy CSV (sdn/alt/add/comments)"
LIST_NAME = "Specially Designated Nationals and Blocked Persons List (SDN) - Treasury Department"

COLUMNS = {"sdn": 12, "alt": 5, "add": 6, "comments": 2}
"""Column count of each part of the download."""
FILE_NAMES = {"sdn.csv": "sdn", "alt.csv": "alt", "add.csv": "add", "sdn_comments.csv": "comments"}

_NULL = "-0-"
_END_OF_FILE = "\x1a"
_TYPES = {
    "individual": EntryType.PERSON,
    "vessel": EntryType.VESSEL,
    "aircraft": EntryType.AIRCRAFT,
}
_ALIAS_KINDS = frozenset({"aka", "fka", "nka"})
_VESSEL_COLUMNS = (
    (5, "Call Sign"),
    (6, "Vessel Type"),
    (7, "Tonnage"),
    (8, "Gross Registered Tonnage"),
    (9, "Vessel Flag"),
    (10, "Vessel Owner"),
)


@dataclass(frozen=True)
class OfacFiles:
    sdn: ListFile
    alt: ListFile | None = None
    add: ListFile | None = None
    comments: ListFile | None = None

    def all(self) -> list[ListFile]:
        return [file for file in (self.sdn, self.alt, self.add, self.comments) if file]


def read_ofac(files: OfacFiles, countries: CountryBook) -> FeedImport:
    oddities = Oddities()
    places = Places(countries)
    main = _main_rows(files.sdn)
    aliases = _joined_rows(files.alt, "alt", main)
    addresses = _joined_rows(files.add, "add", main)
    comments = _joined_rows(files.comments, "comments", main)
    entries = [
        _entry(
            row,
            files,
            alias_rows=aliases.get(number, []),
            address_rows=addresses.get(number, []),
            overflow="".join(comment.cells[1] for comment in comments.get(number, [])),
            places=places,
            oddities=oddities,
        )
        for number, row in main.items()
    ]
    feed = feed_import(_provenance(files), entries, oddities)
    # Without alt.csv every alias is gone, without add.csv every address and country.
    missing = tuple(
        name for name, part in (("alt.csv", files.alt), ("add.csv", files.add)) if part is None
    )
    if not missing:
        return feed
    return feed.model_copy(
        update={"report": feed.report.model_copy(update={"missing_parts": missing})}
    )


def cell(value: str) -> str | None:
    """A cell's value; OFAC's null ``-0-`` is None."""
    stripped = value.strip()
    return None if stripped in ("", _NULL) else stripped


def programs_of(value: str) -> tuple[str, ...]:
    """``"SDGT] [IFSR"`` → ``("SDGT", "IFSR")``."""
    text = cell(value)
    if text is None:
        return ()
    return unique(part for piece in text.split("] [") if (part := piece.strip(" []")))


def _rows(file: ListFile, part: str) -> Iterable[Row]:
    text = file.latin1_text()
    body = text.rstrip()
    if body.endswith(_END_OF_FILE):
        text = body[: -len(_END_OF_FILE)]
    stray = text.find(_END_OF_FILE)
    if stray >= 0:
        raise file.error("end-of-file mark (Ctrl-Z) before the end", text.count("\n", 0, stray) + 1)
    for row in read_rows(file, text, COLUMNS[part]):
        if not (row.cells[0].strip().isascii() and row.cells[0].strip().isdigit()):
            raise file.error(f"ent_num {row.cells[0]!r} is not a number", row.line, "ent_num")
        yield row


def _main_rows(file: ListFile) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for row in _rows(file, "sdn"):
        number = row.cells[0].strip()
        if number in rows:
            raise file.error(
                f"ent_num {number} already listed on line {rows[number].line}", row.line, "ent_num"
            )
        if cell(row.cells[1]) is None:
            raise file.error("SDN_Name is empty", row.line, "SDN_Name")
        rows[number] = row
    return rows


def _joined_rows(file: ListFile | None, part: str, main: dict[str, Row]) -> dict[str, list[Row]]:
    joined: dict[str, list[Row]] = defaultdict(list)
    if file is None:
        return joined
    for row in _rows(file, part):
        number = row.cells[0].strip()
        if number not in main:
            raise file.error(f"ent_num {number} is not in sdn.csv", row.line, "ent_num")
        joined[number].append(row)
    return joined


def _entry(
    row: Row,
    files: OfacFiles,
    *,
    alias_rows: list[Row],
    address_rows: list[Row],
    overflow: str,
    places: Places,
    oddities: Oddities,
) -> ListEntry:
    origin = files.sdn.where(row.line)
    flags = oddities.at(origin)
    cells = row.cells
    entry_type = _entry_type(cell(cells[2]), flags)
    # Remarks are cut at 1,000 characters and sdn_comments.csv goes on mid-word: the raw
    # cells are joined before anything is stripped.
    remarks = present(("" if cell(cells[11]) is None else cells[11]) + overflow)
    facts = read_remarks(remarks) if remarks else None

    aliases = _aliases(alias_rows, files.alt, flags)
    addresses = _addresses(address_rows, files.add, places, flags)
    flags.where = origin
    identifiers = [
        places.identifier(label, value, value if label == "Vessel Flag" else None, flags)
        for column, label in _VESSEL_COLUMNS
        if (value := cell(cells[column]))
    ]
    dates: list[str] = []
    nationalities: list[str] = []
    places_of_birth: list[str] = []
    if facts is not None:
        aliases.extend(facts.aliases)
        for written in facts.birth_dates:
            found = birth_dates(written)
            if found is None:
                flags("unparsed_date", f"DOB {written!r}")
            dates.extend(found or ())
        nationalities = facts.nationalities
        places_of_birth = facts.birth_places
        identifiers.extend(_remark_identifier(each, places, flags) for each in facts.identifiers)
    nationality_codes = places.codes(nationalities, flags, "nationality")
    return ListEntry(
        source=ListCode.SDN,
        entity_number=cells[0].strip(),
        type=entry_type,
        name=cell(cells[1]) or "",
        aliases=distinct_aliases(aliases),
        countries=linked_countries(addresses, nationality_codes),
        addresses=unique(addresses),
        dates_of_birth=unique(dates),
        places_of_birth=unique(places_of_birth),
        nationalities=unique(nationalities),
        identifiers=unique(identifiers),
        programs=programs_of(cells[3]),
        title=cell(cells[4]),
        remarks=remarks,
        list_name=LIST_NAME,
        feed=FEED,
        origin=origin,
        flags=flags.names,
    )


def _entry_type(written: str | None, flags: EntryFlags) -> EntryType:
    """``-0-`` is an entity; an unexpected type is kept as unknown."""
    if written is None:
        return EntryType.ENTITY
    found = _TYPES.get(written.lower())
    if found is None:
        flags("unknown_type", f"SDN_Type {written!r}")
        return EntryType.UNKNOWN
    return found


def _aliases(rows: list[Row], file: ListFile | None, flags: EntryFlags) -> list[Alias]:
    aliases: list[Alias] = []
    if file is None:
        return aliases
    for row in rows:
        flags.where = file.where(row.line)
        kind = (cell(row.cells[2]) or "").lower()
        if kind not in _ALIAS_KINDS:
            flags("unknown_alias_type", f"alt_type {row.cells[2]!r}")
        name = cell(row.cells[3])
        if name is None:
            flags("empty_alias", "alt_name is empty")
            continue
        aliases.append(Alias(name=name, strength="strong", kind=kind or None))
    return aliases


def _addresses(
    rows: list[Row], file: ListFile | None, places: Places, flags: EntryFlags
) -> list[Address]:
    addresses: list[Address] = []
    if file is None:
        return addresses
    for row in rows:
        flags.where = file.where(row.line)
        address = places.address(
            flags,
            text=cell(row.cells[2]),
            city=cell(row.cells[3]),
            country=cell(row.cells[4]),
        )
        if address is not None:
            addresses.append(address)
    return addresses


def _remark_identifier(written: WrittenIdentifier, places: Places, flags: EntryFlags) -> Identifier:
    """A trailing "(X)" is the issuing country only when X is a country: "(Medellin)" after
    a registry number or "(22660766)" after a phone number stays part of the value."""
    value, country = written.value, written.country
    if country is not None and places.resolve(country) is None:
        value, country = f"{value} ({country})", None
    return places.identifier(written.type, value, country, flags)


def _provenance(files: OfacFiles) -> FeedProvenance:
    return FeedProvenance(
        feed=FEED,
        format=FORMAT,
        title="Specially Designated Nationals and Blocked Persons List (SDN)",
        publisher="U.S. Department of the Treasury, Office of Foreign Assets Control (OFAC)",
        files=tuple(file.source_file() for file in files.all()),
        as_of=None,
        licence=US_GOVERNMENT_WORK,
        notes=(
            "The legacy CSV files state no publication date, so as_of is unknown. "
            "Dates of birth, places of birth, nationalities, identifiers and weak aliases are "
            "read best effort from the Remarks column; the full remarks are kept."
        ),
    )

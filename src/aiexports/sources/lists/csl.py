"""The Consolidated Screening List (ITA), as its CSV (29 columns, multi-value cells joined
with ``;``) or its JSON download (``{"results": [...]}``, with lists and address and id
objects where the CSV has joined text).

Each row names its source list; the entry number is the row's ``_id`` (``id`` in JSON),
which is unique across sources (``entity_number`` is not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiexports.core.countries import CountryBook
from aiexports.core.screening.entries import Address, Alias, EntryType, Identifier, ListEntry
from aiexports.core.screening.snapshot import FeedImport, FeedProvenance
from aiexports.core.vocabulary import ListCode
from aiexports.sources.lists.dates import birth_dates, iso_date
from aiexports.sources.lists.dpl import STANDARD_ORDER_TERMS
from aiexports.sources.lists.flags import EntryFlags, Oddities
from aiexports.sources.lists.inputs import ListFile
from aiexports.sources.lists.parts import (
    Places,
    distinct_aliases,
    linked_countries,
    present,
    split_values,
    unique,
)
from aiexports.sources.lists.report import US_GOVERNMENT_WORK, feed_import
from aiexports.sources.lists.tables import read_rows

FEED = "csl"
CSV_FORMAT = "Consolidated Screening List CSV (29 columns)"
JSON_FORMAT = "Consolidated Screening List JSON (results)"
COLUMNS = (
    "_id", "source", "entity_number", "type", "programs", "name", "title", "addresses",
    "federal_register_notice", "start_date", "end_date", "standard_order",
    "license_requirement", "license_policy", "call_sign", "vessel_type", "gross_tonnage",
    "gross_registered_tonnage", "vessel_flag", "vessel_owner", "remarks", "source_list_url",
    "alt_names", "citizenships", "dates_of_birth", "nationalities", "places_of_birth",
    "source_information_url", "ids",
)  # fmt: skip

# The abbreviation in a source's name, as the CSL writes it over the years.
_SOURCE_CODES = {
    "SDN": ListCode.SDN,
    "EL": ListCode.EL,
    "DPL": ListCode.DPL,
    "UVL": ListCode.UVL,
    "MEU": ListCode.MEU,
    "ISN": ListCode.ISN,
    "DTC": ListCode.DTC,
    "FSE": ListCode.FSE,
    "SSI": ListCode.SSI,
    "CAP": ListCode.CAPTA,
    "CAPTA": ListCode.CAPTA,
    "NS-MBS": ListCode.NS_MBS,
    "MBS": ListCode.NS_MBS,
    "NS-CMIC": ListCode.NS_CMIC,
    "CMIC": ListCode.NS_CMIC,
    "NS-PLC": ListCode.NS_PLC,
    "PLC": ListCode.NS_PLC,
}
_PARENTHESISED = re.compile(r"\(([^()]+)\)")
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_TYPES = {
    "individual": EntryType.PERSON,
    "entity": EntryType.ENTITY,
    "vessel": EntryType.VESSEL,
    "aircraft": EntryType.AIRCRAFT,
}
_VESSEL_FIELDS = (
    ("call_sign", "Call Sign"),
    ("vessel_type", "Vessel Type"),
    ("gross_tonnage", "Tonnage"),
    ("gross_registered_tonnage", "Gross Registered Tonnage"),
    ("vessel_flag", "Vessel Flag"),
    ("vessel_owner", "Vessel Owner"),
)
_MULTI_VALUE = frozenset(
    {"programs", "addresses", "alt_names", "citizenships", "dates_of_birth", "nationalities",
     "places_of_birth", "ids"}
)  # fmt: skip
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")


def source_code(written: str) -> ListCode | None:
    """``"Palestinian Legislative Council List (PLC) - Treasury Department"`` → NS-PLC."""
    for candidate in [*_PARENTHESISED.findall(written), written]:
        key = candidate.strip().upper().removesuffix(" LIST").strip()
        if key in _SOURCE_CODES:
            return _SOURCE_CODES[key]
    return None


@dataclass
class _Record:
    """One CSL row with its multi-value fields split, whichever form it was read from."""

    line: int
    fields: Mapping[str, str | None]
    programs: list[str]
    alt_names: list[str]
    nationalities: list[str]
    """Nationalities then citizenships, as written."""
    dates_of_birth: list[str]
    places_of_birth: list[str]
    addresses: list[dict[str, str | None]] = field(default_factory=list)
    ids: list[dict[str, str | None]] = field(default_factory=list)


def read_csl_csv(file: ListFile, countries: CountryBook) -> FeedImport:
    oddities = Oddities()
    records = list(_csv_records(file, file.utf8_text(oddities), oddities))
    return _feed(file, records, countries, oddities, format_=CSV_FORMAT, as_of=None)


def read_csl_json(file: ListFile, countries: CountryBook) -> FeedImport:
    oddities = Oddities()
    document, located = _json_results(file, file.utf8_text(oddities))
    records = [_json_record(file, line, result) for line, result in located]
    return _feed(
        file, records, countries, oddities, format_=JSON_FORMAT, as_of=_json_as_of(document)
    )


def _feed(
    file: ListFile,
    records: list[_Record],
    countries: CountryBook,
    oddities: Oddities,
    *,
    format_: str,
    as_of: str | None,
) -> FeedImport:
    places = Places(countries)
    entries: list[ListEntry] = []
    seen: dict[str, int] = {}
    for record in records:
        entry = _entry(file, record, places, oddities)
        if entry.key in seen:
            raise file.error(
                f"entry {entry.key} already read on line {seen[entry.key]}", record.line, "_id"
            )
        seen[entry.key] = record.line
        entries.append(entry)
    return feed_import(_provenance(file, format_, as_of), entries, oddities)


# --- CSV ------------------------------------------------------------------------------


def _csv_records(file: ListFile, text: str, oddities: Oddities) -> Iterator[_Record]:
    rows = read_rows(file, text, len(COLUMNS))
    header = next(rows, None)
    if header is None:
        raise file.error("empty file: expected the Consolidated Screening List header", 1)
    if tuple(cell.strip() for cell in header.cells) != COLUMNS:
        raise file.error(f"unexpected header: expected the {len(COLUMNS)} CSL columns", header.line)
    for row in rows:
        if tuple(cell.strip() for cell in row.cells) == COLUMNS:
            oddities.note("duplicate_header_row", file.where(row.line), "the header repeated")
            continue
        cells = dict(zip(COLUMNS, (present(cell) for cell in row.cells), strict=True))
        yield _Record(
            line=row.line,
            fields=cells,
            programs=split_values(cells["programs"]),
            alt_names=_listed_names(split_values(cells["alt_names"])),
            nationalities=split_values(cells["nationalities"])
            + split_values(cells["citizenships"]),
            dates_of_birth=split_values(cells["dates_of_birth"]),
            places_of_birth=split_values(cells["places_of_birth"]),
            addresses=[_written_address(part) for part in _joined_parts(cells["addresses"])],
            ids=[_written_id(text) for text in split_values(cells["ids"])],
        )


def _listed_names(names: list[str]) -> list[str]:
    """Aliases as listed. Joining them with ``;`` split "A; B; and C" and "X; and any
    successor…": the first ``and`` goes, the second clause rejoins its name."""
    found: list[str] = []
    for name in names:
        lowered = name.lower()
        if lowered.startswith("and any successor") and found:
            found[-1] = f"{found[-1]}; {name}"
        elif lowered.startswith("and "):
            found.append(name[4:].strip())
        else:
            found.append(name)
    return [name for name in found if name]


def _joined_parts(cell: str | None) -> list[str]:
    """``;``-joined values where a part starting with "and " continues the one before
    (the Entity List writes several streets of one address as "X; and Y")."""
    parts: list[str] = []
    for part in split_values(cell):
        if part.lower().startswith("and ") and parts:
            parts[-1] = f"{parts[-1]}; {part}"
        else:
            parts.append(part)
    return parts


def _written_address(text: str) -> dict[str, str | None]:
    """``"Komitas 26/114, Yerevan, Armenia, AM"``: the CSV ends an address with its
    country's code (or, in older files, name); the rest cannot be told apart reliably."""
    rest, _, last = text.rpartition(",")
    last = last.strip()
    if _COUNTRY_CODE.match(last):
        return {"address": present(rest), "country": last}
    return {"address": text, "country": None, "country_or_text": last}


def _written_id(text: str) -> dict[str, str | None]:
    """``"Passport, 836238033, KP"`` → type, number and country (when a code ends it)."""
    parts = [part.strip() for part in text.split(", ")]
    type_ = parts[0]
    country = None
    if len(parts) >= 3 and _COUNTRY_CODE.match(parts[-1]):
        country = parts.pop()
    return {"type": type_, "number": ", ".join(parts[1:]) or None, "country": country}


# --- JSON -----------------------------------------------------------------------------


def _json_results(file: ListFile, text: str) -> tuple[dict[str, Any], list[tuple[int, Any]]]:
    """The document and each of its results with the line the result starts on."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise file.error(f"not valid JSON: {error.msg}", error.lineno) from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        raise file.error("expected a JSON object with a 'results' list", 1, "results")
    lines = _result_lines(text)
    return document, list(zip(lines, document["results"], strict=True))


def _result_lines(text: str) -> list[int]:
    """The starting line of each element of the top-level "results" array (the text is
    known to be valid JSON; the last "results" member counts, as in ``json.loads``)."""
    decoder = json.JSONDecoder()

    def skip(index: int) -> int:
        match = _JSON_WHITESPACE.match(text, index)
        return match.end() if match else index

    lines: list[int] = []
    index = skip(0) + 1  # past "{"
    while (index := skip(index)) < len(text) and text[index] != "}":
        key, index = decoder.raw_decode(text, index)
        index = skip(skip(index) + 1)  # past ":"
        if key == "results":
            lines = []
            index = skip(index + 1)  # past "["
            while text[index] != "]":
                lines.append(text.count("\n", 0, index) + 1)
                _, index = decoder.raw_decode(text, index)
                index = skip(index)
                if text[index] == ",":
                    index = skip(index + 1)
            index += 1
        else:
            _, index = decoder.raw_decode(text, index)
        index = skip(index)
        if text[index] == ",":
            index += 1
    return lines


def _json_record(file: ListFile, line: int, result: Any) -> _Record:
    if not isinstance(result, dict):
        raise file.error("a result is not a JSON object", line)
    fields = {key: _scalar(result.get(key)) for key in COLUMNS if key not in _MULTI_VALUE}
    fields["_id"] = _scalar(result.get("id")) or fields["_id"]
    addresses = _objects(file, line, result.get("addresses"), "addresses")
    country = _scalar(result.get("country"))  # some sources give a country and no address
    if country and all(address.get("country") != country for address in addresses):
        addresses.append({"country": country})
    return _Record(
        line=line,
        fields=fields,
        programs=_strings(result.get("programs")),
        alt_names=_listed_names(_strings(result.get("alt_names"))),
        nationalities=_strings(result.get("nationalities")) + _strings(result.get("citizenships")),
        dates_of_birth=_strings(result.get("dates_of_birth")),
        places_of_birth=_strings(result.get("places_of_birth")),
        addresses=addresses,
        ids=_objects(file, line, result.get("ids"), "ids"),
    )


def _scalar(value: Any) -> str | None:
    return present(str(value)) if value is not None else None


def _strings(value: Any) -> list[str]:
    """A list field; a string is read like a CSV cell."""
    if isinstance(value, list):
        return [text for item in value if (text := _scalar(item))]
    return split_values(_scalar(value))


def _objects(file: ListFile, line: int, value: Any, name: str) -> list[dict[str, str | None]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise file.error(f"'{name}' is not a list of objects", line, name)
    return [{key: _scalar(item_value) for key, item_value in item.items()} for item in value]


def _json_as_of(document: dict[str, Any]) -> str | None:
    """The newest ``source_last_updated`` of ``sources_used`` when the download has it."""
    used = document.get("sources_used")
    dates = [
        date.isoformat()
        for source in (used if isinstance(used, list) else [])
        if isinstance(source, dict)
        and (date := iso_date(str(source.get("source_last_updated") or "")[:10]))
    ]
    return max(dates, default=None)


# --- entries --------------------------------------------------------------------------


def _entry(file: ListFile, record: _Record, places: Places, oddities: Oddities) -> ListEntry:
    origin = file.where(record.line)
    flags = oddities.at(origin)
    fields = record.fields
    written_source = fields["source"] or ""
    source = source_code(written_source)
    if source is None:
        raise file.error(f"unknown source list {written_source!r}", record.line, "source")
    name = fields["name"]
    if name is None:
        raise file.error("name is empty", record.line, "name")
    number = fields["_id"]
    if number is None:
        number = hashlib.sha256(f"{written_source}|{name}".encode()).hexdigest()[:16]
        flags("missing_id", "no _id: numbered by a hash of source and name")

    addresses = [
        address for written in record.addresses if (address := _address(written, places, flags))
    ]
    nationality_codes = places.codes(record.nationalities, flags, "nationality")
    return ListEntry(
        source=source,
        entity_number=number,
        type=_entry_type(fields["type"], flags),
        name=name,
        aliases=distinct_aliases(Alias(name=alias) for alias in record.alt_names),
        countries=linked_countries(addresses, nationality_codes),
        addresses=unique(addresses),
        dates_of_birth=_birth_dates(record.dates_of_birth, flags),
        places_of_birth=unique(record.places_of_birth),
        nationalities=unique(record.nationalities),
        identifiers=unique(_identifiers(record, places, flags)),
        programs=unique(record.programs),
        title=fields["title"],
        remarks=fields["remarks"],
        license_requirement=fields["license_requirement"]
        or STANDARD_ORDER_TERMS.get((fields["standard_order"] or "").upper()),
        license_policy=fields["license_policy"],
        federal_register_notice=fields["federal_register_notice"],
        start_date=_date(fields["start_date"], "start_date", flags),
        end_date=_date(fields["end_date"], "end_date", flags),
        list_name=written_source,
        source_url=fields["source_list_url"] or fields["source_information_url"],
        feed=FEED,
        origin=origin,
        flags=flags.names,
    )


def _entry_type(written: str | None, flags: EntryFlags) -> EntryType:
    if written is None:
        return EntryType.UNKNOWN
    found = _TYPES.get(written.lower())
    if found is None:
        flags("unknown_type", f"type {written!r}")
        return EntryType.UNKNOWN
    return found


def _address(written: dict[str, str | None], places: Places, flags: EntryFlags) -> Address | None:
    country = written.get("country")
    trailing = written.get("country_or_text")
    if country is None and trailing and places.resolve(trailing):
        # An older CSV ending the address with a country name rather than a code.
        text, _, _ = (written.get("address") or "").rpartition(",")
        written = {**written, "address": present(text)}
        country = trailing
    return places.address(
        flags,
        text=written.get("address"),
        city=written.get("city"),
        state=written.get("state"),
        postal_code=written.get("postal_code"),
        country=country,
    )


def _identifiers(record: _Record, places: Places, flags: EntryFlags) -> list[Identifier]:
    found = [
        places.identifier(label, value, value if label == "Vessel Flag" else None, flags)
        for key, label in _VESSEL_FIELDS
        if (value := record.fields[key])
    ]
    for written in record.ids:
        type_ = present((written.get("type") or "").rstrip(" :-"))
        number = written.get("number")
        if type_ is None or number is None:
            flags("incomplete_identifier", f"id {written!r} lacks a type or a number")
            continue
        found.append(places.identifier(type_, number, written.get("country"), flags))
    return found


def _birth_dates(written: list[str], flags: EntryFlags) -> tuple[str, ...]:
    dates: list[str] = []
    for text in written:
        found = birth_dates(text)
        if found is None:
            flags("unparsed_date", f"dates_of_birth {text!r}")
        dates.extend(found or ())
    return unique(dates)


def _date(written: str | None, name: str, flags: EntryFlags) -> dt.date | None:
    if written is None:
        return None
    date = iso_date(written)
    if date is None:
        flags("unparsed_date", f"{name} {written!r}")
    return date


def _provenance(file: ListFile, format_: str, as_of: str | None) -> FeedProvenance:
    dated = (
        "as_of is the newest source_last_updated of the download's sources_used."
        if as_of
        else "The file states no publication date, so as_of is unknown."
    )
    return FeedProvenance(
        feed=FEED,
        format=format_,
        title="Consolidated Screening List (CSL)",
        publisher="U.S. Department of Commerce, International Trade Administration (ITA)",
        files=(file.source_file(),),
        as_of=as_of,
        licence=US_GOVERNMENT_WORK,
        notes=(
            f"{dated} Entries are numbered by the CSL's _id (unique across its sources); "
            "names and aliases are kept as listed."
        ),
    )

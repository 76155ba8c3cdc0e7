"""The UN Security Council Consolidated List (XML): ``CONSOLIDATED_LIST`` holding
``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY``, numbered by REFERENCE_NUMBER."""

from __future__ import annotations

from typing import Literal

from aiexports.core.countries import CountryBook
from aiexports.core.screening.entries import Address, Alias, EntryType, Identifier, ListEntry
from aiexports.core.screening.snapshot import FeedImport, FeedProvenance
from aiexports.core.vocabulary import ListCode
from aiexports.sources.lists.dates import birth_dates, iso_date
from aiexports.sources.lists.flags import EntryFlags, Oddities
from aiexports.sources.lists.inputs import ListFile
from aiexports.sources.lists.parts import Places, distinct_aliases, linked_countries, unique
from aiexports.sources.lists.report import feed_import
from aiexports.sources.lists.xmltree import Element, parse_xml

FEED = "un-sc"
FORMAT = "UN Security Council Consolidated List XML"
ROOT = "CONSOLIDATED_LIST"
LIST_NAME = "United Nations Security Council Consolidated List"
LICENCE = (
    "Published by the UN Security Council for public use; not U.S. Government data, and no "
    "explicit open licence comes with the file."
)
# (container, element, kind prefix of its children, entry type)
_SECTIONS = (
    ("INDIVIDUALS", "INDIVIDUAL", "INDIVIDUAL", EntryType.PERSON),
    ("ENTITIES", "ENTITY", "ENTITY", EntryType.ENTITY),
)
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# QUALITY → (strength, kind). "Low" marks the UN's low-quality aliases.
_ALIAS_QUALITIES: dict[str, tuple[Literal["strong", "weak"], str]] = {
    "good": ("strong", "aka"),
    "a.k.a.": ("strong", "aka"),
    "low": ("weak", "aka"),
    "f.k.a.": ("strong", "fka"),
}


def read_un(file: ListFile, countries: CountryBook) -> FeedImport:
    root = parse_xml(file)
    if root.tag != ROOT:
        raise file.error(f"the root element is <{root.tag}>, not <{ROOT}>", root.line)
    if all(root.child(container) is None for container, *_ in _SECTIONS):
        raise file.error("neither INDIVIDUALS nor ENTITIES is present", root.line)
    oddities = Oddities()
    places = Places(countries)
    entries: list[ListEntry] = []
    seen: dict[str, int] = {}
    for container_tag, element, kind, entry_type in _SECTIONS:
        container = root.child(container_tag)
        for node in container.children if container is not None else []:
            if node.tag != element:
                raise file.error(f"unexpected <{node.tag}> in <{container_tag}>", node.line)
            entry = _entry(file, node, kind, entry_type, places=places, oddities=oddities)
            if entry.key in seen:
                raise file.error(
                    f"{entry.entity_number} already listed on line {seen[entry.key]}",
                    node.line,
                    "REFERENCE_NUMBER",
                )
            seen[entry.key] = node.line
            entries.append(entry)
    generated = iso_date(root.attributes.get("dateGenerated", "")[:10])
    return feed_import(
        _provenance(file, generated.isoformat() if generated else None), entries, oddities
    )


def _entry(
    file: ListFile,
    node: Element,
    kind: str,
    entry_type: EntryType,
    *,
    places: Places,
    oddities: Oddities,
) -> ListEntry:
    origin = file.where(node.line)
    flags = oddities.at(origin)
    number = node.text_of("REFERENCE_NUMBER")
    if number is None:
        number = node.text_of("DATAID")
        if number is None:
            raise file.error(f"<{node.tag}> has neither REFERENCE_NUMBER nor DATAID", node.line)
        flags("missing_reference_number", f"no REFERENCE_NUMBER: numbered by DATAID {number}")
    name = " ".join(part for tag in _NAME_PARTS if (part := node.text_of(tag)))
    if not name:
        raise file.error(f"<{node.tag}> {number} has no name", node.line, "FIRST_NAME")

    aliases, alias_dates, alias_places = _aliases(file, node, kind, flags)
    addresses = _addresses(file, node, kind, places, flags)
    flags.where = origin
    nationalities = node.values("NATIONALITY")
    listed_on = node.text_of("LISTED_ON")
    start = iso_date(listed_on) if listed_on else None
    if listed_on and start is None:
        flags("unparsed_date", f"LISTED_ON {listed_on!r}")
    updates = node.values("LAST_DAY_UPDATED")
    return ListEntry(
        source=ListCode.UN,
        entity_number=number,
        type=entry_type,
        name=name,
        aliases=aliases,
        countries=linked_countries(addresses, places.codes(nationalities, flags, "nationality")),
        addresses=unique(addresses),
        dates_of_birth=unique([*_birth_dates(file, node, flags), *alias_dates]),
        places_of_birth=unique([*_birth_places(node), *alias_places]),
        nationalities=unique(nationalities),
        identifiers=unique(_identifiers(file, node, places, flags)),
        programs=tuple(filter(None, [node.text_of("UN_LIST_TYPE")])),
        title="; ".join(unique(node.values("TITLE") + node.values("DESIGNATION"))) or None,
        remarks=node.text_of("COMMENTS1"),
        last_update=max(updates) if updates else None,
        start_date=start,
        list_name=LIST_NAME,
        feed=FEED,
        origin=origin,
        flags=flags.names,
    )


def _aliases(
    file: ListFile, node: Element, kind: str, flags: EntryFlags
) -> tuple[tuple[Alias, ...], list[str], list[str]]:
    """The aliases (the original-script name among them) and the birth dates and places
    some aliases carry."""
    aliases: list[Alias] = []
    dates: list[str] = []
    places: list[str] = []
    for alias in node.all(f"{kind}_ALIAS"):
        flags.where = file.where(alias.line)
        name = alias.text_of("ALIAS_NAME")
        if name is None:
            continue  # the UN writes an empty alias element for "no alias"
        quality = alias.text_of("QUALITY") or ""
        strength, alias_kind = _ALIAS_QUALITIES.get(quality.lower(), ("strong", ""))
        if not alias_kind:
            flags("unknown_alias_quality", f"QUALITY {quality!r} of alias {name!r}")
        aliases.append(Alias(name=name, strength=strength, kind=alias_kind or None))
        if (written := alias.text_of("DATE_OF_BIRTH")) is not None:
            dates.extend(_dates_or_flag(written, "alias DATE_OF_BIRTH", flags))
        birth_place = ", ".join(
            part for tag in ("CITY_OF_BIRTH", "COUNTRY_OF_BIRTH") if (part := alias.text_of(tag))
        )
        if birth_place:
            places.append(birth_place)
    original = node.text_of("NAME_ORIGINAL_SCRIPT")
    if original:
        aliases.append(Alias(name=original, strength="strong", kind="original_script"))
    return distinct_aliases(aliases), dates, places


def _addresses(
    file: ListFile, node: Element, kind: str, places: Places, flags: EntryFlags
) -> list[Address]:
    found: list[Address] = []
    for element in node.all(f"{kind}_ADDRESS"):
        flags.where = file.where(element.line)
        text = "; ".join(part for tag in ("STREET", "NOTE") if (part := element.text_of(tag)))
        address = places.address(
            flags,
            text=text,
            city=element.text_of("CITY"),
            state=element.text_of("STATE_PROVINCE"),
            postal_code=element.text_of("ZIP_CODE"),
            country=element.text_of("COUNTRY"),
        )
        if address is not None:
            found.append(address)
    return found


def _birth_dates(file: ListFile, node: Element, flags: EntryFlags) -> list[str]:
    dates: list[str] = []
    for element in node.all("INDIVIDUAL_DATE_OF_BIRTH"):
        flags.where = file.where(element.line)
        written = [
            text
            for tag in ("DATE", "YEAR", "FROM_YEAR", "TO_YEAR")
            if (text := element.text_of(tag))
        ]
        for text in written:
            dates.extend(_dates_or_flag(text, "date of birth", flags))
        note = element.text_of("NOTE")
        if not written and note:
            # Some dates are written only in the note ("Nov. 1973").
            dates.extend(_dates_or_flag(note, "date of birth note", flags))
    return dates


def _dates_or_flag(written: str, what: str, flags: EntryFlags) -> tuple[str, ...]:
    found = birth_dates(written)
    if found is None:
        flags("unparsed_date", f"{what} {written!r}")
        return ()
    return found


def _birth_places(node: Element) -> list[str]:
    found = []
    for element in node.all("INDIVIDUAL_PLACE_OF_BIRTH"):
        text = ", ".join(
            part
            for tag in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")
            if (part := element.text_of(tag))
        )
        note = element.text_of("NOTE")
        if note:
            text = f"{text} ({note})" if text else note
        if text:
            found.append(text)
    return found


def _identifiers(
    file: ListFile, node: Element, places: Places, flags: EntryFlags
) -> list[Identifier]:
    found: list[Identifier] = []
    for document in node.all("INDIVIDUAL_DOCUMENT"):
        flags.where = file.where(document.line)
        if not document.children:
            continue  # the UN writes an empty element for "no document"
        type_ = " ".join((document.text_of("TYPE_OF_DOCUMENT") or "document").split())
        if detail := document.text_of("TYPE_OF_DOCUMENT2"):
            type_ = f"{type_} ({' '.join(detail.split())})"
        number = document.text_of("NUMBER")
        if number is None:
            # The number is then often in the note ("Tunisian passport number L 191609 …").
            number = document.text_of("NOTE")
            if number is None:
                flags("incomplete_identifier", f"{type_} without a NUMBER")
                continue
            flags("identifier_number_in_note", f"{type_} given only as {number!r}")
        country = document.text_of("ISSUING_COUNTRY") or document.text_of("COUNTRY_OF_ISSUE")
        found.append(places.identifier(type_, number, country, flags))
    if gender := node.text_of("GENDER"):
        found.append(Identifier(type="Gender", value=gender))
    return found


def _provenance(file: ListFile, as_of: str | None) -> FeedProvenance:
    return FeedProvenance(
        feed=FEED,
        format=FORMAT,
        title=LIST_NAME,
        publisher="United Nations Security Council",
        files=(file.source_file(),),
        as_of=as_of,
        licence=LICENCE,
        notes=(
            "as_of is the date of the file's dateGenerated attribute. Entries are numbered by "
            "REFERENCE_NUMBER; aliases of QUALITY 'Low' are weak, the others and the name in "
            "original script are strong."
        ),
    )

"""BIS's Denied Persons List: a tab-separated file, every field quoted, one header row.

A denial order has no id and may take several rows (one per address): rows with the same
Name and Effective_Date are one entry, numbered by a hash of both so that the number stays
the same from one download to the next.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from aiexports.core.countries import CountryBook
from aiexports.core.screening.entries import Address, ListEntry
from aiexports.core.screening.snapshot import FeedImport, FeedProvenance
from aiexports.core.vocabulary import ListCode
from aiexports.sources.lists.dates import implausible, iso_date, newest_plausible, us_date
from aiexports.sources.lists.flags import EntryFlags, Oddities
from aiexports.sources.lists.inputs import ListFile
from aiexports.sources.lists.parts import Places, linked_countries, present, unique
from aiexports.sources.lists.report import US_GOVERNMENT_WORK, feed_import
from aiexports.sources.lists.tables import Row, read_rows

FEED = "bis-dpl"
FORMAT = "BIS Denied Persons List, tab-separated text"
LIST_NAME = "Denied Persons List (DPL) - Bureau of Industry and Security"
SOURCE_URL = (
    "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/"
    "denied-persons-list"
)
HEADER = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
)
(NAME, STREET, CITY, STATE, COUNTRY, POSTAL_CODE, EFFECTIVE, EXPIRATION, STANDARD_ORDER,
 LAST_UPDATE, ACTION, FR_CITATION) = range(len(HEADER))  # fmt: skip

# Rows without a Country but with one of these in State are U.S. addresses (the file has
# hundreds); a country code in State (CY for Nicosia, RS for Stavropol) is not inferred.
US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
})  # fmt: skip
STANDARD_ORDER_TERMS = {
    "Y": "Denial of export privileges under a standard denial order",
    "N": "Denial of export privileges under a non-standard order: see the Federal Register notice",
}


def read_dpl(file: ListFile, countries: CountryBook) -> FeedImport:
    oddities = Oddities()
    rows = _data_rows(file, oddities)
    newest = newest_plausible(_dates(rows))
    places = Places(countries)
    entries = [_entry(group, file, newest, places, oddities) for group in _orders(rows)]
    return feed_import(_provenance(file, newest), entries, oddities)


def order_number(name: str, effective: dt.date | str) -> str:
    """The stable number of the order of ``name`` effective on ``effective``."""
    day = effective.isoformat() if isinstance(effective, dt.date) else effective
    return hashlib.sha256(f"{name}|{day}".encode()).hexdigest()[:16]


def _data_rows(file: ListFile, oddities: Oddities) -> list[Row]:
    rows = read_rows(file, file.utf8_text(oddities), len(HEADER), delimiter="\t")
    header = next(rows, None)
    if header is None:
        raise file.error("empty file: expected the Denied Persons List header", 1)
    if tuple(cell.strip() for cell in header.cells) != HEADER:
        raise file.error(f"unexpected header: expected {', '.join(HEADER)}", header.line)
    data = []
    for row in rows:
        if tuple(cell.strip() for cell in row.cells) == HEADER:
            oddities.note("duplicate_header_row", file.where(row.line), "the header repeated")
            continue
        if present(row.cells[NAME]) is None:
            raise file.error("Name is empty", row.line, "Name")
        data.append(row)
    return data


def _dates(rows: list[Row]) -> Iterable[dt.date]:
    for row in rows:
        for date in (us_date(row.cells[EFFECTIVE]), iso_date(row.cells[LAST_UPDATE])):
            if date is not None:
                yield date


def _orders(rows: list[Row]) -> list[list[Row]]:
    """Rows grouped by (Name, Effective_Date), in the order each order first appears."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        key = (row.cells[NAME].strip(), row.cells[EFFECTIVE].strip())
        groups.setdefault(key, []).append(row)
    return list(groups.values())


def _entry(
    rows: list[Row], file: ListFile, newest: dt.date | None, places: Places, oddities: Oddities
) -> ListEntry:
    first = rows[0].cells
    origin = file.where(rows[0].line)
    flags = oddities.at(origin)
    name = first[NAME].strip()
    effective = us_date(first[EFFECTIVE])
    if effective is None:
        flags("unparsed_date", f"Effective_Date {first[EFFECTIVE]!r}")
    elif implausible(effective, newest):
        flags("implausible_effective_date", f"Effective_Date {first[EFFECTIVE]!r}")

    addresses: list[Address] = []
    expirations: set[dt.date] = set()
    updates: list[str] = []
    for row in rows:
        flags.where = file.where(row.line)
        address = _address(row, places, flags)
        if address in addresses:
            flags("duplicate_address", "the same address as an earlier row of this order")
        elif address is not None:
            addresses.append(address)
        expirations.update(_expiration(row, flags))
        updates.extend(_last_update(row, newest, effective, flags))
    flags.where = origin
    if len(expirations) > 1:
        shown = ", ".join(sorted(date.isoformat() for date in expirations))
        flags("conflicting_expiration_dates", f"rows of one order expire on {shown}")

    return ListEntry(
        source=ListCode.DPL,
        entity_number=order_number(name, effective or first[EFFECTIVE].strip()),
        name=name,
        countries=linked_countries(addresses),
        addresses=tuple(addresses),
        remarks=_joined(row.cells[ACTION] for row in rows),
        license_requirement=_standard_order(rows, flags),
        federal_register_notice=_joined(row.cells[FR_CITATION] for row in rows),
        last_update=max(updates, key=lambda text: (iso_date(text) or dt.date.min, text))
        if updates
        else None,
        start_date=effective,
        end_date=max(expirations) if expirations else None,
        list_name=LIST_NAME,
        source_url=SOURCE_URL,
        feed=FEED,
        origin=origin,
        flags=flags.names,
    )


def _address(row: Row, places: Places, flags: EntryFlags) -> Address | None:
    cells = row.cells
    state = cells[STATE].strip()
    inferred = None
    if not cells[COUNTRY].strip() and state.upper() in US_STATES:
        inferred = "US"
        flags("country_inferred_from_state", f"no Country; State {state!r} is a U.S. state")
    return places.address(
        flags,
        text=cells[STREET],
        city=cells[CITY],
        state=cells[STATE],
        postal_code=cells[POSTAL_CODE],
        country=cells[COUNTRY],
        inferred=inferred,
    )


def _expiration(row: Row, flags: EntryFlags) -> list[dt.date]:
    written = row.cells[EXPIRATION].strip()
    if not written:
        return []
    date = us_date(written)
    if date is None:
        flags("unparsed_date", f"Expiration_Date {written!r}")
        return []
    return [date]


def _last_update(
    row: Row, newest: dt.date | None, effective: dt.date | None, flags: EntryFlags
) -> list[str]:
    """The Last_Update as written; a typo stays as written and is flagged."""
    written = row.cells[LAST_UPDATE].strip()
    if not written:
        return []
    date = iso_date(written)
    if date is None:
        flags("unparsed_date", f"Last_Update {written!r}")
    elif implausible(date, newest):
        flags("implausible_last_update", f"Last_Update {written!r}")
    elif effective is not None and date < effective:
        flags(
            "last_update_before_effective_date",
            f"Last_Update {written!r} is before Effective_Date {effective.isoformat()}",
        )
    return [written]


def _standard_order(rows: list[Row], flags: EntryFlags) -> str | None:
    written = next((cell for row in rows if (cell := row.cells[STANDARD_ORDER].strip())), "")
    terms = STANDARD_ORDER_TERMS.get(written.upper())
    if terms is None:
        detail = f"Standard_Order {written!r}" if written else "no Standard_Order"
        flags("unknown_standard_order" if written else "missing_standard_order", detail)
    return terms


def _joined(values: Iterable[str]) -> str | None:
    """The distinct values of the rows of one order (they differ by typos or by update)."""
    distinct = unique(text for value in values if (text := value.strip()))
    return " | ".join(distinct) or None


def _provenance(file: ListFile, newest: dt.date | None) -> FeedProvenance:
    return FeedProvenance(
        feed=FEED,
        format=FORMAT,
        title="Denied Persons List (DPL)",
        publisher="U.S. Department of Commerce, Bureau of Industry and Security (BIS)",
        files=(file.source_file(),),
        as_of=newest.isoformat() if newest else None,
        licence=US_GOVERNMENT_WORK,
        notes=(
            "The file states no publication date: as_of is its newest plausible "
            "Effective_Date or Last_Update. Rows with the same Name and Effective_Date are "
            "one denial order (one entry, one address per row), numbered by the first 16 hex "
            "digits of sha256('NAME|YYYY-MM-DD'). Rows without a Country whose State is a "
            "U.S. state are read as U.S. addresses (flagged country_inferred_from_state)."
        ),
    )

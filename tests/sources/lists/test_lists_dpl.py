"""BIS's Denied Persons List, read from an excerpt of the real ``bis-dpl.txt``.

Fixture lines (after the header on line 1) are real rows; expectations come from reading them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiexports.core.screening.entries import Address, EntryType, ListEntry
from aiexports.core.screening.snapshot import FeedImport
from aiexports.core.vocabulary import ListCode
from aiexports.sources.lists import read_list_paths
from aiexports.sources.lists.dates import implausible, newest_plausible
from aiexports.sources.lists.dpl import LIST_NAME, order_number
from aiexports.sources.reference import countries

FIXTURES = Path(__file__).parents[2] / "fixtures" / "lists"
DPL = FIXTURES / "download" / "bis-dpl.txt"


@pytest.fixture(scope="module")
def feed() -> FeedImport:
    [imported] = read_list_paths([DPL], countries())
    return imported


def orders(feed: FeedImport, name: str) -> list[ListEntry]:
    return [item for item in feed.entries if item.name == name]


def test_rows_of_one_order_are_one_entry_with_an_address_each(feed: FeedImport) -> None:
    [knokke] = orders(feed, "KNOKKE-HEIST SUPPORT CORPORATION MANAGEMENT")
    assert knokke.source is ListCode.DPL
    assert knokke.type is EntryType.UNKNOWN
    assert knokke.addresses == (
        Address(
            text="NYCKEESSTRAAT 4, 8300 KNOKKE HEIST",
            city="BELGIUM",
            country="BE",
            country_text="BE",
        ),
        Address(
            text="PAUL PARMENTIERLAAN 121, 8300 KNOKKE HEIST",
            city="BELGIUM",
            country="BE",
            country_text="BE",
        ),
    )
    assert knokke.start_date == dt.date(2022, 8, 29)
    assert knokke.end_date == dt.date(2023, 2, 23)
    assert knokke.federal_register_notice == "87 F.R. 53716 9/1/2022"
    assert knokke.remarks == "F.R. NOTICE ADDED"
    assert knokke.list_name == LIST_NAME
    assert knokke.origin == "bis-dpl.txt:14"
    expected = hashlib.sha256(b"KNOKKE-HEIST SUPPORT CORPORATION MANAGEMENT|2022-08-29")
    assert knokke.entity_number == expected.hexdigest()[:16]


def test_a_typo_in_last_update_is_kept_as_written_flagged_and_counted(feed: FeedImport) -> None:
    [knokke] = orders(feed, "KNOKKE-HEIST SUPPORT CORPORATION MANAGEMENT")
    assert knokke.last_update == "2922-09-01"
    assert "implausible_last_update" in knokke.flags
    [zadeh] = orders(feed, "MANSOUR ZADEH")
    assert zadeh.last_update == "3017-08-22"
    [count] = [flag for flag in feed.report.flags if flag.flag == "implausible_last_update"]
    assert count.count == 2
    assert count.examples == (
        "bis-dpl.txt:14: Last_Update '2922-09-01'",
        "bis-dpl.txt:19: Last_Update '3017-08-22'",
    )
    assert feed.provenance.as_of == "2022-09-01"  # the newest plausible date of the excerpt


def test_one_name_with_two_effective_dates_is_two_orders(feed: FeedImport) -> None:
    herrera = orders(feed, "HAYDEE HERRERA")
    assert [(order.start_date, len(order.addresses)) for order in herrera] == [
        (dt.date(2002, 3, 4), 2),
        (dt.date(2003, 6, 19), 1),
    ]
    assert herrera[0].entity_number != herrera[1].entity_number


def test_expiry_and_an_order_without_one(feed: FeedImport) -> None:
    [villa] = orders(feed, "AARON ABRAHAM VILLA")
    assert villa.end_date == dt.date(2026, 1, 14)
    assert villa.license_requirement == "Denial of export privileges under a standard denial order"
    [adt] = orders(feed, "ADT ANALOG AND DIGITAL TECHNIK")
    assert adt.end_date is None
    assert adt.remarks is None
    assert adt.federal_register_notice == "46 F.R. 46154 9/17/81 and 46 F.R. 19290 3/30/81"


def test_rows_that_differ_keep_every_written_value(feed: FeedImport) -> None:
    [ash] = [order for order in orders(feed, "I. ASH") if order.start_date == dt.date(2002, 3, 4)]
    assert ash.federal_register_notice == (
        "67 F.R. 56530 9/4/02 67 F.R. 10890 3/11/02 71 F.R. 38843 7/10/06 | "
        "67 F.R. 56530 9/4/02 67 F.R. 10890 3/11/02, 71 F.R. 38843 7/10/06"
    )


def test_a_missing_country_with_a_us_state_is_the_united_states(feed: FeedImport) -> None:
    [villa] = orders(feed, "AARON ABRAHAM VILLA")
    assert villa.addresses == (
        Address(
            text="3415 RIVERA AVENUE",
            city="EL PASO",
            state="TX",
            postal_code="79905",
            country="US",
            country_text=None,
        ),
    )
    assert villa.countries == ("US",)
    assert villa.flags == ("country_inferred_from_state",)


def test_other_missing_or_odd_countries_are_kept_and_flagged(feed: FeedImport) -> None:
    [zadeh] = orders(feed, "MANSOUR ZADEH")
    nicosia = zadeh.addresses[0]
    assert (nicosia.state, nicosia.country, nicosia.country_text) == ("CY", None, None)
    assert zadeh.countries == ("US",)  # only the Winston, NC row is resolved
    assert zadeh.flags == (
        "country_inferred_from_state",
        "implausible_last_update",
        "missing_country",
    )
    [siberian] = orders(feed, "SIBERIAN AIRLINES D/B/A S7 AIRLINES")
    assert siberian.flags == ("missing_country",)
    [smith] = orders(feed, "STEPHEN EDWARD SMITH")
    assert smith.addresses[0].country_text == "NM"  # New Mexico written as the country
    assert smith.flags == ("unknown_country",)
    [hu] = orders(feed, "JOHNSON HU")
    assert hu.countries == ("CN",)  # "PRC"


def test_duplicate_rows_missing_standard_order_and_odd_update_dates(feed: FeedImport) -> None:
    [zhou] = orders(feed, "DAQING ZHOU")
    assert len(zhou.addresses) == 1
    assert zhou.flags == ("duplicate_address",)
    [kourani] = orders(feed, "ALI KOURANI")
    assert kourani.license_requirement is None
    assert kourani.flags == (
        "country_inferred_from_state",
        "last_update_before_effective_date",
        "missing_standard_order",
    )


def test_no_row_is_lost(feed: FeedImport) -> None:
    rows = DPL.read_text(encoding="utf-8").splitlines()[1:]
    duplicates = next(flag.count for flag in feed.report.flags if flag.flag == "duplicate_address")
    assert sum(len(order.addresses) for order in feed.entries) + duplicates == len(rows)
    assert len(feed.entries) == len({(row.split("\t")[0], row.split("\t")[6]) for row in rows})
    assert feed.report.entries == len(feed.entries) == 13


def test_a_repeated_header_row_is_skipped_and_counted(tmp_path: Path) -> None:
    lines = DPL.read_text(encoding="utf-8").splitlines()
    copy = tmp_path / "dpl.txt"
    copy.write_text("\n".join([*lines[:3], lines[0], *lines[3:]]) + "\n", encoding="utf-8")
    [imported] = read_list_paths([copy], countries())
    [repeated] = [flag for flag in imported.report.flags if flag.flag == "duplicate_header_row"]
    assert repeated.examples == ("dpl.txt:4: the header repeated",)
    assert imported.report.entries == 13


def test_order_numbers_are_stable() -> None:
    assert order_number("I. ASH", dt.date(2002, 3, 4)) == order_number(
        "I. ASH", dt.date(2002, 3, 4)
    )
    assert order_number("I. ASH", dt.date(2002, 3, 4)) != order_number(
        "I. ASH", dt.date(2003, 6, 19)
    )


def test_newest_plausible_date_passes_over_lone_typos() -> None:
    dates = [dt.date(2022, 9, 2), dt.date(2022, 8, 29), dt.date(2922, 9, 1), dt.date(3017, 8, 22)]
    newest = newest_plausible(dates)
    assert newest == dt.date(2022, 9, 2)
    assert implausible(dt.date(2922, 9, 1), newest)
    assert implausible(dt.date(222, 5, 18), newest)
    assert not implausible(dt.date(2023, 6, 1), newest)
    assert newest_plausible([dt.date(2022, 1, 1)]) is None


@given(
    st.lists(st.dates(dt.date(1950, 1, 1), dt.date(2030, 1, 1)), min_size=2, max_size=30),
    st.integers(min_value=2, max_value=1000),
)
def test_a_far_future_typo_never_becomes_the_newest_plausible_date(
    dates: list[dt.date], centuries: int
) -> None:
    newest = max(dates)
    # (Day 28 at most: a 29 February plus some centuries may fall in no leap year.)
    typo = newest.replace(year=min(newest.year + centuries, 9999), day=min(newest.day, 28))
    found = newest_plausible([*dates, typo])
    assert found is None or found <= newest

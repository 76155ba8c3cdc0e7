"""OFAC's legacy SDN CSV files, read from an excerpt of the real download.

Expectations come from reading the fixture rows (copied from the real ``ofac-sdn`` files).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aiexports.core.screening.entries import Address, Alias, EntryType, Identifier, ListEntry
from aiexports.core.screening.snapshot import FeedImport
from aiexports.core.vocabulary import ListCode
from aiexports.sources.lists import read_list_paths
from aiexports.sources.lists.ofac import LIST_NAME, cell, programs_of
from aiexports.sources.lists.remarks import read_remarks
from aiexports.sources.reference import countries

FIXTURES = Path(__file__).parents[2] / "fixtures" / "lists"
OFAC = FIXTURES / "download" / "ofac-sdn"


@pytest.fixture(scope="module")
def feed() -> FeedImport:
    [imported] = read_list_paths([OFAC], countries())
    return imported


def entry(feed: FeedImport, number: str) -> ListEntry:
    return next(item for item in feed.entries if item.entity_number == number)


def test_the_files_are_crlf_with_ctrl_z_and_null_marks() -> None:
    sdn = (OFAC / "sdn.csv").read_bytes()
    assert sdn.endswith(b"\r\n\x1a")
    assert b"-0- ," in sdn


def test_an_individual_with_everything_its_remarks_say(feed: FeedImport) -> None:
    wong = entry(feed, "9340")
    assert wong.source is ListCode.SDN
    assert wong.type is EntryType.PERSON
    assert wong.name == "WONG, Moon Chi"  # "LAST, First" as listed
    assert wong.programs == ("SDNTK",)
    assert wong.dates_of_birth == (
        "1961-03-18", "1945-04-21", "1947-01-25", "1955-02-08", "1958-08-03", "1958-08-08",
    )  # fmt: skip
    assert wong.places_of_birth == ("China",)
    assert wong.nationalities == ("China", "Cambodia")  # nationality, citizen, alt. citizen
    assert wong.identifiers == (
        Identifier(type="Passport", value="611657479", country="CN"),
        Identifier(type="Passport", value="2355009C", country="CN"),
        Identifier(type="National ID No.", value="D489833(9)", country="HK"),
        Identifier(type="British National Overseas Passport", value="750200421", country="GB"),
    )
    assert wong.addresses == (Address(city="Hong Kong", country="CN", country_text="China"),)
    assert wong.countries == ("CN", "KH")
    strong = [alias for alias in wong.aliases if alias.strength == "strong"]
    assert len(strong) == 21  # the 21 rows of alt.csv
    assert strong[0] == Alias(name="WU, Chaisu", strength="strong", kind="aka")
    assert wong.aliases[-1] == Alias(name="CHI BANG", strength="weak", kind="aka")
    assert wong.list_name == LIST_NAME
    assert wong.feed == "ofac-sdn"
    assert wong.origin == "sdn.csv:7"
    assert wong.flags == ()


def test_an_entity_with_null_type_listed_aliases_and_a_remark_alias(feed: FeedImport) -> None:
    bank = entry(feed, "306")
    assert bank.type is EntryType.ENTITY  # SDN_Type "-0- "
    assert bank.title is None
    assert bank.aliases == (
        Alias(name="NATIONAL BANK OF CUBA", strength="strong", kind="aka"),
        Alias(name="BNC", strength="weak", kind="aka"),
    )
    assert [address.country for address in bank.addresses] == ["CH", "ES", "JP", "PA"]
    assert bank.addresses[0] == Address(
        text="Zweierstrasse 35", city="Zurich CH-8022", country="CH", country_text="Switzerland"
    )
    assert bank.remarks == "a.k.a. 'BNC'."


def test_programs_title_and_birth_year_ranges(feed: FeedImport) -> None:
    naqdi = entry(feed, "12057")
    assert naqdi.programs == ("SDGT", "NPWMD", "IRGC", "IFSR", "IRAN-HR", "IRAN-EO13876")
    assert naqdi.title is not None
    assert naqdi.title.startswith("Brigadier General and Commander")
    # DOB 1951 to 1953; alt. DOB 1960 to 1962; alt. DOB Apr 1961; alt. DOB 1953
    assert naqdi.dates_of_birth == ("1951", "1953", "1960", "1962", "1961-04")
    assert naqdi.places_of_birth == ("Najaf, Iraq", "Tehran, Iran")
    assert Identifier(type="Gender", value="Male") in naqdi.identifiers


def test_circa_dates_and_a_range_written_with_a_hyphen(feed: FeedImport) -> None:
    assert entry(feed, "7846").dates_of_birth == ("1957",)  # DOB circa 1957
    assert entry(feed, "11748").dates_of_birth == ("1979", "1982")  # circa 1979-1982; 1982


def test_vessel_and_aircraft(feed: FeedImport) -> None:
    vessel = entry(feed, "4234")
    assert vessel.type is EntryType.VESSEL
    assert vessel.addresses == ()  # its add.csv row is all nulls
    assert vessel.identifiers == (
        Identifier(type="Call Sign", value="CL2685"),
        Identifier(type="Vessel Type", value="General Cargo"),
        Identifier(type="Tonnage", value="2597"),
        Identifier(type="Gross Registered Tonnage", value="1098"),
        Identifier(type="Vessel Flag", value="Cuba", country="CU"),
        Identifier(type="Vessel Owner", value="Compania Navegacion Golfo S.A."),
    )
    aircraft = entry(feed, "15431")
    assert aircraft.type is EntryType.AIRCRAFT
    assert Identifier(type="Aircraft Model", value="IL76-TD") in aircraft.identifiers


def test_comments_continue_the_remarks_mid_word(feed: FeedImport) -> None:
    cifuentes = entry(feed, "12300")
    assert cifuentes.remarks is not None
    assert "Linked To: PROMO RAIZ S.A.S.; Linked To: RED MUNDIAL" in cifuentes.remarks
    assert cifuentes.remarks.endswith("Linked To: R D I S.A.")
    # "Matricula Mercantil No 181301-1 Cali (Colombia)": the city stays in the value
    assert (
        Identifier(type="Matricula Mercantil No", value="181301-1 Cali", country="CO")
        in cifuentes.identifiers
    )
    assert len(cifuentes.addresses) == 11


def test_unresolvable_and_missing_countries_are_kept_and_flagged(feed: FeedImport) -> None:
    yassin = entry(feed, "2691")
    assert yassin.addresses == (
        Address(city="Gaza Strip", country=None, country_text="undetermined"),
    )
    assert yassin.flags == ("unknown_country",)
    tigris = entry(feed, "8409")
    assert tigris.addresses[1] == Address(text="5903 Harper Road", city="Solon")
    assert tigris.countries == ("GB",)
    assert tigris.flags == ("missing_country",)
    flags = {flag.flag: flag for flag in feed.report.flags}
    assert flags["unknown_country"].count == 1
    assert flags["unknown_country"].examples == (
        "add.csv:6: address country 'undetermined' is not a known country",
    )
    assert flags["missing_country"].count == 1


def test_report_and_provenance(feed: FeedImport) -> None:
    assert feed.report.entries == 11
    assert feed.report.by_source == {"SDN": 11}
    assert feed.report.names == sum(1 + len(item.aliases) for item in feed.entries)
    provenance = feed.provenance
    assert provenance.feed == "ofac-sdn"
    assert provenance.as_of is None
    assert "no publication date" in provenance.notes
    assert [file.name for file in provenance.files] == [
        "sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv",
    ]  # fmt: skip
    assert provenance.files[0].bytes == (OFAC / "sdn.csv").stat().st_size
    assert len(provenance.files[0].sha256) == 64


def test_every_row_of_every_file_is_used(feed: FeedImport) -> None:
    def rows(name: str) -> list[list[str]]:
        text = (OFAC / name).read_bytes().decode("latin-1").rstrip("\x1a")
        return [line.split(",") for line in text.split("\r\n") if line]

    assert len(feed.entries) == len(rows("sdn.csv"))
    listed = sum(alias.strength == "strong" for item in feed.entries for alias in item.aliases)
    assert listed == len(rows("alt.csv"))
    empty_address_rows = sum(
        all(cell.strip() == "-0-" for cell in row[2:6]) for row in rows("add.csv")
    )
    addresses = sum(len(item.addresses) for item in feed.entries)
    assert addresses + empty_address_rows == len(rows("add.csv"))


def test_cells_and_programs() -> None:
    assert cell("-0- ") is None
    assert cell(" Havana ") == "Havana"
    assert programs_of("SDGT] [IFSR") == ("SDGT", "IFSR")
    assert programs_of("-0- ") == ()


@pytest.mark.parametrize(
    ("remark", "expected"),
    [
        ("DOB 10 Jul 1957.", ["10 Jul 1957"]),
        ("DOB 1957; alt. DOB circa 1959.", ["1957", "circa 1959"]),
    ],
)
def test_remark_birth_dates_are_read_as_written(remark: str, expected: list[str]) -> None:
    assert read_remarks(remark).birth_dates == expected


def test_remark_statements() -> None:
    facts = read_remarks(
        "DOB 17 Aug 1943; POB India; nationality Saudi Arabia; citizen Saudi Arabia; "
        "Passport C284181 (Saudi Arabia) issued 12 Aug 2000 expires 19 Jun 2005; "
        "Digital Currency Address - XBT 1EfMVkxQQuZfBdocpJu6RUsCJvenQWbQyE; "
        "Linked To: LAZARUS GROUP; f.k.a. 'OLD NAME'; n.k.a. 'NEW NAME'."
    )
    assert facts.birth_places == ["India"]
    assert facts.nationalities == ["Saudi Arabia", "Saudi Arabia"]
    assert [(i.type, i.value, i.country) for i in facts.identifiers] == [
        ("Passport", "C284181", "Saudi Arabia"),
        ("Digital Currency Address - XBT", "1EfMVkxQQuZfBdocpJu6RUsCJvenQWbQyE", None),
    ]
    assert facts.aliases == [
        Alias(name="OLD NAME", strength="weak", kind="fka"),
        Alias(name="NEW NAME", strength="weak", kind="nka"),
    ]

"""The UN Security Council Consolidated List, read from an excerpt of the real XML (five
individuals and two entities copied element by element)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aiexports.core.screening.entries import Address, Alias, EntryType, Identifier, ListEntry
from aiexports.core.screening.snapshot import FeedImport
from aiexports.core.vocabulary import ListCode
from aiexports.errors import ListFormatError
from aiexports.sources.lists import read_list_paths
from aiexports.sources.lists.un import LIST_NAME
from aiexports.sources.reference import countries

FIXTURES = Path(__file__).parents[2] / "fixtures" / "lists"
UN = FIXTURES / "download" / "un-consolidated.xml"


@pytest.fixture(scope="module")
def feed() -> FeedImport:
    [imported] = read_list_paths([UN], countries())
    return imported


def entry(feed: FeedImport, reference: str) -> ListEntry:
    return next(item for item in feed.entries if item.entity_number == reference)


def test_an_individual_with_aliases_of_both_qualities(feed: FeedImport) -> None:
    gaston = entry(feed, "CDi.003")
    assert gaston.source is ListCode.UN
    assert gaston.type is EntryType.PERSON
    assert gaston.name == "GASTON IYAMUREMYE"
    assert gaston.aliases == (
        Alias(name="Rumuli", strength="weak", kind="aka"),  # QUALITY Low
        Alias(name="Byiringiro Victor Rumuli", strength="strong", kind="aka"),
        Alias(name="Victor Rumuri", strength="strong", kind="aka"),
        Alias(name="Michel Byiringiro", strength="strong", kind="aka"),
    )
    assert gaston.programs == ("DRC",)
    assert gaston.title == (
        "FDLR Interim President; FDLR-FOCA 1st Vice-President; FDLR-FOCA Major General"
    )
    assert gaston.nationalities == ("Rwanda",)
    assert gaston.addresses == (
        Address(
            text="as of June 2016",
            state="North Kivu Province",
            country="CD",
            country_text="Democratic Republic of the Congo",
        ),
    )
    assert gaston.countries == ("CD", "RW")
    assert gaston.dates_of_birth == ("1948",)
    assert gaston.places_of_birth == (
        "Musanze District, Northern Province, Rwanda",
        "Ruhengeri, Rwanda",
    )
    assert gaston.identifiers == (Identifier(type="Gender", value="Male"),)
    assert gaston.start_date == dt.date(2010, 12, 1)
    assert gaston.last_update == "2016-10-13"
    assert gaston.list_name == LIST_NAME
    assert gaston.origin == "un-consolidated.xml:4"
    assert gaston.flags == ()


def test_original_script_is_a_strong_alias(feed: FeedImport) -> None:
    saddam = entry(feed, "IQi.001")
    assert saddam.name == "SADDAM HUSSEIN AL-TIKRITI"
    assert saddam.aliases == (
        Alias(name="Abu Ali", strength="weak", kind="aka"),
        Alias(name="صدام حسين التكريتي", strength="strong", kind="original_script"),
    )
    assert saddam.dates_of_birth == ("1937-04-28",)
    assert saddam.addresses == ()  # <COUNTRY/> only
    assert saddam.countries == ("IQ",)  # from the nationality
    assert saddam.last_update is None


def test_birth_dates_between_years_approximate_and_in_a_note(feed: FeedImport) -> None:
    assert entry(feed, "KPi.066").dates_of_birth == ("1967", "1969")  # BETWEEN
    assert entry(feed, "TAi.034").dates_of_birth == ("1963",)  # APPROXIMATELY
    assert entry(feed, "CDi.004").dates_of_birth == ("1973-11",)  # NOTE "Nov. 1973"


def test_documents_titles_and_the_birthplaces_of_aliases(feed: FeedImport) -> None:
    haqqani = entry(feed, "TAi.034")
    assert haqqani.name == "ABDUL JALIL HAQQANI WALI MOHAMMAD"
    assert haqqani.identifiers == (
        Identifier(type="Passport", value="OR1961825", country="AF"),
        Identifier(type="Passport", value="TR024417", country="AF"),
    )
    # TITLE then DESIGNATION values; the line break inside the designation is a space.
    assert haqqani.title == (
        "Maulavi; Mullah; Deputy Minister of Foreign Affairs under the Taliban regime"
    )
    assert "Logar, Afghanistan" in haqqani.places_of_birth
    assert haqqani.last_update == "2014-05-16"  # the newest LAST_DAY_UPDATED
    assert [alias.strength for alias in haqqani.aliases] == [
        "strong", "strong", "strong", "strong", "weak", "strong",
    ]  # fmt: skip


def test_entities_with_aka_and_fka_aliases(feed: FeedImport) -> None:
    adf = entry(feed, "CDe.001")
    assert adf.type is EntryType.ENTITY
    assert adf.name == "ADF"
    assert [(alias.name, alias.kind, alias.strength) for alias in adf.aliases] == [
        ("Allied Democratic Forces", "aka", "strong"),
        (
            "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
            "fka",
            "strong",
        ),
        ("ADF/NALU", "fka", "strong"),
        ("NALU", "fka", "strong"),
    ]
    kingly = entry(feed, "KPe.060")
    assert kingly.aliases == ()  # the empty alias element means "none"
    assert kingly.addresses == (
        Address(
            text="Trust Company Complex, Ajeltake Road, Ajeltake Island",
            city="Majuro MH",
            postal_code="96960",
            country="MH",
            country_text="Marshall Islands",
        ),
    )


def test_report_and_provenance(feed: FeedImport) -> None:
    assert feed.report.entries == 7
    assert feed.report.by_source == {"UN": 7}
    assert feed.report.names == 7 + sum(len(item.aliases) for item in feed.entries)
    assert feed.provenance.as_of == "2026-02-27"  # dateGenerated
    assert "no explicit open licence" in feed.provenance.licence
    assert feed.report.flags == ()


def test_every_record_is_read() -> None:
    text = UN.read_text(encoding="utf-8")
    [feed] = read_list_paths([UN], countries())
    assert feed.report.entries == text.count("<INDIVIDUAL>") + text.count("<ENTITY>")


def test_a_missing_reference_number_falls_back_to_dataid(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text(
        UN.read_text(encoding="utf-8").replace(
            "<REFERENCE_NUMBER>CDi.003</REFERENCE_NUMBER>", "<REFERENCE_NUMBER/>"
        ),
        encoding="utf-8",
    )
    [feed] = read_list_paths([path], countries())
    gaston = entry(feed, "6907995")
    assert gaston.flags == ("missing_reference_number",)


def test_a_document_type_declaration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    text = UN.read_text(encoding="utf-8")
    declaration, rest = text.split("\n", 1)
    path.write_text(
        f'{declaration}\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY x "y">]>\n{rest}', encoding="utf-8"
    )
    with pytest.raises(ListFormatError) as raised:
        read_list_paths([path], countries())
    [issue] = raised.value.issues
    assert (issue.source, issue.line) == ("un.xml", 2)


def test_an_individual_without_a_name_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    text = UN.read_text(encoding="utf-8")
    path.write_text(
        text.replace("<FIRST_NAME>GASTON</FIRST_NAME>", "").replace(
            "<SECOND_NAME>IYAMUREMYE</SECOND_NAME>", ""
        ),
        encoding="utf-8",
    )
    with pytest.raises(ListFormatError) as raised:
        read_list_paths([path], countries())
    [issue] = raised.value.issues
    assert (issue.source, issue.line, issue.field) == ("un.xml", 4, "FIRST_NAME")

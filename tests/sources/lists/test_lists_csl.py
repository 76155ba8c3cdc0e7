"""The Consolidated Screening List: an excerpt of the real CSV sample, and the same rows in
the JSON download's shape (``results`` with lists and address/id objects)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from aiexports.core.screening.entries import Address, Alias, EntryType, Identifier, ListEntry
from aiexports.core.screening.snapshot import FeedImport
from aiexports.core.vocabulary import ListCode
from aiexports.errors import ListFormatError
from aiexports.sources.lists import read_list_paths
from aiexports.sources.lists.csl import source_code
from aiexports.sources.reference import countries

FIXTURES = Path(__file__).parents[2] / "fixtures" / "lists"
CSV = FIXTURES / "download" / "csl-sample.csv"
JSON = FIXTURES / "csl-sample.json"


@pytest.fixture(scope="module")
def from_csv() -> FeedImport:
    [imported] = read_list_paths([CSV], countries())
    return imported


@pytest.fixture(scope="module")
def from_json() -> FeedImport:
    [imported] = read_list_paths([JSON], countries())
    return imported


def by_id(feed: FeedImport, number: str) -> ListEntry:
    return next(item for item in feed.entries if item.entity_number == number)


def test_every_row_becomes_an_entry_of_its_source(from_csv: FeedImport) -> None:
    assert [item.source for item in from_csv.entries] == [
        ListCode.ISN, ListCode.UVL, ListCode.MEU, ListCode.NS_PLC, ListCode.SDN, ListCode.DPL,
        ListCode.EL,
    ]  # fmt: skip
    assert from_csv.report.entries == 7
    assert from_csv.report.by_source == {
        "DPL": 1, "EL": 1, "ISN": 1, "MEU": 1, "NS-PLC": 1, "SDN": 1, "UVL": 1,
    }  # fmt: skip
    assert from_csv.report.flags == ()
    assert from_csv.provenance.feed == "csl"
    assert from_csv.provenance.as_of is None


def test_an_sdn_row_with_addresses_ids_and_birth_date(from_csv: FeedImport) -> None:
    rim = by_id(from_csv, "52291")
    assert rim.type is EntryType.PERSON
    assert rim.name == "RIM, Ryong Nam"
    assert rim.programs == ("NPWMD",)
    assert rim.addresses == (
        Address(text="Shenyang", country="CN", country_text="CN"),
        Address(text="Pyongyang", country="KP", country_text="KP"),
    )
    assert rim.countries == ("CN", "KP")
    assert rim.dates_of_birth == ("1978-12-05",)
    assert rim.nationalities == ("KP",)
    assert rim.identifiers == (
        Identifier(type="Passport", value="836238033", country="KP"),
        Identifier(
            type="Secondary sanctions risk",
            value="North Korea Sanctions Regulations, sections 510.201 and 510.210",
        ),
        Identifier(type="Gender", value="Male"),
        Identifier(
            type="Transactions Prohibited For Persons Owned or Controlled By U.S. "
            "Financial Institutions",
            value="North Korea Sanctions Regulations section 510.214",
        ),
    )
    assert rim.list_name == "Specially Designated Nationals (SDN) - Treasury Department"
    assert rim.source_url == "https://sanctionslist.ofac.treas.gov/Home/SdnList"
    assert rim.origin == "csl-sample.csv:6"


def test_names_are_kept_as_listed(from_csv: FeedImport) -> None:
    isn = from_csv.entries[0]
    assert isn.name == (
        "Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary thereof"
    )
    assert isn.type is EntryType.UNKNOWN
    assert isn.programs == ("INKSNA",)
    assert isn.start_date == dt.date(2023, 7, 19)
    assert isn.federal_register_notice == "Vol. 88, No. 151, 08/08/2023"
    meu = from_csv.entries[2]
    assert meu.name == "Academy of Aerospace Solid Propulsion Technology (AASPT)"


def test_multi_value_cells(from_csv: FeedImport) -> None:
    plc = by_id(from_csv, "9673")
    assert plc.aliases == (
        Alias(name="Mohammad Mutlaq ABU JHESHEH"),
        Alias(name="Mohammed ABU JEHEISHA"),
    )
    assert plc.dates_of_birth == ("1955",)
    assert plc.places_of_birth == ("Izna, Hebron",)
    assert plc.remarks == "HAMAS - Hebron"
    assert plc.list_name == "Palestinian Legislative Council List (PLC) - Treasury Department"
    el = from_csv.entries[-1]
    # "…; Hebei Semiconductor; and CETC Research Institute 13": the list's "and" goes.
    assert [alias.name for alias in el.aliases] == [
        "Hebei Semiconductor Research Institute", "HSRI", "Hebei Institute of Semiconductors",
        "Hebei Semiconductor Institute", "Hebei Semiconductor", "CETC Research Institute 13",
    ]  # fmt: skip
    # One address whose streets are joined with "; and", ending with its country code.
    [address] = el.addresses
    assert address.country == "CN"
    assert address.text is not None
    assert address.text.startswith("113 Hezuo Road, Shijiazhuang, Hebei, China; and 21 Changsheng")
    assert el.federal_register_notice == "83 FR 37423; 87 FR 77505"
    assert el.license_policy is not None
    assert el.license_policy.startswith("Policy of denial")


def test_a_dpl_row_keeps_its_dates_and_standard_order(from_csv: FeedImport) -> None:
    ash = from_csv.entries[5]
    assert ash.name == "I. ASH"
    assert ash.start_date == dt.date(2002, 3, 4)
    assert ash.end_date == dt.date(2056, 6, 29)
    assert ash.remarks == "50 YEAR DENIAL"
    assert ash.license_requirement == "Denial of export privileges under a standard denial order"
    assert ash.addresses == (
        Address(
            text="605 TRAIL LAKE DRIVE, RICHARDSON, TX, 75081", country="US", country_text="US"
        ),
    )


def test_the_json_download_gives_the_same_entries(
    from_csv: FeedImport, from_json: FeedImport
) -> None:
    assert from_json.provenance.format.startswith("Consolidated Screening List JSON")
    assert [item.entity_number for item in from_json.entries] == [
        "233a4d725770c81fb561ffe3842c14010c2201971d6be62eca1e613b",
        "9673",
        "52291",
        "99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be",
    ]
    assert [item.origin for item in from_json.entries] == [
        "csl-sample.json:4", "csl-sample.json:37", "csl-sample.json:77", "csl-sample.json:144",
    ]  # fmt: skip
    rim = by_id(from_json, "52291")
    assert rim.addresses == (
        Address(city="Shenyang", country="CN", country_text="CN"),
        Address(city="Pyongyang", country="KP", country_text="KP"),
    )
    assert rim.identifiers == (
        Identifier(type="Passport", value="836238033", country="KP"),
        Identifier(type="Gender", value="Male"),
    )
    for number in ("9673", "99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be"):
        assert by_id(from_json, number).aliases == by_id(from_csv, number).aliases
    el = by_id(from_json, "99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be")
    assert el.addresses[0].city == "Shijiazhuang"
    assert el.addresses[0].state == "Hebei Province"


def test_json_as_of_comes_from_sources_used(tmp_path: Path) -> None:
    document = json.loads(JSON.read_text(encoding="utf-8"))
    document["sources_used"] = [
        {"source": "Entity List (EL) - Bureau of Industry and Security",
         "source_last_updated": "2026-09-20T14:07:33+00:00"},
        {"source": "Specially Designated Nationals (SDN) - Treasury Department",
         "source_last_updated": "2026-09-23T14:07:33+00:00"},
    ]  # fmt: skip
    path = tmp_path / "consolidated.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    [imported] = read_list_paths([path], countries())
    assert imported.provenance.as_of == "2026-09-23"
    assert imported.report.entries == 4
    assert imported.entries[0].origin == "consolidated.json:1"  # one line: every result on it


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Specially Designated Nationals (SDN) - Treasury Department", ListCode.SDN),
        ("Entity List (EL) - Bureau of Industry and Security", ListCode.EL),
        ("Military End User (MEU) List - Bureau of Industry and Security", ListCode.MEU),
        ("ITAR Debarred (DTC) - State Department", ListCode.DTC),
        ("Capta List (CAP) - Treasury Department", ListCode.CAPTA),
        (
            "Correspondent Account or Payable-Through Account Sanctions (CAPTA) - Treasury "
            "Department",
            ListCode.CAPTA,
        ),
        (
            "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department",
            ListCode.NS_MBS,
        ),
        (
            "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury "
            "Department",
            ListCode.NS_CMIC,
        ),
        ("Palestinian Legislative Council List (PLC) - Treasury Department", ListCode.NS_PLC),
        ("Sectoral Sanctions Identifications List (SSI) - Treasury Department", ListCode.SSI),
        ("Foreign Sanctions Evaders (FSE) - Treasury Department", ListCode.FSE),
        ("Israeli Boycott Requester List (IBR)", None),
    ],
)
def test_source_codes(written: str, code: ListCode | None) -> None:
    assert source_code(written) == code


def test_a_duplicate_id_is_a_format_error(tmp_path: Path) -> None:
    lines = CSV.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "csl.csv"
    path.write_text("\n".join([*lines[:3], lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(ListFormatError) as raised:
        read_list_paths([path], countries())
    [issue] = raised.value.issues
    assert (issue.source, issue.line) == ("csl.csv", 4)
    assert "already read on line 3" in issue.message

"""Partner profiles derived from the bundled ISO list and EAR country groups."""

from __future__ import annotations

import json

import pytest

from aiexports.core.countries import CountrySources, GroupInfo, build_country_book
from aiexports.core.vocabulary import RiskTier
from aiexports.errors import NotFoundError, ReferenceDataError
from aiexports.sources import reference
from tests.conftest import ROOT

BOOK = reference.countries()
GROUPS = json.loads(
    (ROOT / "src" / "aiexports" / "data" / "countries" / "ear-country-groups.json").read_text()
)


def _members(group: str) -> set[str]:
    return {m["code"] for m in GROUPS["groups"][group]["members"]}


def test_every_iso_country_and_kosovo_has_a_profile() -> None:
    assert len(BOOK.profiles) == 250
    assert BOOK.profile("XK").name == "Kosovo"
    with pytest.raises(NotFoundError):
        BOOK.profile("QQ")


@pytest.mark.parametrize("group", sorted(GROUPS["groups"]))
def test_group_membership_matches_the_source(group: str) -> None:
    members = {
        code for code, p in BOOK.profiles.items() if group in p.ear_groups and p.treated_as is None
    }
    assert members == _members(group)


def test_tiers_follow_the_spec() -> None:
    tier1 = {m["code"] for m in GROUPS["ai_diffusion_2025_tier1"]["members"]}
    for code, profile in BOOK.profiles.items():
        effective = BOOK.effective(code)
        if code in tier1:
            assert profile.ai_diffusion_tier == 1
        elif "D:5" in effective.ear_groups or code == "MO":
            assert profile.ai_diffusion_tier == 3, code
        else:
            assert profile.ai_diffusion_tier == 2, code
        high = {"D:5", "E:1", "E:2"} & set(effective.ear_groups) or code == "MO"
        if high:
            assert profile.risk_tier is RiskTier.HIGH, code


def test_echri_signatories_are_low_risk() -> None:
    low = {c for c, p in BOOK.profiles.items() if p.risk_tier is RiskTier.LOW}
    assert low == {
        "US",
        "AL",
        "AU",
        "BG",
        "CA",
        "CR",
        "HR",
        "CZ",
        "DK",
        "EC",
        "EE",
        "FI",
        "FR",
        "DE",
        "JP",
        "XK",
        "LV",
        "NL",
        "NZ",
        "MK",
        "NO",
        "KR",
        "SK",
        "ES",
        "GB",
    }
    assert BOOK.profile("MX").risk_tier is RiskTier.ELEVATED


def test_hong_kong_is_treated_as_china() -> None:
    hk = BOOK.profile("HK")
    assert hk.treated_as == "CN"
    assert BOOK.effective_code("HK") == "CN"
    assert hk.ear_groups == BOOK.profile("CN").ear_groups
    assert hk.risk_tier is RiskTier.HIGH
    assert hk.country_of_concern


def test_744_21_countries() -> None:
    listed = {c for c, p in BOOK.profiles.items() if p.military_end_use_744_21 and c != "HK"}
    assert listed == {"BY", "MM", "KH", "CN", "NI", "RU", "VE"}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Korea, North", "KP"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Russia", "RU"),
        ("Burma", "MM"),
        ("Congo, Democratic Republic of the", "CD"),
        ("Cote d Ivoire", "CI"),
        ("United Kingdom", "GB"),
        ("de", "DE"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
    ],
)
def test_list_spellings_resolve_to_codes(written: str, code: str) -> None:
    assert BOOK.code_for_name(written) == code


def test_reference_data_naming_an_unknown_code_is_refused() -> None:
    sources = CountrySources(
        iso_countries=(("AA", ("Aland",)),),
        groups={"E:1": GroupInfo(code="E:1", title="t", members=("ZZ",), confidence="v")},
        diffusion_tier1=frozenset(),
        military_end_use=frozenset(),
        echri_signatories=frozenset(),
        high_risk_groups=(),
        high_risk_extra=frozenset(),
        treated_as={},
        countries_of_concern=frozenset(),
        tier3_extra=frozenset(),
        name_aliases={},
    )
    with pytest.raises(ReferenceDataError, match="ZZ"):
        build_country_book(sources)

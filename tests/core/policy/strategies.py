"""Hypothesis strategies for deals and injected screening results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from aiexports.core.screening.results import ListMatch, PartyScreening, ScreeningResult, Thresholds
from aiexports.core.vocabulary import Capability, EndUse, ListCode, PartyRole, PartyType

# Countries chosen to cover every group and tier the rules test.
COUNTRIES = [
    "US",
    "DE",
    "JP",
    "MX",
    "KE",
    "IN",
    "IL",
    "SG",
    "TW",
    "AE",
    "SA",
    "KZ",
    "VN",
    "KH",
    "CN",
    "HK",
    "MO",
    "RU",
    "BY",
    "VE",
    "MM",
    "NI",
    "IR",
    "SY",
    "CU",
    "KP",
    "LB",
    "UA",
    "BR",
]
DATES = [
    dt.date(2024, 6, 1),
    dt.date(2025, 1, 12),
    dt.date(2025, 1, 13),
    dt.date(2025, 3, 1),
    dt.date(2025, 5, 12),
    dt.date(2025, 5, 13),
    dt.date(2026, 1, 14),
    dt.date(2026, 1, 15),
    dt.date(2026, 11, 26),
]
THRESHOLDS = Thresholds(block=0.9, review=0.8)


def _hardware(index: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "id": st.just(f"c{index}"),
            "kind": st.just("hardware"),
            "eccn": st.sampled_from(["4A090.a", "3A090.a", "5A992.z", "5A992.c", "EAR99"]),
            "tpp": st.sampled_from([4800.0, 15831.0, 20999.0, 21000.0, 36000.0]),
            "units": st.integers(min_value=0, max_value=3000),
        }
    )


def _model(index: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "id": st.just(f"c{index}"),
            "kind": st.just("model"),
            "eccn": st.sampled_from(["4E091", "EAR99"]),
            "weights": st.sampled_from(["closed", "open"]),
            "access": st.sampled_from(["api", "hosted", "weights"]),
            "training_ops": st.sampled_from([1e24, 1e26, 2e26]),
        }
    )


def _other(index: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "id": st.just(f"c{index}"),
            "kind": st.sampled_from(
                ["cloud", "data_pipeline", "security", "application", "governance"]
            ),
            "eccn": st.sampled_from(["EAR99", "5D002"]),
            "capabilities": st.lists(st.sampled_from(list(Capability)), max_size=2, unique=True),
        }
    )


def component(index: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(_hardware(index), _model(index), _other(index))


def party(role: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "role": st.just(role) if role else st.sampled_from(list(PartyRole)),
            "name": st.sampled_from(["Alpha Systems", "Beta Ministry", "Gamma Institute"]),
            "country": st.sampled_from(COUNTRIES),
            "headquarters": st.sampled_from(COUNTRIES),
            "type": st.sampled_from(list(PartyType)),
        }
    )


@st.composite
def deals(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=1, max_value=3))
    return {
        "id": draw(st.sampled_from([None, "deal-1", "deal-2"])),
        "date": draw(st.sampled_from(DATES)),
        "destination": draw(st.sampled_from(COUNTRIES)),
        "parties": [draw(party("end_user")), *draw(st.lists(party(), max_size=2))],
        "components": [draw(component(i)) for i in range(count)],
        "end_uses": draw(
            st.lists(st.sampled_from(list(EndUse)), min_size=1, max_size=3, unique=True)
        ),
    }


def party_matches() -> st.SearchStrategy[list[ListMatch]]:
    match = st.builds(
        ListMatch,
        source=st.sampled_from(list(ListCode)),
        entity_number=st.sampled_from(["1", "2", "3"]),
        name=st.just("LISTED NAME"),
        matched_name=st.just("LISTED NAME"),
        score=st.sampled_from([0.5, 0.8, 0.85, 0.9, 1.0]),
        expires=st.sampled_from([None, dt.date(2025, 1, 1), dt.date(2030, 1, 1)]),
    )
    return st.lists(match, max_size=2)


def screening(matches: list[list[ListMatch]]) -> ScreeningResult:
    return ScreeningResult(
        available=True,
        thresholds=THRESHOLDS,
        lists_version="test",
        matcher="injected",
        parties=tuple(PartyScreening(tuple(m)) for m in matches),
    )

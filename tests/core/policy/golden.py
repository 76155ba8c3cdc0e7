"""Loading the golden determination tables (tests/golden/determinations/*.yaml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiexports.core.countries import CountryBook
from aiexports.core.deal import Deal
from aiexports.core.records import validation_context
from aiexports.core.screening.results import (
    ListMatch,
    PartyScreening,
    ScreeningResult,
    Thresholds,
)
from aiexports.core.vocabulary import ListCode
from aiexports.sources.documents import read_document

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "determinations"
THRESHOLDS = Thresholds(block=0.9, review=0.8)


@dataclass(frozen=True)
class GoldenCase:
    file: str
    name: str
    deal: dict[str, Any]
    policy: str | None
    screening: Any
    expect: Mapping[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"

    def build_deal(self, countries: CountryBook) -> Deal:
        return Deal.model_validate(self.deal, context=validation_context(countries))

    def build_screening(self, deal: Deal) -> ScreeningResult:
        if self.screening == "unavailable":
            return ScreeningResult.unavailable(THRESHOLDS, len(deal.parties), "no list data")
        given = (self.screening or {}).get("parties") or [[] for _ in deal.parties]
        assert len(given) == len(deal.parties), f"{self.id}: one match list per party"
        # A party's own bands (a name written in a script calibrated on its own), by index.
        own = {
            int(index): Thresholds(float(b["block"]), float(b["review"]))
            for index, b in ((self.screening or {}).get("party_bands") or {}).items()
        }
        return ScreeningResult(
            available=True,
            thresholds=THRESHOLDS,
            lists_version="golden",
            matcher="injected",
            parties=tuple(
                PartyScreening(tuple(_match(m) for m in party), thresholds=own.get(index))
                for index, party in enumerate(given)
            ),
        )


def _match(raw: Mapping[str, Any]) -> ListMatch:
    expires = raw.get("expires")
    return ListMatch(
        source=ListCode(raw["list"]),
        entity_number=str(raw["entity_number"]),
        name=str(raw["name"]),
        matched_name=str(raw["name"]),
        score=float(raw["score"]),
        list_name=str(raw.get("list_name", "")),
        programs=tuple(raw.get("programs", ())),
        expires=dt.date.fromisoformat(str(expires)) if expires else None,
    )


def golden_cases() -> Iterator[GoldenCase]:
    for path in sorted(GOLDEN.glob("*.yaml")):
        data = read_document(path).data
        base = dict(data.get("base") or {})
        for case in data["cases"]:
            yield GoldenCase(
                file=path.stem,
                name=str(case["name"]),
                deal={**base, **dict(case.get("deal") or {})},
                policy=case.get("policy"),
                screening=case.get("screening"),
                expect=dict(case["expect"]),
            )

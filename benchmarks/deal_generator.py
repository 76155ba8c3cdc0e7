"""Varied synthetic deals for benchmarks: every kind of component, country group, party
type, end use and date window the rules distinguish, drawn deterministically from a seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from aiexports.core.catalog import Menu
from aiexports.core.vocabulary import Capability, EndUse, PartyRole, PartyType

DESTINATIONS = [
    "US",
    "GB",
    "DE",
    "FR",
    "JP",
    "KR",
    "IN",
    "BR",
    "MX",
    "ID",
    "PH",
    "VN",
    "TH",
    "MY",
    "SG",
    "AE",
    "SA",
    "QA",
    "IL",
    "TR",
    "EG",
    "KE",
    "NG",
    "ZA",
    "KZ",
    "UZ",
    "PK",
    "BD",
    "CL",
    "CO",
    "PE",
    "AR",
    "PL",
    "RO",
    "UA",
    "EE",
    "TW",
    "AU",
    "NZ",
    "CN",
    "HK",
    "MO",
    "RU",
    "BY",
    "VE",
    "MM",
    "KH",
    "NI",
    "IR",
    "SY",
    "CU",
    "LB",
]
PREFIXES = [
    "Northern",
    "Pacific",
    "United",
    "National",
    "Global",
    "Royal",
    "Central",
    "Atlantic",
    "Eastern",
    "Summit",
    "Meridian",
    "Harbor",
    "Delta",
    "Crescent",
]
NOUNS = [
    "Data",
    "Compute",
    "Analytics",
    "Health",
    "Energy",
    "Logistics",
    "Telecom",
    "Bank",
    "Research",
    "Systems",
    "Networks",
    "Cloud",
    "Robotics",
    "Agritech",
]
FORMS = ["Ltd", "LLC", "GmbH", "SA", "Pte Ltd", "Co", "Corporation", "Authority", "Institute"]
LISTED_NAMES = [
    "Banco Nacional de Cuba",
    "Atlas Sanatgaran",
    "Rosneft Trade Limited",
    "Sinobright Import and Export Company",
    "Aerocaribbean Airlines",
]


def party_names(rng: random.Random, count: int) -> list[str]:
    names = {
        f"{rng.choice(PREFIXES)} {rng.choice(NOUNS)} {rng.choice(NOUNS)} {rng.choice(FORMS)}"
        for _ in range(count * 2)
    }
    return sorted(names)[:count]


def _component(rng: random.Random, index: int) -> dict[str, Any]:
    kind = rng.choices(
        ["hardware", "model", "application", "cloud", "data_pipeline", "security"],
        weights=[4, 2, 3, 1, 1, 1],
    )[0]
    base: dict[str, Any] = {"id": f"c{index}", "kind": kind}
    if kind == "hardware":
        base.update(
            eccn=rng.choice(["4A090.a", "3A090.a", "5A992.c", "EAR99", "4A003.z"]),
            tpp=rng.choice([4800, 15831, 20000, 36000]),
            units=rng.choice([8, 64, 256, 1024, 2048]),
        )
    elif kind == "model":
        base.update(
            eccn=rng.choice(["EAR99", "EAR99", "4E091"]),
            weights=rng.choice(["open", "closed"]),
            access=rng.choice(["api", "hosted", "weights"]),
            training_ops=rng.choice([1e24, 5e25, 2e26]),
        )
    else:
        base["eccn"] = rng.choice(["EAR99", "EAR99", "5D002"])
        if kind == "application" and rng.random() < 0.15:
            base["capabilities"] = rng.sample(list(Capability), k=1)
    return base


def deals(count: int, menu: Menu, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``count`` deal documents (as plain data)."""
    rng = random.Random(seed)
    names = party_names(rng, 3000)
    packages = sorted(menu.packages)
    start = dt.date(2024, 7, 1)
    for number in range(count):
        destination = rng.choice(DESTINATIONS)
        parties = []
        others = [
            PartyRole.PURCHASER,
            PartyRole.ULTIMATE_CONSIGNEE,
            PartyRole.INTERMEDIATE_CONSIGNEE,
        ]
        for role in [PartyRole.END_USER, *rng.sample(others, k=rng.choice([0, 0, 1, 2]))]:
            listed = rng.random() < 0.01
            country = destination if rng.random() < 0.8 else rng.choice(DESTINATIONS)
            party = {
                "role": str(role),
                "name": rng.choice(LISTED_NAMES) if listed else rng.choice(names),
                "country": country,
                "type": str(rng.choice(list(PartyType))),
            }
            if rng.random() < 0.1:
                party["headquarters"] = rng.choice(DESTINATIONS)
            parties.append(party)
        deal: dict[str, Any] = {
            "id": f"deal-{number:06d}",
            "date": (start + dt.timedelta(days=rng.randrange(0, 880))).isoformat(),
            "destination": destination,
            "parties": parties,
            "end_uses": rng.sample(
                [str(u) for u in EndUse if u != EndUse.WMD] + ["wmd"] * 0, k=rng.choice([1, 1, 2])
            ),
        }
        if rng.random() < 0.4:
            deal["package"] = rng.choice(packages)
        else:
            deal["components"] = [_component(rng, i) for i in range(rng.choice([1, 2, 3, 4]))]
        if rng.random() < 0.3:
            deal["value_usd"] = rng.choice([1e5, 2.5e6, 4e7, 9e8])
        yield deal

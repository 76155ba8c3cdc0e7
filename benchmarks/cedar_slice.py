"""A slice of the determination rules written in Cedar, for a side-by-side benchmark.

Four rules of the ``us-baseline`` pack, ported from ``aiexports.core.policy.rules``:
EMBARGO, RUSSIA_BELARUS, WMD_END_USE and D5_ADVANCED_COMPUTING (its presumption-of-denial
ground: an advanced computing item or controlled weights, with the destination or a
headquarters in D:5 or Macau). Cedar knows no country groups or ECCNs, so each request
carries the facts it needs (groups of every place, the deal's end uses, whether an item is
advanced computing); building them is part of Cedar's measured time, as building facts is
part of ours.
"""

from __future__ import annotations

from typing import Any

from aiexports.core.deal import Deal
from aiexports.core.policy.engine import CompiledPolicy
from aiexports.core.policy.facts import inventory

SLICE_RULES = ("EMBARGO", "RUSSIA_BELARUS", "D5_ADVANCED_COMPUTING", "WMD_END_USE")

POLICIES = """
@id("EMBARGO")
forbid (principal, action == Action::"export", resource)
when { context.place_groups.containsAny(["E:1", "E:2"]) };

@id("RUSSIA_BELARUS")
forbid (principal, action == Action::"export", resource)
when {
  context.place_countries.containsAny(["RU", "BY"]) &&
  !context.place_groups.containsAny(["E:1", "E:2"])
};

@id("WMD_END_USE")
forbid (principal, action == Action::"export", resource)
when { context.end_uses.contains("wmd") };

@id("D5_ADVANCED_COMPUTING")
forbid (principal, action == Action::"export", resource)
when {
  context.controlled_items &&
  (context.concern_groups.contains("D:5") || context.concern_countries.contains("MO"))
};

@id("ALLOW")
permit (principal, action == Action::"export", resource);
"""

PROHIBITING = {"EMBARGO", "WMD_END_USE"}
POLICY_IDS = [line.split('"')[1] for line in POLICIES.splitlines() if line.startswith("@id(")]
"""Cedar names the policies of a text policy0, policy1… in order; their @id, by index."""


def request(deal: Deal, policy: CompiledPolicy) -> dict[str, Any]:
    """The Cedar request for ``deal``: the facts the slice reads, from the same country
    book and ECCN tests the engine uses."""
    countries = policy.reference.countries
    places = [deal.destination]
    concern = [deal.destination]
    for party in deal.parties:
        places.append(party.country)
        places.append(party.headquarters_country)
        concern.append(party.headquarters_country)
    effective = [countries.effective_code(code) for code in places]
    concern_codes = [countries.effective_code(code) for code in concern]
    groups = {g for code in effective for g in countries.groups_among(code, ("E:1", "E:2"))}
    concern_groups = {g for code in concern_codes for g in countries.groups_among(code, ("D:5",))}
    held = inventory(policy.items(deal), policy.values_at(deal.date))
    controlled = bool(held.computing or held.weights)
    return {
        "principal": 'Exporter::"exporter"',
        "action": 'Action::"export"',
        "resource": f'Deal::"{deal.id or "deal"}"',
        "context": {
            "place_groups": sorted(groups),
            "place_countries": sorted(set(effective)),
            "concern_groups": sorted(concern_groups),
            "concern_countries": sorted(set(concern_codes)),
            "end_uses": [str(u) for u in deal.end_uses],
            "controlled_items": controlled,
        },
    }


def outcome(reasons: list[str]) -> str:
    """The outcome the slice's findings give, as the engine would rank them."""
    fired = {POLICY_IDS[int(reason.removeprefix("policy"))] for reason in reasons} - {"ALLOW"}
    if fired & PROHIBITING:
        return "prohibited"
    if fired:
        return "license_required"
    return "no_license_required"

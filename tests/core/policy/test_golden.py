"""The engine against the golden tables written by hand from the determination spec."""

from __future__ import annotations

from collections import defaultdict

import pytest

from aiexports.core.policy.engine import ReferenceData, assess
from aiexports.core.policy.pack import PackShelf
from aiexports.core.policy.rules import RULES
from tests.core.policy.golden import GoldenCase, golden_cases

CASES = list(golden_cases())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_case(case: GoldenCase, reference_data: ReferenceData, shelf: PackShelf) -> None:
    deal = case.build_deal(reference_data.countries)
    pack = shelf.named(case.policy) if case.policy else shelf.in_force(deal.date)
    result = assess(deal, pack, reference_data, case.build_screening(deal))
    expect = case.expect
    fired = [f.rule for f in result.findings]
    if "policy" in expect:
        assert result.policy.id == expect["policy"]
    if "effective" in expect:
        effective = result.policy.effective.model_dump(mode="json")
        wanted = {k: (None if v is None else str(v)) for k, v in expect["effective"].items()}
        assert effective == wanted
    if "outcome" in expect:
        assert result.outcome == expect["outcome"], fired
    if "review_policy" in expect:
        assert result.review_policy == expect["review_policy"]
    if "rules" in expect:
        assert fired == list(expect["rules"])
    for absent in expect.get("absent", []):
        assert absent not in fired
    if "review_policies" in expect:
        assert [f.review_policy for f in result.findings] == list(expect["review_policies"])
    if "finding_outcomes" in expect:
        assert [f.outcome for f in result.findings] == list(expect["finding_outcomes"])
    if "finding_components" in expect:
        assert [f.evidence["component"] for f in result.findings] == list(
            expect["finding_components"]
        )
    if "finding_parties" in expect:
        assert [f.evidence["party_index"] for f in result.findings] == list(
            expect["finding_parties"]
        )
    if "citations" in expect:
        assert [list(f.citations) for f in result.findings] == [
            list(c) for c in expect["citations"]
        ]
    if "conditions" in expect:
        assert [c.id for c in result.conditions] == list(expect["conditions"])


def test_golden_tables_cover_both_sides_of_every_rule(shelf: PackShelf) -> None:
    """Each rule of both packs fires in some case and is shown not firing in another."""
    fires: dict[str, int] = defaultdict(int)
    silent: dict[str, int] = defaultdict(int)
    for case in CASES:
        for rule in case.expect.get("rules", []):
            fires[rule] += 1
        for rule in case.expect.get("absent", []):
            silent[rule] += 1
    rules = {r for pack in shelf.packs.values() for r in pack.rules if RULES[r].finding}
    assert sorted(r for r in rules if not fires[r]) == []
    assert sorted(r for r in rules if not silent[r]) == []

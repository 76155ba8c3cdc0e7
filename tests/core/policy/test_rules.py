"""Every rule explains itself and cites the law in every pack that enables it."""

from __future__ import annotations

import pytest

from aiexports.core.policy.engine import check_pack
from aiexports.core.policy.pack import PackShelf, PolicyPack
from aiexports.core.policy.rules import RULES
from aiexports.sources import reference

PACKS = list(reference.packs().packs.values())


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_an_explanation(rule_id: str) -> None:
    explanation = RULES[rule_id].explanation
    assert len(explanation.split()) >= 12, explanation


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.id)
def test_every_enabled_rule_is_cited(pack: PolicyPack) -> None:
    for rule_id in pack.rules:
        if RULES[rule_id].finding:
            assert pack.citations.get(rule_id), rule_id
    assert check_pack(pack) == []


def test_check_pack_reports_a_rule_without_citation(shelf: PackShelf) -> None:
    pack = shelf.named("us-baseline")
    citations = {k: v for k, v in pack.citations.items() if k != "EMBARGO"}
    broken = pack.model_copy(update={"citations": citations})
    assert [i.field for i in check_pack(broken)] == ["citations.EMBARGO"]


def test_check_pack_reports_unknown_rule_and_missing_condition_text(shelf: PackShelf) -> None:
    pack = shelf.named("us-baseline")
    conditions = {k: v for k, v in pack.conditions.items() if k != "HRDD"}
    broken = pack.model_copy(
        update={"rules": (*pack.rules, "NO_SUCH_RULE"), "conditions": conditions}
    )
    messages = [i.message for i in check_pack(broken)]
    assert any(m.startswith("unknown rule 'NO_SUCH_RULE'") for m in messages)
    assert any("HRDD" in m for m in messages)


def test_spec_rule_tables_are_enabled() -> None:
    """Both packs enable exactly the rules of the spec's tables (section 4 and 5)."""
    baseline = {
        "EMBARGO",
        "RUSSIA_BELARUS",
        "RPS_PROHIBITED",
        "RPS_LICENSE",
        "RPS_UVL",
        "RPS_OTHER",
        "RPS_REVIEW",
        "RPS_UNAVAILABLE",
        "D5_ADVANCED_COMPUTING",
        "ADVANCED_COMPUTING_D1_D4",
        "MILITARY_END_USE",
        "WMD_END_USE",
        "FRONTIER_TRAINING_D5",
        "SURVEILLANCE_SAFEGUARD",
        "PROGRAM_CONDITIONS",
    }
    shelf = reference.packs()
    assert set(shelf.named("us-baseline").rules) == baseline
    assert set(shelf.named("ai-diffusion-2025").rules) == (
        baseline - {"ADVANCED_COMPUTING_D1_D4"} | {"DIFFUSION_CHIPS_TIER2", "DIFFUSION_WEIGHTS"}
    )

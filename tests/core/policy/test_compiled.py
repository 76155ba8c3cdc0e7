"""The compiled policy: caches scoped by the object, content digests, sets canonical,
picklable and safe to share between threads."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import pickle
import textwrap
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiexports.core.deal import Deal
from aiexports.core.policy.engine import CompiledPolicy, ReferenceData, compile_policy
from aiexports.core.policy.pack import PARAMETERS, ConditionText, PackShelf
from aiexports.core.policy.rules import RULES
from aiexports.core.records import validation_context
from tests.core.policy import strategies as gen

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

DEAL = {
    "id": "collision",
    "date": "2026-03-01",
    "package": "sovereign-llm-cloud",
    "destination": "SA",
    "parties": [{"role": "end_user", "name": "Riyadh Data Co", "country": "SA", "type": "private"}],
    "end_uses": ["commercial", "research"],
}


def _deal(raw: dict[str, Any], reference: ReferenceData) -> Deal:
    return Deal.model_validate(raw, context=validation_context(reference.countries))


def test_two_packs_differing_in_one_condition_text_decide_apart(
    shelf: PackShelf, reference_data: ReferenceData
) -> None:
    """Same id, same version, one condition text changed: the second pack's text and a
    different decision id, whichever is compiled first."""
    first = shelf.named("us-baseline")
    conditions = dict(first.conditions)
    conditions["SEC-KYC"] = ConditionText(text="Verify every user twice.")
    second = first.model_copy(update={"conditions": conditions})
    assert (second.id, second.version) == (first.id, first.version)
    assert second.digest != first.digest
    deal = _deal(DEAL, reference_data)
    screening = gen.screening([[]])
    a = compile_policy(first, reference_data).assess(deal, screening)
    b = compile_policy(second, reference_data).assess(deal, screening)
    texts_a = {c.id: c.text for c in a.conditions}
    texts_b = {c.id: c.text for c in b.conditions}
    assert texts_b["SEC-KYC"] == "Verify every user twice."
    assert texts_a["SEC-KYC"] != texts_b["SEC-KYC"]
    assert a.decision_id != b.decision_id
    assert a.policy.digest != b.policy.digest


def test_a_pack_digest_is_its_content(shelf: PackShelf) -> None:
    pack = shelf.named("us-baseline")
    rebuilt = type(pack).model_validate(pack.model_dump())
    assert rebuilt.digest == pack.digest
    retitled = pack.model_copy(update={"title": pack.title + "."})
    assert retitled.digest != pack.digest


@SETTINGS
@given(raw=gen.deals(), data=st.data())
def test_reordering_sets_keeps_the_decision_id(
    raw: dict[str, Any], data: st.DataObject, reference_data: ReferenceData, shelf: PackShelf
) -> None:
    """End uses and capabilities are sets: their order and repeats mean nothing."""
    matches = [data.draw(gen.party_matches()) for _ in raw["parties"]]
    shuffled = {**raw, "end_uses": data.draw(st.permutations(raw["end_uses"]))}
    shuffled["end_uses"] = [*shuffled["end_uses"], shuffled["end_uses"][0]]
    shuffled["components"] = [
        {**c, "capabilities": list(reversed(c.get("capabilities", [])))}
        if isinstance(c, dict)
        else c
        for c in raw["components"]
    ]
    deal, other = _deal(raw, reference_data), _deal(shuffled, reference_data)
    policy = compile_policy(shelf.in_force(deal.date), reference_data)
    screening = gen.screening(matches)
    assert policy.assess(deal, screening).decision_id == (
        policy.assess(other, screening).decision_id
    )


def test_a_compiled_policy_pickles_and_decides_the_same(
    shelf: PackShelf, reference_data: ReferenceData
) -> None:
    policy = compile_policy(shelf.named("us-baseline"), reference_data)
    deal = _deal(DEAL, reference_data)
    screening = gen.screening([[]])
    before = policy.assess(deal, screening)
    received = pickle.loads(pickle.dumps(policy))
    assert received is not policy
    assert received.assess(deal, screening) == before


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raws=st.lists(gen.deals(), min_size=4, max_size=12))
def test_threads_sharing_a_policy_decide_as_one_thread_does(
    raws: list[dict[str, Any]], shelf: PackShelf, reference_data: ReferenceData
) -> None:
    deals = [_deal(raw, reference_data) for raw in raws]
    deals = [d for d in deals if shelf.in_force(d.date).id == "us-baseline"] or deals[:1]
    pack = shelf.in_force(deals[0].date)
    deals = [d for d in deals if shelf.in_force(d.date) is pack]
    screenings = [gen.screening([[] for _ in d.parties]) for d in deals]
    alone = [
        compile_policy(pack, reference_data).assess(d, s)
        for d, s in zip(deals, screenings, strict=True)
    ]
    shared = compile_policy(pack, reference_data)
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            together = list(pool.map(shared.assess, deals, screenings))
            assert together == alone


def test_explanations_take_their_values_from_the_parameters(
    shelf: PackShelf, reference_data: ReferenceData
) -> None:
    pack = shelf.named("us-baseline")
    policy = compile_policy(pack, reference_data)
    text = policy.explanation("PROGRAM_CONDITIONS", dt.date(2026, 3, 1))
    assert "1,000 or more accelerators" in text
    parameters = pack.parameters.model_copy(
        update={
            "psv_min_accelerators": type(pack.parameters.psv_min_accelerators)(
                steps=({"value": 256},)
            )
        }
    )
    draft = compile_policy(pack.model_copy(update={"parameters": parameters}), reference_data)
    changed = draft.explanation("PROGRAM_CONDITIONS", dt.date(2026, 3, 1))
    assert "256 or more accelerators" in changed
    assert "{" not in changed


def _parameters_read(function: Any) -> set[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "params"
    }


def test_rules_declare_every_parameter_they_read() -> None:
    names = {spec.name for spec in PARAMETERS}
    for rule in RULES.values():
        read = _parameters_read(rule.function)
        assert read <= set(rule.reads), (rule.id, read - set(rule.reads))
        assert set(rule.reads) <= names


def test_every_parameter_is_declared_once_with_a_description_and_unit() -> None:
    names = [spec.name for spec in PARAMETERS]
    assert len(names) == len(set(names))
    for spec in PARAMETERS:
        assert spec.description, spec.name
        assert spec.unit, spec.name
    read = {name for rule in RULES.values() for name in rule.reads}
    assert read == set(names), set(names) - read


def test_dates_share_parameter_values_only_within_one_stretch(
    shelf: PackShelf, reference_data: ReferenceData
) -> None:
    """Values are shared between the days of one stretch, and never across a step or
    a range: every day reads what the pack says for that day."""
    for pack in shelf.packs.values():
        policy = compile_policy(pack, reference_data)
        day = dt.date(2024, 6, 1)
        while day < dt.date(2027, 6, 1):
            assert policy.values_at(day) == pack.values_at(day), (pack.id, day)
            day += dt.timedelta(days=5)


@SETTINGS
@given(raw=gen.deals(), data=st.data())
def test_the_outcome_summary_is_what_the_full_determination_decides(
    raw: dict[str, Any], data: st.DataObject, reference_data: ReferenceData, shelf: PackShelf
) -> None:
    matches = [data.draw(gen.party_matches()) for _ in raw["parties"]]
    deal = _deal(raw, reference_data)
    screening = gen.screening(matches)
    for pack in shelf.packs.values():
        policy = compile_policy(pack, reference_data)
        full = policy.assess(deal, screening)
        summary = policy.outcome(deal, screening)
        assert summary.outcome is full.outcome
        assert summary.review_policy is full.review_policy
        assert summary.rules == {f.rule for f in full.findings}
        assert summary.conditions == {c.id for c in full.conditions}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raws=st.lists(gen.deals(), min_size=10, max_size=30))
def test_caches_that_empty_themselves_never_change_a_decision(
    raws: list[dict[str, Any]], shelf: PackShelf, reference_data: ReferenceData
) -> None:
    """A compiled policy whose caches hold three entries (so they empty all the time, each
    at its own moment) decides every deal as a fresh one does."""
    tiny = {p.id: CompiledPolicy(p, reference_data, cache_limit=3) for p in shelf.packs.values()}
    for _ in range(2):
        for raw in raws:
            deal = _deal(raw, reference_data)
            pack = shelf.in_force(deal.date)
            screening = gen.screening([[] for _ in deal.parties])
            fresh = compile_policy(pack, reference_data).assess(deal, screening)
            assert tiny[pack.id].assess(deal, screening) == fresh


DAYS = ("2024-09-01", "2025-09-01", "2026-03-01")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(2, 6),
    picks=st.lists(st.tuples(st.integers(0, 5), st.sampled_from(DAYS)), min_size=5, max_size=60),
)
def test_deals_sharing_items_across_dates_survive_cache_turnover(
    limit: int, picks: list[tuple[int, str]], shelf: PackShelf, reference_data: ReferenceData
) -> None:
    """Packages on dates either side of parameter steps, in any order, with caches far
    smaller than the working set: every determination as from a fresh policy."""
    pack = shelf.named("us-baseline")
    tiny = CompiledPolicy(pack, reference_data, cache_limit=limit)
    packages = sorted(reference_data.menu.packages)[:6]
    screening = gen.screening([[]])
    for index, day in picks:
        raw = {
            **DEAL,
            "package": packages[index],
            "date": day,
            "destination": "CN",
            "parties": [{"role": "end_user", "name": "Buyer", "country": "CN", "type": "private"}],
        }
        deal = _deal(raw, reference_data)
        expected = compile_policy(pack, reference_data).assess(deal, screening)
        assert tiny.assess(deal, screening) == expected, (index, day)

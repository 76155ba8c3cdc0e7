"""Properties of the engine: determinism, and monotone strictness as a deal grows."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiexports.core.deal import Deal
from aiexports.core.determination import Determination
from aiexports.core.policy.engine import ReferenceData, assess
from aiexports.core.policy.pack import PackShelf
from aiexports.core.records import validation_context
from aiexports.core.screening.results import ListMatch
from aiexports.core.vocabulary import EndUse, ListCode, Outcome
from tests.core.policy import strategies as gen

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _decide(
    raw: dict[str, Any],
    matches: list[list[ListMatch]],
    reference: ReferenceData,
    shelf: PackShelf,
) -> Determination:
    deal = Deal.model_validate(raw, context=validation_context(reference.countries))
    return assess(deal, shelf.in_force(deal.date), reference, gen.screening(matches))


def _not_looser(before: Determination, after: Determination) -> bool:
    if after.outcome.strictness != before.outcome.strictness:
        return after.outcome.strictness > before.outcome.strictness
    if after.outcome is Outcome.LICENSE_REQUIRED:
        assert before.review_policy is not None
        assert after.review_policy is not None
        return after.review_policy.strictness >= before.review_policy.strictness
    return True


@SETTINGS
@given(raw=gen.deals(), data=st.data())
def test_same_deal_same_decision_id(
    raw: dict[str, Any], data: st.DataObject, reference_data: ReferenceData, shelf: PackShelf
) -> None:
    matches = [data.draw(gen.party_matches()) for _ in raw["parties"]]
    first = _decide(raw, matches, reference_data, shelf)
    deal = Deal.model_validate(raw, context=validation_context(reference_data.countries))
    round_tripped = deal.model_validate_json(deal.model_dump_json())
    second = assess(
        round_tripped, shelf.in_force(deal.date), reference_data, gen.screening(matches)
    )
    assert first == second
    assert first.decision_id.startswith("sha256:")


@SETTINGS
@given(raw=gen.deals(), data=st.data())
def test_decision_id_changes_with_inputs(
    raw: dict[str, Any], data: st.DataObject, reference_data: ReferenceData, shelf: PackShelf
) -> None:
    matches = [[] for _ in raw["parties"]]
    base = _decide(raw, matches, reference_data, shelf)
    valued = _decide({**raw, "value_usd": 1000.0}, matches, reference_data, shelf)
    assert base.decision_id != valued.decision_id
    review_level = ListMatch(
        source=ListCode.SDN, entity_number="9", name="X", matched_name="X", score=0.85
    )
    flagged = [[review_level], *matches[1:]]
    screened = _decide(raw, flagged, reference_data, shelf)
    assert screened.decision_id != base.decision_id


@SETTINGS
@given(raw=gen.deals(), data=st.data())
def test_adding_a_party_never_loosens(
    raw: dict[str, Any], data: st.DataObject, reference_data: ReferenceData, shelf: PackShelf
) -> None:
    matches = [data.draw(gen.party_matches()) for _ in raw["parties"]]
    before = _decide(raw, matches, reference_data, shelf)
    extra = data.draw(gen.party())
    after = _decide(
        {**raw, "parties": [*raw["parties"], extra]},
        [*matches, data.draw(gen.party_matches())],
        reference_data,
        shelf,
    )
    assert _not_looser(before, after), (before.findings, after.findings)


@SETTINGS
@given(raw=gen.deals(), data=st.data())
def test_adding_an_end_use_never_loosens(
    raw: dict[str, Any], data: st.DataObject, reference_data: ReferenceData, shelf: PackShelf
) -> None:
    missing = [use for use in EndUse if use not in raw["end_uses"]]
    use = data.draw(st.sampled_from(missing))
    matches = [data.draw(gen.party_matches()) for _ in raw["parties"]]
    before = _decide(raw, matches, reference_data, shelf)
    after = _decide({**raw, "end_uses": [*raw["end_uses"], use]}, matches, reference_data, shelf)
    assert _not_looser(before, after), (before.findings, after.findings)


@SETTINGS
@given(raw=gen.deals(), data=st.data())
def test_adding_a_component_never_loosens(
    raw: dict[str, Any], data: st.DataObject, reference_data: ReferenceData, shelf: PackShelf
) -> None:
    matches = [data.draw(gen.party_matches()) for _ in raw["parties"]]
    before = _decide(raw, matches, reference_data, shelf)
    extra = data.draw(gen.component(len(raw["components"])))
    after = _decide(
        {**raw, "components": [*raw["components"], extra]}, matches, reference_data, shelf
    )
    assert _not_looser(before, after), (before.findings, after.findings)

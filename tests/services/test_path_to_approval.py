"""The path to approval on hand-written deals: each suggested change, applied to the deal,
gets exactly the determination it promised, and no smaller change of the same kind would
(one more unit is as strict as before). The thresholds are the policy's (License
Exception LPP under the Framework for AI Diffusion: 26,900,000 TPP), not the code's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from aiexports.core.deal import Deal
from aiexports.core.path_to_approval import strictness
from aiexports.core.records import validation_context
from aiexports.runtime import IndexCache, Runtime
from aiexports.services.deals import SourcedDeal
from aiexports.settings import Settings

INDEXES = IndexCache()
H100_TPP = 15831
LPP_LIMIT = 26_900_000


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    home = tmp_path_factory.mktemp("home")
    moment = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    return Runtime(Settings(home=Path(home)), clock=lambda: moment, indexes=INDEXES)


def _sourced(runtime: Runtime, document: dict[str, Any]) -> SourcedDeal:
    deal = Deal.model_validate(document, context=validation_context(runtime.countries))
    return SourcedDeal(deal, None, "test")


def _decide(runtime: Runtime, document: dict[str, Any]) -> Any:
    return runtime.assessor().decide(_sourced(runtime, document))


def _check_each_change(runtime: Runtime, path: Any) -> None:
    """Applied, each change gives the very determination promised, less strict."""
    for change in path.changes:
        again = _decide(runtime, change.document)
        assert again.decision_id == change.determination.decision_id
        assert strictness(again) < strictness(path.determination)


LPP_DEAL = {
    "id": "lpp-tier2",
    "date": "2025-03-01",  # the Framework for AI Diffusion is in force
    "components": [
        {"id": "gpu-servers", "kind": "hardware", "eccn": "4A090.a", "tpp": H100_TPP, "units": 2000}
    ],
    "destination": "IN",  # Tier 2
    "parties": [
        {"role": "end_user", "name": "Bharat Compute Ltd", "country": "IN", "type": "private"}
    ],
    "end_uses": ["commercial"],
}


def test_fewer_accelerators_down_to_the_lpp_allowance(runtime: Runtime) -> None:
    path = runtime.assessor().path_to_approval(_sourced(runtime, LPP_DEAL))
    assert str(path.determination.outcome) == "license_required"
    fewer = [c for c in path.changes if c.kind == "fewer_units"]
    assert len(fewer) == 1
    (change,) = fewer
    # The most H100-class units within 26,900,000 TPP: floor(26.9e6 / 15,831) = 1,699.
    assert LPP_LIMIT // H100_TPP == 1699
    assert change.document["quantities"] == {"gpu-servers": 1699}
    assert str(change.determination.outcome) == "no_license_required"
    assert {
        "rule": "DIFFUSION_CHIPS_TIER2",
        "from": "license_required (presumption_of_approval)",
        "to": "no_license_required",
    } in change.rules
    # No smaller reduction would do: one unit more is as strict as the deal itself.
    one_more = {**change.document, "quantities": {"gpu-servers": 1700}}
    assert strictness(_decide(runtime, one_more)) == strictness(path.determination)
    _check_each_change(runtime, path)


def test_an_end_user_without_its_d5_headquarters(runtime: Runtime) -> None:
    deal = {
        "id": "hq-d5",
        "date": "2026-12-01",
        "package": "sovereign-llm-cloud",
        "destination": "AE",
        "parties": [
            {
                "role": "end_user",
                "name": "Gulf Cloud Holdings",
                "country": "AE",
                "headquarters": "CN",
                "type": "private",
            }
        ],
        "end_uses": ["commercial", "research"],
    }
    path = runtime.assessor().path_to_approval(_sourced(runtime, deal))
    # Worldwide license for an entity headquartered in D:5 (15 CFR 742.6(a)(6)(iii)),
    # reviewed with a presumption of denial.
    assert str(path.determination.review_policy) == "presumption_of_denial"
    (moved,) = [c for c in path.changes if c.kind == "headquarters"]
    assert moved.document["parties"][0]["headquarters"] == "AE"
    # Still an advanced computing item to D:1 AE: licensed, case by case.
    assert (str(moved.determination.outcome), str(moved.determination.review_policy)) == (
        "license_required",
        "case_by_case",
    )
    assert {
        "rule": "D5_ADVANCED_COMPUTING",
        "from": "license_required (presumption_of_denial)",
        "to": None,
    } in moved.rules
    # Dropping an end use changes nothing here: not offered.
    assert not [c for c in path.changes if c.kind == "drop_end_use"]
    _check_each_change(runtime, path)


def test_a_deal_needing_nothing_has_no_path(runtime: Runtime) -> None:
    deal = {**LPP_DEAL, "components": [{**LPP_DEAL["components"][0], "units": 1000}]}
    path = runtime.assessor().path_to_approval(_sourced(runtime, deal))
    assert str(path.determination.outcome) == "no_license_required"
    assert path.changes == ()


def test_an_embargoed_destination_has_no_path_of_these_kinds(runtime: Runtime) -> None:
    deal = {
        **LPP_DEAL,
        "date": "2026-12-01",
        "destination": "IR",
        "parties": [{**LPP_DEAL["parties"][0], "country": "IR"}],
    }
    path = runtime.assessor().path_to_approval(_sourced(runtime, deal))
    assert str(path.determination.outcome) == "prohibited"
    assert path.changes == ()

"""Program workflows over the real service and database: a proposal from draft to the
menu, each menu version kept, the rubric and its scorecards (issue: program workflows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import FixedClock, Service, clocked_service, proposal_document

AA, AB = "demo-consortium-a/applicant", "demo-consortium-b/applicant"
AN, OF, AU = "demo-program-office/analyst", "demo-agency/officer-1", "demo-auditor/auditor"
START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def program(database_url: str, tmp_path: Path) -> Iterator[tuple[Service, FixedClock]]:
    with clocked_service(database_url, tmp_path / "home", START) as running:
        yield running


def _get(service: Service, path: str, who: str = AN, **params: str) -> Any:
    response = service.client.get(path, headers=service.as_(who), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _menu_ids(service: Service, **params: str) -> dict[str, str]:
    return {p["id"]: p["status"] for p in _get(service, "/api/v1/menu", **params)["items"]}


def _full_scores(score: int = 4) -> dict[str, Any]:
    criteria = ["national_interest", "us_content", "contested_market", "sovereignty", "security"]
    return {"scores": {c: {"score": score, "reason": f"{c}: judged on the file"} for c in criteria}}


def _low_share(d: dict[str, Any]) -> None:
    d["layers"]["hardware"]["us_content_share"] = 0.509


def test_a_proposal_goes_onto_the_menu_and_every_menu_version_is_kept(
    program: tuple[Service, FixedClock],
) -> None:
    service, clock = program
    body = proposal_document("regional-ai-hub", change=_low_share)
    created = service.client.post("/api/v1/proposals", json=body, headers=service.as_(AA))
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert proposal["state"] == "draft"
    assert created.headers["ETag"] == '"1"'
    assert [(f["rule"], f["severity"]) for f in proposal["findings"]] == [
        ("PKG_US_CONTENT", "warning")
    ]
    pid = proposal["id"]

    assert service.proposal_act(pid, "submit", AA).json()["state"] == "submitted"
    assert service.proposal_act(pid, "evaluate", AN).json()["state"] == "under_evaluation"

    scored = service.client.post(
        f"/api/v1/proposals/{pid}/scores", json=_full_scores(), headers=service.as_(AN)
    )
    assert scored.status_code == 201, scored.text
    card = scored.json()
    assert card["rubric"] == {"id": "aiep-proposal-rubric", "version": 1}
    assert card["total"] == 80.0
    assert {c["criterion"]: c["contribution"] for c in card["criteria"]}[
        "national_interest"
    ] == 24.0

    # A warning needs its documented justification before designation.
    decision = {"decision": "designate", "reason": "strategic for the region"}
    refused = service.proposal_act(pid, "decision", AN, decision)
    assert refused.status_code == 422
    assert ["body", "justifications", "PKG_US_CONTENT"] in [
        e["loc"] for e in refused.json()["errors"]
    ]
    justified = {
        **decision,
        "justifications": {
            "PKG_US_CONTENT": "power and cooling modules are Japanese; the rest is U.S."
        },
    }
    designated = service.proposal_act(pid, "decision", AN, justified)
    assert designated.status_code == 200, designated.text
    view = designated.json()
    assert view["state"] == "designated"
    assert view["decision"]["menu_entry"]["package_version"] == 1
    assert view["score"] == {
        "rubric_version": 1,
        "evaluators": 1,
        "mean_total": 80.0,
        "other_versions": [],
    }

    day_one = _get(service, "/api/v1/menu", as_of="2026-06-01")
    assert "regional-ai-hub" in {p["id"] for p in day_one["items"]}
    assert "regional-ai-hub" not in _menu_ids(service, as_of="2026-05-31")
    package = _get(service, "/api/v1/menu/regional-ai-hub")
    assert (package["status"], package["status_date"]) == ("designated", "2026-06-01")
    assert package["consortium"] == body["consortium"]

    clock.advance(days=30)
    suspended = service.client.post(
        "/api/v1/menu/regional-ai-hub/suspend",
        json={"reason": "end-use check pending in one target country"},
        headers=service.as_(AN),
    )
    assert suspended.status_code == 200, suspended.text
    day_thirty = _get(service, "/api/v1/menu", as_of="2026-07-01")
    clock.advance(days=31)
    again = service.client.post(
        "/api/v1/menu/regional-ai-hub/suspend", json={"reason": "x"}, headers=service.as_(AN)
    )
    assert again.status_code == 409
    retired = service.client.post(
        "/api/v1/menu/regional-ai-hub/retire",
        json={"reason": "superseded"},
        headers=service.as_(AN),
    )
    assert retired.status_code == 200, retired.text

    # Each menu as it stood is answered exactly, after later changes too.
    assert _get(service, "/api/v1/menu", as_of="2026-06-01") == day_one
    assert _get(service, "/api/v1/menu", as_of="2026-07-01") == day_thirty
    assert _menu_ids(service, as_of="2026-06-15")["regional-ai-hub"] == "designated"
    assert _menu_ids(service, as_of="2026-07-15")["regional-ai-hub"] == "suspended"
    assert "regional-ai-hub" not in _menu_ids(service, as_of="2026-08-15")
    assert "regional-ai-hub" not in _menu_ids(service)
    old = _get(service, "/api/v1/menu/regional-ai-hub", as_of="2026-06-10")
    assert old["status"] == "designated"

    added = _get(service, "/api/v1/menu/diff", **{"from": "2026-05-31", "to": "2026-06-01"})
    assert [p["id"] for p in added["added"]] == ["regional-ai-hub"]
    assert added["removed"] == []
    assert added["changed"] == []
    changed = _get(service, "/api/v1/menu/diff", **{"from": "2026-06-15", "to": "2026-07-15"})
    (change,) = changed["changed"]
    assert change["id"] == "regional-ai-hub"
    assert change["fields"] == ["status", "status_date"]
    assert (change["before"]["status"], change["after"]["status"]) == ("designated", "suspended")
    removed = _get(service, "/api/v1/menu/diff", **{"from": "2026-07-15", "to": "2026-08-15"})
    assert [p["id"] for p in removed["removed"]] == ["regional-ai-hub"]

    history = _get(service, "/api/v1/menu/regional-ai-hub/history")["items"]
    assert [h["status"] for h in history] == ["designated", "suspended", "retired"]
    assert [h["reason"] for h in history][1] == "end-use check pending in one target country"

    actions = [e["action"] for e in _get(service, "/api/v1/audit", AU, limit="200")["items"]]
    for action in (
        "proposal.create",
        "proposal.submit",
        "proposal.evaluate",
        "proposal.score",
        "proposal.designate",
        "menu.designate",
        "menu.suspend",
        "menu.retire",
    ):
        assert action in actions, action
    assert _get(service, "/api/v1/audit/verify", AU)["ok"] is True


def test_the_bundled_menu_is_the_record_s_first_entries(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    from aiexports.sources.reference import menu

    bundled = menu()
    designated = {p.id for p in bundled.packages.values() if p.status == "designated"}
    on_menu = _menu_ids(service, as_of="2026-12-31")
    assert set(on_menu) == designated
    # Each bundled package is on the menu from its own designation date, not before.
    sovereign = bundled.package("sovereign-llm-cloud")
    assert sovereign.status_date is not None
    before = (sovereign.status_date - dt.timedelta(days=1)).isoformat()
    assert "sovereign-llm-cloud" not in _menu_ids(service, as_of=before)
    assert "sovereign-llm-cloud" in _menu_ids(service, as_of=sovereign.status_date.isoformat())


def _hong_kong_parent(d: dict[str, Any]) -> None:
    d["consortium"]["members"].append(
        {
            "name": "Lion City Integration Pte. Ltd.",
            "country": "SG",
            "parents": [
                {"name": "Victoria Peak Capital Ltd.", "country": "VG", "headquarters": "HK"}
            ],
            "role": "systems integration",
        }
    )


def test_a_proposal_that_breaks_a_rule_is_returned_fixed_and_designated(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    body = proposal_document("coastal-ai-grid", change=_hong_kong_parent)
    pid = service.client.post("/api/v1/proposals", json=body, headers=service.as_(AA)).json()["id"]
    submitted = service.proposal_act(pid, "submit", AA).json()
    (finding,) = submitted["findings"]
    assert finding["rule"] == "PKG_MEMBER_OF_CONCERN"
    assert finding["severity"] == "error"
    assert finding["citations"]
    service.proposal_act(pid, "evaluate", AN)
    service.scored(pid)
    refused = service.proposal_act(pid, "decision", AN, {"decision": "designate", "reason": "r"})
    assert refused.status_code == 409
    assert "PKG_MEMBER_OF_CONCERN" in refused.json()["detail"]
    returned = service.proposal_act(
        pid, "decision", AN, {"decision": "return", "reason": "a member is controlled from HK"}
    )
    assert returned.json()["state"] == "returned"

    members = [
        m for m in body["consortium"]["members"] if m["name"] != "Lion City Integration Pte. Ltd."
    ]
    current = service.client.get(f"/api/v1/proposals/{pid}", headers=service.as_(AA))
    edited = service.client.patch(
        f"/api/v1/proposals/{pid}",
        json={"consortium": {"members": members}},
        headers=service.as_(AA, **{"If-Match": current.headers["ETag"]}),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["findings"] == []
    resubmitted = service.proposal_act(pid, "submit", AA).json()
    assert (resubmitted["state"], resubmitted["round"]) == ("submitted", 2)
    service.proposal_act(pid, "evaluate", AN)
    service.scored(pid)
    done = service.proposal_act(pid, "decision", AN, {"decision": "designate", "reason": "fixed"})
    assert done.status_code == 200, done.text
    states = [h["state"] for h in done.json()["history"] if h["state"]]
    assert states == [
        "draft",
        "submitted",
        "under_evaluation",
        "returned",
        "submitted",
        "under_evaluation",
        "designated",
    ]


def test_a_package_id_on_the_menu_belongs_to_its_proposer(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    bundled = service.client.post(
        "/api/v1/proposals", json=proposal_document("sovereign-llm-cloud"), headers=service.as_(AA)
    )
    assert bundled.status_code == 409
    pid = service.new_proposal(AA, package_id="atlantic-ai-stack")
    service.proposal_act(pid, "submit", AA)
    service.proposal_act(pid, "evaluate", AN)
    service.scored(pid)
    service.proposal_act(pid, "decision", AN, {"decision": "designate", "reason": "ok"})
    taken = service.client.post(
        "/api/v1/proposals", json=proposal_document("atlantic-ai-stack"), headers=service.as_(AB)
    )
    assert taken.status_code == 409
    # The proposer itself may propose a new version; designating it steps the version.
    update = service.new_proposal(AA, package_id="atlantic-ai-stack")
    service.proposal_act(update, "submit", AA)
    service.proposal_act(update, "evaluate", AN)
    service.scored(update)
    second = service.proposal_act(update, "decision", AN, {"decision": "designate", "reason": "v2"})
    assert second.json()["decision"]["menu_entry"]["package_version"] == 2
    assert _get(service, "/api/v1/menu/atlantic-ai-stack")["version"] == 2


def test_component_ids_stay_unique_on_the_menu(program: tuple[Service, FixedClock]) -> None:
    service, _ = program

    def reuse(d: dict[str, Any]) -> None:
        d["layers"]["models"]["components"][0]["id"] = "slc-open-llm"  # sovereign-llm-cloud's

    body = proposal_document("borrowing-stack", change=reuse)
    pid = service.client.post("/api/v1/proposals", json=body, headers=service.as_(AA)).json()["id"]
    service.proposal_act(pid, "submit", AA)
    service.proposal_act(pid, "evaluate", AN)
    service.scored(pid)
    refused = service.proposal_act(pid, "decision", AN, {"decision": "designate", "reason": "r"})
    assert refused.status_code == 409
    assert "slc-open-llm" in refused.json()["detail"]


def test_the_proposer_sets_no_status_and_bad_documents_are_located(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    body = {**proposal_document("x-stack"), "status": "designated", "status_date": "2026-01-01"}
    refused = service.client.post("/api/v1/proposals", json=body, headers=service.as_(AA))
    assert refused.status_code == 422
    assert sorted(e["loc"][-1] for e in refused.json()["errors"]) == ["status", "status_date"]
    broken = proposal_document("y-stack")
    broken["layers"]["hardware"]["us_content_share"] = 1.5
    located = service.client.post("/api/v1/proposals", json=broken, headers=service.as_(AA))
    assert located.status_code == 422
    assert ["body", "layers", "hardware", "us_content_share"] in [
        e["loc"] for e in located.json()["errors"]
    ]


def test_a_new_rubric_version_is_published_and_each_score_keeps_its_own(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    pid = service.submitted_proposal(package_id="scored-stack")
    service.proposal_act(pid, "evaluate", AN)
    first = service.client.post(
        f"/api/v1/proposals/{pid}/scores", json=_full_scores(5), headers=service.as_(AN)
    ).json()
    rubric = _get(service, "/api/v1/rubric")
    rubric["criteria"] = [
        {**c, "weight": 40 if c["id"] == "national_interest" else 15} for c in rubric["criteria"]
    ]
    published = service.client.post("/api/v1/rubric", json=rubric, headers=service.as_(AN))
    assert published.status_code == 201, published.text
    assert published.json()["version"] == 2
    assert [v["version"] for v in _get(service, "/api/v1/rubric/versions")["items"]] == [1, 2]
    second = service.client.post(
        f"/api/v1/proposals/{pid}/scores", json=_full_scores(3), headers=service.as_(AN)
    ).json()
    assert (first["rubric"]["version"], second["rubric"]["version"]) == (1, 2)
    assert second["total"] == 60.0
    view = _get(service, f"/api/v1/proposals/{pid}")
    assert [s["superseded"] for s in view["scores"]] == [True, False]
    # The newest scorecard of the evaluator counts (under rubric version 2).
    assert view["score"] == {
        "rubric_version": 2,
        "evaluators": 1,
        "mean_total": 60.0,
        "other_versions": [],
    }
    assert _get(service, "/api/v1/rubric", version="1")["criteria"][0]["weight"] == 30.0
    bad = service.client.post(
        "/api/v1/rubric",
        json={**rubric, "criteria": rubric["criteria"][:2]},
        headers=service.as_(AN),
    )
    assert bad.status_code == 422
    missing = service.client.post(
        f"/api/v1/proposals/{pid}/scores",
        json={"scores": {"national_interest": {"score": 9, "reason": ""}}},
        headers=service.as_(AN),
    )
    assert missing.status_code == 422
    fields = {tuple(e["loc"]) for e in missing.json()["errors"]}
    assert ("body", "scores", "national_interest", "score") in fields
    assert ("body", "scores", "security") in fields


def test_deals_under_a_newly_designated_package_are_decided(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    service.client.app.state.service.program.menu_recheck_seconds = 0  # type: ignore[attr-defined]
    deal = {
        "date": "2026-06-01",
        "package": "fresh-ai-stack",
        "destination": "KE",
        "parties": [
            {
                "role": "end_user",
                "name": "Kenya ICT Authority",
                "country": "KE",
                "type": "government",
            }
        ],
        "end_uses": ["public_services"],
    }

    def assess() -> Any:
        return service.client.post("/api/v1/assessments", json=deal, headers=service.as_(AA))

    unknown = assess()
    assert unknown.status_code == 422
    before = service.client.post(
        "/api/v1/assessments",
        json={**deal, "package": "sovereign-llm-cloud"},
        headers=service.as_(AA),
    ).json()
    pid = service.submitted_proposal(package_id="fresh-ai-stack")
    service.proposal_act(pid, "evaluate", AN)
    service.scored(pid)
    service.proposal_act(pid, "decision", AN, {"decision": "designate", "reason": "ok"})
    decided = assess()
    assert decided.status_code == 200, decided.text
    determination = decided.json()
    # The menu version the decision cites names the record's entry it was decided under.
    assert determination["data_versions"]["menu"].startswith(
        before["data_versions"]["menu"] + "+menu@"
    )


def test_a_rival_draft_for_the_same_new_id_cannot_be_designated_after_the_first(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    first = service.submitted_proposal(package_id="contested-stack")
    rival = service.new_proposal(AB, package_id="contested-stack")
    assert service.proposal_act(rival, "submit", AB).status_code == 200
    for pid in (first, rival):
        service.proposal_act(pid, "evaluate", AN)
        service.scored(pid)
    ok = service.proposal_act(first, "decision", AN, {"decision": "designate", "reason": "a"})
    assert ok.status_code == 200
    refused = service.proposal_act(rival, "decision", AN, {"decision": "designate", "reason": "b"})
    assert refused.status_code == 409
    assert "another proposer" in refused.json()["detail"]


def test_concurrent_changes_to_one_package_on_the_menu_are_made_one_at_a_time(
    program: tuple[Service, FixedClock],
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from aiexports.errors import ConflictError

    service, _ = program
    analyst = service.principal(AN)
    use = service.client.app.state.service.program  # type: ignore[attr-defined]

    def suspend(n: int) -> str:
        try:
            use.change_menu(analyst, "gov-services-assistant", "suspend", {"reason": f"r{n}"})
        except ConflictError:
            return "conflict"
        return "done"

    with ThreadPoolExecutor(6) as pool:
        results = sorted(pool.map(suspend, range(6)))
    assert results == ["conflict"] * 5 + ["done"]
    history = _get(service, "/api/v1/menu/gov-services-assistant/history")["items"]
    assert [h["status"] for h in history] == ["designated", "suspended"]
    assert _get(service, "/api/v1/audit/verify", AU)["ok"] is True


def test_a_component_id_of_a_bundled_proposed_package_is_refused_at_designation(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program

    def reuse(d: dict[str, Any]) -> None:
        d["layers"]["hardware"]["components"][0]["id"] = "dis-deployable-kits"

    pid = service.client.post(
        "/api/v1/proposals",
        json=proposal_document("kit-stack", change=reuse),
        headers=service.as_(AA),
    ).json()["id"]
    service.proposal_act(pid, "submit", AA)
    service.proposal_act(pid, "evaluate", AN)
    service.scored(pid)
    refused = service.proposal_act(pid, "decision", AN, {"decision": "designate", "reason": "r"})
    assert refused.status_code == 409
    deal = {
        "date": "2026-06-01",
        "package": "sovereign-llm-cloud",
        "destination": "IN",
        "parties": [{"role": "end_user", "name": "NIC", "country": "IN", "type": "government"}],
        "end_uses": ["public_services"],
    }
    assessed = service.client.post("/api/v1/assessments", json=deal, headers=service.as_(AA))
    assert assessed.status_code == 200, assessed.text


def _menu_move(service: Service, package_id: str, action: str) -> None:
    moved = service.client.post(
        f"/api/v1/menu/{package_id}/{action}",
        json={"reason": f"{action}: end-use check in a target country"},
        headers=service.as_(AN),
    )
    assert moved.status_code == 200, moved.text


def test_a_suspended_package_takes_no_submission_or_approval_until_reinstated(
    program: tuple[Service, FixedClock],
) -> None:
    service, clock = program
    service.client.app.state.service.program.menu_recheck_seconds = 0  # type: ignore[attr-defined]
    pending = service.submitted()  # under sovereign-llm-cloud, designated
    assert service.act(pending, "take", OF).status_code == 200
    offered = _get(service, "/api/v1/partners/IN")["packages"]
    assert "sovereign-llm-cloud" in offered

    clock.advance(days=1)
    _menu_move(service, "sovereign-llm-cloud", "suspend")
    draft = service.new_application()
    refused = service.act(draft, "submit", AA)
    assert refused.status_code == 409
    assert "suspended on the menu since 2026-06-02" in refused.json()["detail"]
    approve = {"decision": "approved_with_conditions", "reason": "meets the program's terms"}
    assert service.act(pending, "decision", "demo-agency/officer-2", approve).status_code == 409
    assert "sovereign-llm-cloud" not in _get(service, "/api/v1/partners/IN")["packages"]
    # Nothing was written by the refusals: the draft is a draft, the pending one pending.
    assert _get(service, f"/api/v1/applications/{draft}", AA)["state"] == "draft"
    assert _get(service, f"/api/v1/applications/{pending}", AA)["state"] == "under_review"

    _menu_move(service, "sovereign-llm-cloud", "reinstate")
    assert service.act(draft, "submit", AA).status_code == 200
    approved = service.act(pending, "decision", "demo-agency/officer-2", approve)
    assert approved.status_code == 200, approved.text
    assert "sovereign-llm-cloud" in _get(service, "/api/v1/partners/IN")["packages"]

    _menu_move(service, "sovereign-llm-cloud", "retire")
    retired = service.act(service.new_application(), "submit", AA)
    assert retired.status_code == 409
    assert "retired on the menu" in retired.json()["detail"]


def test_a_proposed_package_is_not_offered_and_takes_no_application(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    body = {
        "package": "public-safety-video-analytics",
        "items": [],
    }
    draft = service.new_application(**body)
    refused = service.act(draft, "submit", AA)
    assert refused.status_code == 409
    assert "not designated on the menu" in refused.json()["detail"]


def test_a_stored_decision_is_derived_again_under_the_menu_it_was_made_with(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    service.client.app.state.service.program.menu_recheck_seconds = 0  # type: ignore[attr-defined]
    app_id = service.submitted()
    (stored,) = _get(service, f"/api/v1/applications/{app_id}", AA)["determinations"]
    # Later changes to the menu, to this package and to others, give the menu new versions.
    _menu_move(service, "gov-services-assistant", "suspend")
    _menu_move(service, "sovereign-llm-cloud", "suspend")
    _menu_move(service, "sovereign-llm-cloud", "reinstate")
    rederived = _get(service, f"/api/v1/applications/{app_id}/rederivation", AA)["items"]
    assert rederived == [
        {
            "round": 1,
            "stored": stored["decision_id"],
            "derived": stored["decision_id"],
            "changed": [],
        }
    ]


def test_concurrent_rubric_publishes_each_get_their_own_version(
    program: tuple[Service, FixedClock],
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    service, _ = program
    analyst = service.principal(AN)
    use = service.client.app.state.service.program  # type: ignore[attr-defined]
    rubric = _get(service, "/api/v1/rubric")

    def publish(n: int) -> int:
        return int(use.publish_rubric(analyst, {**rubric, "title": f"draft {n}"})["version"])

    with ThreadPoolExecutor(5) as pool:
        versions = sorted(pool.map(publish, range(5)))
    assert versions == [2, 3, 4, 5, 6]
    listed = [v["version"] for v in _get(service, "/api/v1/rubric/versions")["items"]]
    assert listed == [1, 2, 3, 4, 5, 6]
    assert _get(service, "/api/v1/audit/verify", AU)["ok"] is True


def test_a_proposal_is_scored_before_designation_and_bodies_hold_known_fields_only(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    pid = service.submitted_proposal(package_id="unscored-stack")
    service.proposal_act(pid, "evaluate", AN)
    designate = {"decision": "designate", "reason": "strategic"}
    unscored = service.proposal_act(pid, "decision", AN, designate)
    assert unscored.status_code == 409
    assert "no scorecard" in unscored.json()["detail"]
    misspelt = service.client.post(
        f"/api/v1/proposals/{pid}/scores",
        json={**_full_scores(), "rubric_verison": 1},
        headers=service.as_(AN),
    )
    assert misspelt.status_code == 422
    assert ["body", "rubric_verison"] in [e["loc"] for e in misspelt.json()["errors"]]
    extra = service.proposal_act(pid, "decision", AN, {**designate, "effective": "2026-01-01"})
    assert extra.status_code == 422
    assert ["body", "effective"] in [e["loc"] for e in extra.json()["errors"]]
    service.scored(pid)
    done = service.proposal_act(pid, "decision", AN, designate)
    assert done.status_code == 200, done.text


@pytest.mark.parametrize("day", ["2026-W23-1", "20260601", "2026-06-1", "2026-13-01", "June 1"])
def test_a_menu_date_is_a_calendar_day_written_in_full(
    program: tuple[Service, FixedClock], day: str
) -> None:
    service, _ = program
    refused = service.client.get("/api/v1/menu", params={"as_of": day}, headers=service.as_(AN))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["query", "as_of"]


def test_the_id_of_a_bundled_proposed_package_cannot_be_claimed(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    body = proposal_document("public-safety-video-analytics")
    claimed = service.client.post("/api/v1/proposals", json=body, headers=service.as_(AB))
    assert claimed.status_code == 409
    assert "bundled menu" in claimed.json()["detail"]


def test_look_alike_ids_control_characters_and_unknown_menu_fields_are_refused(
    program: tuple[Service, FixedClock],
) -> None:
    service, _ = program
    for look_alike in ("Sovereign-LLM-Cloud", "sovereign_llm_cloud"):
        body = proposal_document(look_alike)
        claimed = service.client.post("/api/v1/proposals", json=body, headers=service.as_(AB))
        assert claimed.status_code == 409, look_alike
        assert "sovereign-llm-cloud" in claimed.json()["detail"]
    pid = service.submitted_proposal(package_id="controlled-stack")
    service.proposal_act(pid, "evaluate", AN)
    scores = _full_scores()
    scores["scores"]["security"]["reason"] = "bad\x00x\x1b[31m"
    refused = service.client.post(
        f"/api/v1/proposals/{pid}/scores", json=scores, headers=service.as_(AN)
    )
    assert refused.status_code == 422
    assert ["body", "scores", "security", "reason"] in [e["loc"] for e in refused.json()["errors"]]
    backdated = service.client.post(
        "/api/v1/menu/sovereign-llm-cloud/suspend",
        json={"reason": "x", "effective": "2020-01-01"},
        headers=service.as_(AN),
    )
    assert backdated.status_code == 422
    assert ["body", "effective"] in [e["loc"] for e in backdated.json()["errors"]]
    history = _get(service, "/api/v1/menu/sovereign-llm-cloud/history")["items"]
    assert [h["status"] for h in history] == ["designated"]

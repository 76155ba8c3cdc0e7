"""Remembered screening adjudications and the licensing clock over the real service and
database (issue: program workflows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiexports.core.screening.adjudication import PARTY_DETAILS
from aiexports.core.screening.entries import Address
from aiexports.core.screening.snapshot import snapshot_of
from aiexports.services.adjudications import PARTY_FIELD_LENGTHS
from aiexports.services.screening import bundled_snapshot
from tests.api.conftest import (
    APPLICATION,
    REVIEW_BAND_ENTRY,
    REVIEW_BAND_PARTY,
    FixedClock,
    Service,
    clocked_service,
)

AA, AB = "demo-consortium-a/applicant", "demo-consortium-b/applicant"
AN, OF, AU = "demo-program-office/analyst", "demo-agency/officer-1", "demo-auditor/auditor"
VB = "demo-partner-br/viewer"
START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[tuple[Service, FixedClock]]:
    with clocked_service(database_url, tmp_path / "home", START) as running:
        yield running


def _latest(service: Service, app_id: str, who: str = AA) -> dict[str, Any]:
    view = service.client.get(f"/api/v1/applications/{app_id}", headers=service.as_(who)).json()
    return dict(view["determinations"][-1]["determination"])


def _rules(determination: dict[str, Any]) -> list[str]:
    return [f["rule"] for f in determination["findings"]]


def _return(service: Service, app_id: str) -> None:
    assert service.act(app_id, "take", OF).status_code == 200
    decision = {"decision": "returned_without_action", "reason": "re-screen the end user"}
    assert service.act(app_id, "decision", OF, decision).status_code == 200


def _adjudicate(service: Service, who: str, **body: Any) -> Any:
    payload = {
        "list": "SDN",
        "entity_number": REVIEW_BAND_ENTRY,
        "verdict": "false_positive",
        "reason": "another company: different directors, address and trade",
        **body,
    }
    return service.client.post("/api/v1/adjudications", json=payload, headers=service.as_(who))


def _party(**changes: Any) -> dict[str, Any]:
    return {k: v for k, v in {**REVIEW_BAND_PARTY, **changes}.items() if k not in ("role", "phone")}


def test_the_review_band_party_really_is_a_possible_match(
    world: tuple[Service, FixedClock],
) -> None:
    """The precondition of the tests below, from the bundled lists."""
    service, _ = world
    app_id = service.submitted(parties=[REVIEW_BAND_PARTY])
    found = _latest(service, app_id)
    assert found["outcome"] == "review_required"
    (finding,) = found["findings"]
    assert finding["rule"] == "RPS_REVIEW"
    assert finding["evidence"]["entity_number"] == REVIEW_BAND_ENTRY


def test_a_confirmed_possible_match_blocks_like_a_block_level_one(
    world: tuple[Service, FixedClock],
) -> None:
    """A match an officer confirmed is the listed party, whatever its score: an SDN
    entry then prohibits the deal (RPS_PROHIBITED), and the review finding goes."""
    service, _ = world
    made = _adjudicate(service, OF, party=_party(), verdict="confirmed")
    assert made.status_code == 201, made.text
    found = _latest(service, service.submitted(parties=[REVIEW_BAND_PARTY]))
    assert found["outcome"] == "prohibited"
    assert _rules(found) == ["RPS_PROHIBITED"]
    (finding,) = found["findings"]
    assert finding["evidence"]["band"] == "confirmed"
    assert finding["evidence"]["adjudication"]["verdict"] == "confirmed"
    assert "confirmed" in finding["message"]
    # Once the party's details change, the confirmation no longer holds: a possible match.
    moved = {**REVIEW_BAND_PARTY, "address": "7 Connaught Place"}
    again = _latest(service, service.submitted(parties=[moved]))
    assert again["outcome"] == "review_required"
    assert _rules(again) == ["RPS_REVIEW"]


def test_a_cleared_match_holds_on_rescreening_until_the_party_s_address_changes(
    world: tuple[Service, FixedClock],
) -> None:
    service, _ = world
    app_id = service.submitted(parties=[REVIEW_BAND_PARTY])
    first = _latest(service, app_id)
    assert first["outcome"] == "review_required"
    _return(service, app_id)

    made = _adjudicate(service, OF, application=app_id, party_index=0)
    assert made.status_code == 201, made.text
    adjudication = made.json()
    assert (adjudication["scope"], adjudication["band"]) == ("program", "review")
    assert adjudication["decided_by"] == OF
    assert adjudication["party"]["address"] == REVIEW_BAND_PARTY["address"]

    assert service.act(app_id, "submit", AA).status_code == 200
    second = _latest(service, app_id)
    assert second["outcome"] == "no_license_required"
    assert "RPS_REVIEW" not in _rules(second)
    (use,) = second["screening_adjudications"]
    assert (use["adjudication"], use["status"], use["verdict"]) == (
        adjudication["id"],
        "applied",
        "false_positive",
    )
    assert second["decision_id"] != first["decision_id"]  # the adjudication is an input
    rederived = service.client.get(
        f"/api/v1/applications/{app_id}/rederivation", headers=service.as_(AU)
    ).json()["items"]
    assert all(r["stored"] == r["derived"] for r in rederived)

    _return(service, app_id)
    moved = {**REVIEW_BAND_PARTY, "address": "7 Connaught Place"}
    current = service.client.get(f"/api/v1/applications/{app_id}", headers=service.as_(AA))
    patched = service.client.patch(
        f"/api/v1/applications/{app_id}",
        json={"parties": [moved]},
        headers=service.as_(AA, **{"If-Match": current.headers["ETag"]}),
    )
    assert patched.status_code == 200, patched.text
    assert service.act(app_id, "submit", AA).status_code == 200
    third = _latest(service, app_id)
    assert third["outcome"] == "review_required"
    (finding,) = third["findings"]
    assert finding["evidence"]["adjudication"]["status"] == "invalidated"
    assert finding["evidence"]["adjudication"]["changed"] == ["party.address"]
    assert "party.address changed since" in finding["message"]

    audit = service.client.get(
        "/api/v1/audit", params={"object": adjudication["id"]}, headers=service.as_(AU)
    )
    assert [e["action"] for e in audit.json()["items"]] == ["adjudication.create"]
    listed = service.client.get("/api/v1/adjudications", headers=service.as_(AU)).json()["items"]
    assert [a["id"] for a in listed] == [adjudication["id"]]


def test_a_changed_list_entry_brings_the_alert_back_saying_what_changed(
    world: tuple[Service, FixedClock],
) -> None:
    service, _ = world
    assert _adjudicate(service, OF, party=_party()).status_code == 201
    cleared = _latest(service, service.submitted(parties=[REVIEW_BAND_PARTY]))
    assert cleared["outcome"] == "no_license_required"

    # The list publishes a new address for the entry: install that version of the lists.
    bundled = bundled_snapshot()
    key = f"SDN:{REVIEW_BAND_ENTRY}"
    feeds = []
    for feed in bundled.feeds:
        entries = tuple(
            e.model_copy(update={"addresses": (Address(city="Dubai", country="AE"),)})
            if e.key == key
            else e
            for e in feed.entries
        )
        feeds.append(feed.model_copy(update={"entries": entries}))
    store = service.runtime.store(create=True)
    assert store is not None
    store.install(snapshot_of(feeds), {}, service.runtime.clock())
    service.runtime.list_recheck_seconds = 0

    again = _latest(service, service.submitted(parties=[REVIEW_BAND_PARTY]))
    assert again["outcome"] == "review_required"
    (finding,) = again["findings"]
    assert finding["evidence"]["adjudication"]["changed"] == ["entry.addresses"]
    assert again["data_versions"]["lists"] != cleared["data_versions"]["lists"]


def test_an_applicant_clears_possible_matches_for_its_own_screenings_only(
    world: tuple[Service, FixedClock],
) -> None:
    service, _ = world
    made = _adjudicate(service, AA, party=_party())
    assert made.status_code == 201, made.text
    assert made.json()["scope"] == "organization"
    own = _latest(service, service.submitted(parties=[REVIEW_BAND_PARTY]))
    assert own["outcome"] == "no_license_required"
    other_app = service.new_application(AB, parties=[REVIEW_BAND_PARTY])
    assert service.act(other_app, "submit", AB).status_code == 200
    assert _latest(service, other_app, AB)["outcome"] == "review_required"

    # A block-level match needs an officer to clear it.
    listed = {"name": "Tadbir Investment", "country": "IN"}
    entry = {"entity_number": "16007"}
    assert _adjudicate(service, AA, party=listed, **entry).status_code == 403
    assert _adjudicate(service, AA, party=listed, verdict="confirmed", **entry).status_code == 201
    assert _adjudicate(service, OF, party=listed, **entry).status_code == 201

    # Nothing to adjudicate: no such entry, or no match with it.
    unknown = _adjudicate(service, AA, party=_party(), entity_number="999999999")
    assert unknown.status_code == 422
    innocent = _adjudicate(
        service, AA, party={"name": "National Informatics Centre", "country": "IN"}
    )
    assert innocent.status_code == 422
    assert "no match to adjudicate" in innocent.json()["errors"][0]["msg"]

    # Withdrawn, it holds no more; B cannot see or withdraw A's.
    adjudication_id = made.json()["id"]
    hidden = service.client.post(
        f"/api/v1/adjudications/{adjudication_id}/withdraw",
        json={"reason": "x"},
        headers=service.as_(AB),
    )
    assert hidden.status_code == 404
    withdrawn = service.client.post(
        f"/api/v1/adjudications/{adjudication_id}/withdraw",
        json={"reason": "new information on the party"},
        headers=service.as_(AA),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["withdrawn_at"] is not None
    after = _latest(service, service.submitted(parties=[REVIEW_BAND_PARTY]))
    assert after["outcome"] == "review_required"


# --- the licensing clock -----------------------------------------------------------------------


def _clock(service: Service, app_id: str, who: str = OF) -> dict[str, Any]:
    response = service.client.get(f"/api/v1/applications/{app_id}/clock", headers=service.as_(who))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_clock_counts_agency_days_across_returns_and_resubmissions(
    world: tuple[Service, FixedClock],
) -> None:
    service, clock = world
    app_id = service.submitted()  # 2 March 2026, day 0
    clock.advance(days=1)
    assert service.act(app_id, "take", OF).status_code == 200
    held = _clock(service, app_id)
    assert (held["holder"], held["agency_days"]) == ("officer", 1)
    clock.advance(days=19)  # 22 March
    returned = {"decision": "returned_without_action", "reason": "end-user statement missing"}
    assert service.act(app_id, "decision", OF, returned).status_code == 200
    clock.advance(days=5)
    paused = _clock(service, app_id, AA)
    assert paused["paused"]
    assert paused["holder"] == "applicant"
    assert (paused["agency_days"], paused["applicant_days"]) == (20, 5)
    assert paused["expected_decision"] is None
    clock.advance(days=5)  # 1 April: resubmitted after 10 days with the applicant
    assert service.act(app_id, "submit", AA).status_code == 200
    clock.advance(days=10)  # 11 April
    found = _clock(service, app_id)
    assert found["submitted_on"] == "2026-03-02"
    assert (found["elapsed_days"], found["agency_days"], found["applicant_days"]) == (40, 30, 10)
    assert found["days_remaining"] == 60
    assert found["expected_decision"] == "2026-06-10"
    assert found["holder"] == "agency"
    assert found["running"]
    assert [i["holder"] for i in found["intervals"]] == ["agency", "applicant", "agency"]
    assert "15 CFR 750.4(a)(1)" in found["citations"]
    # Partners of another country see nothing of it.
    hidden = service.client.get(f"/api/v1/applications/{app_id}/clock", headers=service.as_(VB))
    assert hidden.status_code == 404


def test_the_queue_sorts_by_urgency(world: tuple[Service, FixedClock]) -> None:
    service, clock = world
    oldest = service.submitted(reference="OLD")
    clock.advance(days=10)
    paused = service.submitted(reference="PAUSED")
    _return(service, paused)
    clock.advance(days=60)
    service.act(paused, "submit", AA)
    clock.advance(days=5)
    newest = service.submitted(reference="NEW")
    clock.advance(days=30)
    queue = service.client.get("/api/v1/queue", headers=service.as_(OF)).json()["items"]
    order = [(q["application"], q["agency_days"]) for q in queue]
    # OLD: 105 days (overdue); PAUSED: 95 elapsed − 60 returned = 35; NEW: 30.
    assert order == [(oldest, 105), (paused, 35), (newest, 30)]
    assert queue[0]["overdue"] is True
    assert queue[0]["expected_decision"] == service.runtime.clock().date().isoformat()
    service.act(newest, "take", OF)
    mine = service.client.get("/api/v1/queue", params={"assigned": "me"}, headers=service.as_(OF))
    assert [q["application"] for q in mine.json()["items"]] == [newest]
    page = service.client.get("/api/v1/queue", params={"limit": 2}, headers=service.as_(OF)).json()
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    rest = service.client.get(
        "/api/v1/queue", params={"cursor": page["next_cursor"]}, headers=service.as_(OF)
    ).json()
    assert [q["application"] for q in rest["items"]] == [newest]
    assert service.client.get("/api/v1/queue", headers=service.as_(AA)).status_code == 403


def test_assessments_and_name_screenings_show_the_adjudication(
    world: tuple[Service, FixedClock],
) -> None:
    service, _ = world
    deal = {
        "date": "2026-03-02",
        "destination": "IN",
        "parties": [
            {"role": "end_user", "name": "Mehr Trading Company", "country": "IN", "type": "private"}
        ],
        "end_uses": ["public_services"],
        "package": "gov-services-assistant",
    }

    def assess(who: str) -> dict[str, Any]:
        response = service.client.post("/api/v1/assessments", json=deal, headers=service.as_(who))
        assert response.status_code == 200, response.text
        return dict(response.json())

    before = assess(AA)
    assert "RPS_REVIEW" in _rules(before)
    made = _adjudicate(service, OF, party={"name": "Mehr Trading Company", "country": "IN"})
    assert made.status_code == 201, made.text
    after = assess(AB)  # an officer's adjudication holds for every organisation
    assert "RPS_REVIEW" not in _rules(after)
    assert after["screening_adjudications"][0]["status"] == "applied"
    assert after["decision_id"] != before["decision_id"]

    screened = service.client.post(
        "/api/v1/screenings",
        json={"name": "Mehr Trading Company", "country": "IN"},
        headers=service.as_(AA),
    ).json()
    marked = [m for m in screened["matches"] if m["entity_number"] == REVIEW_BAND_ENTRY]
    assert marked[0]["adjudication"]["verdict"] == "false_positive"
    assert marked[0]["adjudication"]["status"] == "applied"
    elsewhere = service.client.post(
        "/api/v1/screenings", json={"name": "Mehr Trading Company"}, headers=service.as_(AA)
    ).json()
    assert all("adjudication" not in m for m in elsewhere["matches"])  # no country: no party


def test_a_draft_s_parties_cannot_be_adjudicated_and_party_details_are_bounded(
    world: tuple[Service, FixedClock],
) -> None:
    service, _ = world
    draft = service.new_application(parties=[REVIEW_BAND_PARTY])
    refused = _adjudicate(service, AA, application=draft, party_index=0)
    assert refused.status_code == 422
    assert "not been screened yet" in refused.json()["errors"][0]["msg"]
    # Once submitted, the party as screened is the one adjudicated.
    assert service.act(draft, "submit", AA).status_code == 200
    made = _adjudicate(service, AA, application=draft, party_index=0)
    assert made.status_code == 201, made.text
    assert made.json()["party"]["address"] == REVIEW_BAND_PARTY["address"]

    huge = _adjudicate(service, AA, party=_party(name="Mehr Trading " * 20_000))
    assert huge.status_code == 422
    assert huge.json()["errors"][0]["loc"][-1] == "name"
    control = _adjudicate(service, AA, party=_party(address="14 Nehru\x00 Place"))
    assert control.status_code == 422
    assert control.json()["errors"][0]["loc"][-1] == "address"
    stray = service.client.post(
        "/api/v1/applications",
        json={**APPLICATION, "parties": [{**REVIEW_BAND_PARTY, "city": "New\x07Delhi"}]},
        headers=service.as_(AA),
    )
    assert stray.status_code == 422
    assert stray.json()["errors"][0]["loc"][-1] == "city"


def test_every_party_detail_has_a_length_bound() -> None:
    assert set(PARTY_FIELD_LENGTHS) == set(PARTY_DETAILS)


def test_clearing_another_firm_of_the_same_name_leaves_a_confirmation_in_force(
    world: tuple[Service, FixedClock],
) -> None:
    service, clock = world
    assert _adjudicate(service, OF, party=_party(), verdict="confirmed").status_code == 201
    clock.advance(hours=1)
    elsewhere = _party(address="99 Other Road", city="Mumbai", postal_code="400001")
    assert _adjudicate(service, OF, party=elsewhere).status_code == 201
    confirmed = _latest(service, service.submitted(parties=[REVIEW_BAND_PARTY]))
    assert confirmed["outcome"] == "prohibited"
    other = {
        **REVIEW_BAND_PARTY,
        "address": "99 Other Road",
        "city": "Mumbai",
        "postal_code": "400001",
    }
    cleared = _latest(service, service.submitted(parties=[other]))
    assert cleared["outcome"] == "no_license_required"


def test_a_role_that_reads_no_adjudication_learns_of_none(
    world: tuple[Service, FixedClock],
) -> None:
    service, _ = world
    made = _adjudicate(service, AA, party=_party()).json()["id"]
    for adjudication_id in (made, "adj_doesnotexist000000000000"):
        got = service.client.get(
            f"/api/v1/adjudications/{adjudication_id}", headers=service.as_(VB)
        )
        assert got.status_code == 403
        withdrawn = service.client.post(
            f"/api/v1/adjudications/{adjudication_id}/withdraw",
            json={"reason": "x"},
            headers=service.as_(VB),
        )
        assert withdrawn.status_code == 403
    misspelt = service.client.post(
        f"/api/v1/adjudications/{made}/withdraw",
        json={"reason": "x", "resaon": "y"},
        headers=service.as_(AA),
    )
    assert misspelt.status_code == 422
    assert ["body", "resaon"] in [e["loc"] for e in misspelt.json()["errors"]]

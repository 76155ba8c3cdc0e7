"""Applications from draft to license, and shipments against it (spec §4–5), over HTTP on
every database."""

from __future__ import annotations

import datetime as dt

from aiexports.services.idempotency import WINDOW
from tests.api.conftest import APPLICATION, Service

APPLICANT = "demo-consortium-a/applicant"
OFFICER = "demo-agency/officer-1"


def test_a_draft_is_created_with_its_location_and_etag(service: Service) -> None:
    response = service.client.post(
        "/api/v1/applications", json=APPLICATION, headers=service.as_(APPLICANT)
    )
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "draft"
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/api/v1/applications/{body['id']}"
    assert body["application"]["parties"][0]["postal_code"] == "110003"
    read_back = service.client.get(response.headers["Location"], headers=service.as_(APPLICANT))
    assert read_back.json() == body  # the creation's answer is what is stored


def test_submission_screens_decides_and_keeps_a_rederivable_determination(
    service: Service,
) -> None:
    app_id = service.new_application()
    answer = service.act(app_id, "submit", APPLICANT)
    assert answer.status_code == 200, answer.text
    view = service.client.get(f"/api/v1/applications/{app_id}", headers=service.as_(APPLICANT))
    body = view.json()
    assert answer.json() == body  # the submission's answer is what is stored
    assert answer.headers["ETag"] == view.headers["ETag"] == '"2"'
    assert body["state"] == "submitted"
    (determination,) = body["determinations"]
    assert determination["decision_id"].startswith("sha256:")
    stored = determination["determination"]
    assert stored["decision_id"] == determination["decision_id"]
    assert set(stored["data_versions"]) >= {"countries", "menu", "lists", "screening"}
    assert stored["policy"]["id"] == "us-baseline"
    assert [h["action"] for h in body["history"]] == ["application.create", "application.submit"]
    rederived = service.client.get(
        f"/api/v1/applications/{app_id}/rederivation", headers=service.as_(APPLICANT)
    ).json()["items"]
    assert rederived == [
        {
            "round": 1,
            "stored": determination["decision_id"],
            "derived": determination["decision_id"],
            "changed": [],
        }
    ]


def test_a_listed_party_is_prohibited_stored_and_cannot_be_approved(service: Service) -> None:
    listed = {
        **APPLICATION["parties"][0],
        "name": "Qasem Soleimani",
        "type": "military",
        "country": "IR",
    }
    app_id = service.submitted(parties=[listed, APPLICATION["parties"][0]])
    body = service.client.get(f"/api/v1/applications/{app_id}", headers=service.as_(OFFICER)).json()
    assert body["state"] == "submitted"
    assert body["determinations"][0]["outcome"] == "prohibited"
    assert service.act(app_id, "take", OFFICER).status_code == 200
    refused = service.act(app_id, "decision", OFFICER, {"decision": "approved", "reason": "no"})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    denied = service.act(app_id, "decision", OFFICER, {"decision": "denied", "reason": "listed"})
    assert denied.status_code == 200
    assert denied.json()["state"] == "denied"
    assert denied.json()["license"] is None


def test_a_returned_application_is_edited_and_submitted_again_keeping_its_id(
    service: Service,
) -> None:
    app_id = service.submitted()
    service.act(app_id, "take", OFFICER)
    returned = service.act(
        app_id,
        "decision",
        OFFICER,
        {"decision": "returned_without_action", "reason": "add a party"},
    )
    assert returned.json()["state"] == "returned_without_action"
    etag = returned.headers["ETag"]
    patched = service.client.patch(
        f"/api/v1/applications/{app_id}",
        json={"specific_end_use": "Ministries' translation services only."},
        headers=service.as_(APPLICANT, **{"If-Match": etag}),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["application"]["specific_end_use"].startswith("Ministries'")
    again = service.act(app_id, "submit", APPLICANT)
    assert again.status_code == 200
    body = again.json()
    stored = service.client.get(f"/api/v1/applications/{app_id}", headers=service.as_(APPLICANT))
    assert body == stored.json()  # both rounds, the history and the state as committed
    assert body["id"] == app_id
    assert [d["round"] for d in body["determinations"]] == [1, 2]
    states = [h["state"] for h in body["history"]]
    assert states == [
        "draft",
        "submitted",
        "under_review",
        "returned_without_action",
        None,
        "submitted",
    ]


def test_state_changes_need_if_match_and_refuse_a_stale_one(service: Service) -> None:
    app_id = service.new_application()
    url = f"/api/v1/applications/{app_id}/submit"
    missing = service.client.post(url, headers=service.as_(APPLICANT))
    assert missing.status_code == 428
    stale = service.client.post(url, headers=service.as_(APPLICANT, **{"If-Match": '"7"'}))
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == '"1"'


def test_moves_the_state_machine_does_not_allow_are_conflicts(service: Service) -> None:
    app_id = service.new_application()
    take = service.act(app_id, "take", APPLICANT)
    assert take.status_code == 403  # an applicant never takes
    service.act(app_id, "withdraw", APPLICANT)
    again = service.act(app_id, "submit", APPLICANT)
    assert again.status_code == 409
    assert "withdrawn" in again.json()["detail"]


def test_an_incomplete_draft_is_refused_at_submission_naming_the_fields(service: Service) -> None:
    app_id = service.new_application(parties=[], items=[])
    refused = service.act(app_id, "submit", APPLICANT)
    assert refused.status_code == 422
    locations = {tuple(e["loc"]) for e in refused.json()["errors"]}
    assert {("body", "parties"), ("body", "items")} <= locations
    body = service.client.get(f"/api/v1/applications/{app_id}", headers=service.as_(APPLICANT))
    assert body.json()["state"] == "draft"  # nothing changed, nothing recorded
    assert [h["action"] for h in body.json()["history"]] == ["application.create"]


def test_an_unknown_item_is_located_in_the_application(service: Service) -> None:
    item = {**APPLICATION["items"][0], "component": "no-such-thing"}
    app_id = service.new_application(items=[item])
    refused = service.act(app_id, "submit", APPLICANT)
    assert refused.status_code == 422
    assert {tuple(e["loc"]) for e in refused.json()["errors"]} == {
        ("body", "items", 0, "component")
    }


def test_documents_are_typed_by_their_bytes_and_kept_with_their_hash(service: Service) -> None:
    app_id = service.new_application()
    url = f"/api/v1/applications/{app_id}/documents"
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
    stored = service.client.post(
        url,
        files={"file": ("statement.txt", pdf, "text/plain")},
        data={"kind": "end_user_statement"},
        headers=service.as_(APPLICANT),
    )
    assert stored.status_code == 201, stored.text
    assert stored.json()["media_type"] == "application/pdf"  # by content, not by name
    import hashlib

    assert stored.json()["sha256"] == hashlib.sha256(pdf).hexdigest()
    executable = service.client.post(
        url,
        files={"file": ("letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf")},
        headers=service.as_(APPLICANT),
    )
    assert executable.status_code == 422
    view = service.client.get(f"/api/v1/applications/{app_id}", headers=service.as_(APPLICANT))
    assert [d["kind"] for d in view.json()["application"]["documents"]] == ["end_user_statement"]


def test_an_approval_makes_a_license_that_shipments_deplete_and_never_exceed(
    service: Service,
) -> None:
    license_id = service.licensed()
    url = f"/api/v1/licenses/{license_id}"
    view = service.client.get(url, headers=service.as_(APPLICANT)).json()
    assert view["state"] == "active"
    assert view["items"] == [
        {
            "component": "slc-gpu-servers",
            "quantity": 100,
            "value_usd": 3000000.0,
            "shipped_quantity": 0,
            "shipped_value_usd": 0.0,
        }
    ]
    valid_from = dt.date.fromisoformat(view["valid_from"])
    assert dt.date.fromisoformat(view["valid_until"]) == valid_from.replace(
        year=valid_from.year + 4
    )
    today = dt.date.today().isoformat()
    shipment = {
        "date": today,
        "items": [{"component": "slc-gpu-servers", "quantity": 60, "value_usd": 1800000}],
    }
    unacknowledged = service.client.post(
        f"{url}/shipments", json=shipment, headers=service.as_(APPLICANT)
    )
    assert unacknowledged.status_code == 409
    assert "not acknowledged" in unacknowledged.json()["detail"]
    service.acknowledged(license_id)
    first = service.client.post(f"{url}/shipments", json=shipment, headers=service.as_(APPLICANT))
    assert first.status_code == 201, first.text
    second = service.client.post(f"{url}/shipments", json=shipment, headers=service.as_(APPLICANT))
    assert second.status_code == 409
    assert "exceed" in second.json()["detail"]
    after = service.client.get(url, headers=service.as_(APPLICANT)).json()["items"][0]
    assert (after["shipped_quantity"], after["shipped_value_usd"]) == (60, 1800000.0)


def test_suspension_revocation_and_amendment_with_versions_kept(service: Service) -> None:
    license_id = service.licensed(conditions=False)
    url = f"/api/v1/licenses/{license_id}"
    etag = service.client.get(url, headers=service.as_(OFFICER)).headers["ETag"]
    no_reason = service.client.post(
        f"{url}/suspend", json={}, headers=service.as_(OFFICER, **{"If-Match": etag})
    )
    assert no_reason.status_code == 422
    suspended = service.client.post(
        f"{url}/suspend",
        json={"reason": "end-use check pending"},
        headers=service.as_(OFFICER, **{"If-Match": etag}),
    )
    assert suspended.json()["state"] == "suspended"
    shipment = {
        "date": dt.date.today().isoformat(),
        "items": [{"component": "slc-gpu-servers", "quantity": 1, "value_usd": 1}],
    }
    refused = service.client.post(f"{url}/shipments", json=shipment, headers=service.as_(APPLICANT))
    assert refused.status_code == 409
    reinstated = service.client.post(
        f"{url}/reinstate",
        json={"reason": "check passed"},
        headers=service.as_(OFFICER, **{"If-Match": suspended.headers["ETag"]}),
    )
    assert reinstated.json()["state"] == "active"
    amended = service.client.post(
        f"{url}/amend",
        json={
            "reason": "second phase",
            "items": [{"component": "slc-gpu-servers", "quantity": 150, "value_usd": 4500000}],
        },
        headers=service.as_(OFFICER, **{"If-Match": reinstated.headers["ETag"]}),
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["items"][0]["quantity"] == 150
    revisions = service.client.get(f"{url}/revisions", headers=service.as_(APPLICANT)).json()[
        "items"
    ]
    assert [r["version"] for r in revisions] == [1, 2, 3, 4]
    assert revisions[0]["items"][0]["quantity"] == 100  # the old version is kept
    revoked = service.client.post(
        f"{url}/revoke",
        json={"reason": "diversion"},
        headers=service.as_(OFFICER, **{"If-Match": amended.headers["ETag"]}),
    )
    assert revoked.json()["state"] == "revoked"
    again = service.client.post(
        f"{url}/reinstate",
        json={"reason": "no"},
        headers=service.as_(OFFICER, **{"If-Match": revoked.headers["ETag"]}),
    )
    assert again.status_code == 409


def test_a_license_past_its_last_day_is_expired_and_ships_nothing(service: Service) -> None:
    app_id = service.submitted()
    service.act(app_id, "take", OFFICER)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    decided = service.act(
        app_id,
        "decision",
        OFFICER,
        {"decision": "approved", "reason": "ok", "valid_until": tomorrow},
    )
    license_id = decided.json()["license"]
    later = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    shipment = {
        "date": later,
        "items": [{"component": "slc-gpu-servers", "quantity": 1, "value_usd": 1}],
    }
    refused = service.client.post(
        f"/api/v1/licenses/{license_id}/shipments", json=shipment, headers=service.as_(APPLICANT)
    )
    assert refused.status_code == 409
    assert "expired" in refused.json()["detail"]


def test_an_idempotency_key_replays_the_first_response_and_creates_nothing_twice(
    service: Service,
) -> None:
    headers = service.as_(APPLICANT, **{"Idempotency-Key": "create-014"})
    first = service.client.post("/api/v1/applications", json=APPLICATION, headers=headers)
    second = service.client.post("/api/v1/applications", json=APPLICATION, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Location"] == first.headers["Location"]
    listed = service.client.get("/api/v1/applications", headers=service.as_(APPLICANT)).json()
    assert len(listed["items"]) == 1
    other = service.client.post(
        "/api/v1/applications", json={**APPLICATION, "reference": "other"}, headers=headers
    )
    assert other.status_code == 422
    assert dt.timedelta(hours=24) == WINDOW


def test_collections_page_newest_first_with_a_cursor(service: Service) -> None:
    ids = [service.new_application(reference=f"R{n}") for n in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = service.client.get(
            "/api/v1/applications", params=params, headers=service.as_(APPLICANT)
        ).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    bad = service.client.get(
        "/api/v1/applications", params={"cursor": "zzz"}, headers=service.as_(APPLICANT)
    )
    assert bad.status_code == 422

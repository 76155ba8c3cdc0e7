"""Defects an adversarial review found, each kept as a case: forged documents, rewritten
conditions, audit leaks, races that answered 412 or 500, inputs that reached the database
unchecked, and spec details (If-Match, filters, idempotent refusals, 415). On every
database."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from aiexports.errors import ConflictError, StaleVersionError
from tests.api.conftest import APPLICATION, Service

APPLICANT = "demo-consortium-a/applicant"
OFFICER = "demo-agency/officer-1"
ANALYST = "demo-program-office/analyst"
PDF = b"%PDF-1.7\n%%EOF\n"
TODAY = dt.date.today().isoformat()


def _upload(service: Service, app_id: str) -> Any:
    return service.client.post(
        f"/api/v1/applications/{app_id}/documents",
        files={"file": ("eus.pdf", PDF, "application/pdf")},
        data={"kind": "end_user_statement"},
        headers=service.as_(APPLICANT),
    )


def test_document_references_are_never_written_by_the_client(service: Service) -> None:
    forged = [{"id": "doc_x", "kind": "eus", "filename": "a.pdf", "sha256": "0" * 64, "size": 1}]
    refused = service.client.post(
        "/api/v1/applications",
        json={**APPLICATION, "documents": forged},
        headers=service.as_(APPLICANT),
    )
    assert refused.status_code == 422
    app_id = service.new_application()
    assert _upload(service, app_id).status_code == 201
    url = f"/api/v1/applications/{app_id}"
    for patch in ({"documents": forged}, {"documents": None}):
        etag = service.client.get(url, headers=service.as_(APPLICANT)).headers["ETag"]
        answer = service.client.patch(
            url, json=patch, headers=service.as_(APPLICANT, **{"If-Match": etag})
        )
        assert answer.status_code == 422
    etag = service.client.get(url, headers=service.as_(APPLICANT)).headers["ETag"]
    edited = service.client.patch(
        url, json={"reference": "R2"}, headers=service.as_(APPLICANT, **{"If-Match": etag})
    )
    assert [d["kind"] for d in edited.json()["application"]["documents"]] == ["end_user_statement"]


def test_the_determinations_conditions_bind_every_license_granted_on_it(service: Service) -> None:
    app_id = service.submitted()
    service.act(app_id, "take", OFFICER)
    view = service.client.get(f"/api/v1/applications/{app_id}", headers=service.as_(OFFICER))
    binding = {c["id"] for c in view.json()["determinations"][-1]["determination"]["conditions"]}
    assert binding
    rewrite = {
        "decision": "approved_with_conditions",
        "reason": "r",
        "conditions": [{"id": sorted(binding)[0], "text": "nothing required"}],
    }
    assert service.act(app_id, "decision", OFFICER, rewrite).status_code == 422
    approved = service.act(app_id, "decision", OFFICER, {"decision": "approved", "reason": "ok"})
    license_id = approved.json()["license"]
    granted = service.client.get(f"/api/v1/licenses/{license_id}", headers=service.as_(OFFICER))
    assert {c["id"] for c in granted.json()["conditions"]} == binding


def test_an_analyst_reads_no_audit_entry_about_another_organisations_draft(
    service: Service,
) -> None:
    draft = service.new_application(reference="SECRET-DRAFT-REF")
    entries = service.client.get(
        "/api/v1/audit", params={"object": draft}, headers=service.as_(ANALYST)
    ).json()["items"]
    assert entries == []
    everything = service.client.get(
        "/api/v1/audit", params={"limit": 200}, headers=service.as_(ANALYST)
    )
    assert "SECRET-DRAFT-REF" not in everything.text
    auditor = service.client.get(
        "/api/v1/audit", params={"object": draft}, headers=service.as_("demo-auditor/auditor")
    ).json()["items"]
    assert [e["action"] for e in auditor] == ["application.create"]


def test_an_analyst_reads_no_audit_entry_about_another_organisations_draft_proposal(
    service: Service,
) -> None:
    draft = service.new_proposal(package_id="secret-draft-stack")
    everything = service.client.get(
        "/api/v1/audit", params={"limit": 200}, headers=service.as_(ANALYST)
    )
    assert "secret-draft-stack" not in everything.text
    assert draft not in everything.text
    service.proposal_act(draft, "submit", APPLICANT)
    submitted = service.client.get(
        "/api/v1/audit", params={"object": draft}, headers=service.as_(ANALYST)
    ).json()["items"]
    assert [e["action"] for e in submitted] == ["proposal.submit", "proposal.create"]


def test_parallel_uploads_to_one_application_all_succeed(service: Service) -> None:
    app_id = service.new_application()
    who = service.principal(APPLICANT)

    def upload(n: int) -> str:
        return str(service.licensing.add_document(who, app_id, "eus", f"{n}.pdf", PDF)["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(upload, range(8)))
    listed = service.licensing.get_application(who, app_id)["application"]["documents"]
    assert sorted(d["id"] for d in listed) == sorted(ids)


def test_an_amendment_racing_shipments_is_served_or_refused_never_a_500(
    service: Service,
) -> None:
    license_id = service.licensed()
    service.acknowledged(license_id)
    applicant, officer = service.principal(APPLICANT), service.principal(OFFICER)
    shipment = {
        "date": TODAY,
        "items": [{"component": "slc-gpu-servers", "quantity": 60, "value_usd": 60}],
    }

    def act(n: int) -> str:
        try:
            if n % 2:
                service.licensing.ship(applicant, license_id, shipment)
            else:
                current = service.licensing.get_license(officer, license_id)["version"]
                service.licensing.change_license(
                    officer,
                    license_id,
                    "amend",
                    {
                        "reason": "cut",
                        "items": [
                            {"component": "slc-gpu-servers", "quantity": 50, "value_usd": 3000000}
                        ],
                    },
                    f'"{current}"',
                )
        except (ConflictError, StaleVersionError):
            return "refused"
        return "done"

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(act, range(8)))
    item = service.licensing.get_license(officer, license_id)["items"][0]
    assert item["shipped_quantity"] <= item["quantity"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (
            "/api/v1/applications",
            {"cursor": "czk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk"},
        ),
        ("/api/v1/audit", {"since": "xT"}),
        ("/api/v1/audit", {"since": "2026-12-02T10:00:00"}),  # a time without its offset
    ],
)
def test_bad_query_values_are_422_located_in_the_query(
    service: Service, url: str, params: dict[str, str]
) -> None:
    answer = service.client.get(url, params=params, headers=service.as_("demo-auditor/auditor"))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"][0] == "query"


def test_values_the_database_could_not_take_are_refused_first(service: Service) -> None:
    license_id = service.licensed()
    service.acknowledged(license_id)
    url = f"/api/v1/licenses/{license_id}"
    bad_items = [
        {"component": "slc-gpu-servers", "quantity": 1, "value_usd": 0.004},  # a fraction of a cent
        {"component": "slc-gpu-servers", "quantity": 0, "value_usd": 0},  # nothing
        {"component": "slc\u0000gpu", "quantity": 1, "value_usd": 1},
        {"component": "x" * 101, "quantity": 1, "value_usd": 1},
        {"component": "slc-gpu-servers", "quantity": 10**20, "value_usd": 1},
    ]
    for item in bad_items:
        answer = service.client.post(
            f"{url}/shipments",
            json={"date": TODAY, "items": [item]},
            headers=service.as_(APPLICANT),
        )
        assert answer.status_code == 422, (item, answer.text)
    nul = service.client.post(
        f"{url}/shipments",
        json={
            "date": TODAY,
            "consignee": "A\u0000B",
            "items": [{"component": "slc-gpu-servers", "quantity": 1, "value_usd": 1}],
        },
        headers=service.as_(APPLICANT),
    )
    assert nul.status_code == 422
    etag = service.client.get(url, headers=service.as_(OFFICER)).headers["ETag"]
    for body in (
        {
            "reason": "r",
            "items": [{"component": "slc-gpu-servers", "quantity": 1, "value_usd": float("nan")}],
        },
        {"reason": "r", "quantity": 5},  # not a field of an amendment
        {"reason": "r", "conditions": [{"id": "c" * 101, "text": "t"}]},
    ):
        answer = service.client.post(
            f"{url}/amend",
            content=__import__("json").dumps(body).encode(),
            headers=service.as_(OFFICER, **{"If-Match": etag, "Content-Type": "application/json"}),
        )
        assert answer.status_code == 422, (body, answer.text)
    for odd in ("a%00b", "x" * 300, "%C2%B2"):
        assert (
            service.client.get(
                f"/api/v1/applications/{odd}", headers=service.as_(OFFICER)
            ).status_code
            == 404
        )


def test_if_match_is_a_strong_comparison(service: Service) -> None:
    app_id = service.new_application()
    url = f"/api/v1/applications/{app_id}"
    for tag in ("garbage", 'W/"1"', '"2", "3"'):
        answer = service.client.patch(
            url, json={"reference": "x"}, headers=service.as_(APPLICANT, **{"If-Match": tag})
        )
        assert answer.status_code == 412
        assert answer.json()["current_etag"] == '"1"'
    listed = service.client.patch(
        url, json={"reference": "x"}, headers=service.as_(APPLICANT, **{"If-Match": '"9", "1"'})
    )
    assert listed.status_code == 200
    assert listed.headers["ETag"] == '"2"'
    star = service.client.patch(
        url, json={"reference": "y"}, headers=service.as_(APPLICANT, **{"If-Match": "*"})
    )
    assert star.status_code == 412  # "*" names no version: two clients would both win


def test_filters_apply_before_the_page_is_cut(service: Service) -> None:
    first = service.licensed()
    service.licensed()
    officer = service.as_(OFFICER)
    etag = service.client.get(f"/api/v1/licenses/{first}", headers=officer).headers["ETag"]
    service.client.post(
        f"/api/v1/licenses/{first}/suspend",
        json={"reason": "check"},
        headers={**officer, "If-Match": etag},
    )
    suspended = service.client.get(
        "/api/v1/licenses", params={"state": "suspended", "limit": 1}, headers=officer
    ).json()
    assert [item["id"] for item in suspended["items"]] == [first]
    assert suspended["next_cursor"] is None
    actors = service.client.get(
        "/api/v1/audit",
        params={"actor": service.principal(OFFICER).user_id, "limit": 1},
        headers=service.as_("demo-auditor/auditor"),
    ).json()
    assert len(actors["items"]) == 1
    assert actors["next_cursor"] is not None


def test_an_idempotent_repeat_of_a_refusal_is_the_same_refusal(service: Service) -> None:
    license_id = service.licensed()
    shipment = {
        "date": TODAY,
        "items": [{"component": "slc-gpu-servers", "quantity": 1, "value_usd": 1}],
    }
    headers = service.as_(APPLICANT, **{"Idempotency-Key": "ship-1"})
    url = f"/api/v1/licenses/{license_id}/shipments"
    first = service.client.post(url, json=shipment, headers=headers)
    assert first.status_code == 409  # conditions not acknowledged yet
    service.acknowledged(license_id)
    again = service.client.post(url, json=shipment, headers=headers)
    assert (again.status_code, again.json()) == (409, first.json())
    assert again.headers["content-type"] == "application/problem+json"
    view = service.client.get(f"/api/v1/licenses/{license_id}", headers=service.as_(APPLICANT))
    assert view.json()["items"][0]["shipped_quantity"] == 0


def test_acknowledging_steps_the_version_and_a_repeat_records_nothing(service: Service) -> None:
    from aiexports.services import audit

    license_id = service.licensed()
    url = f"/api/v1/licenses/{license_id}"
    before = service.client.get(url, headers=service.as_(APPLICANT)).headers["ETag"]
    service.acknowledged(license_id)
    after = service.client.get(url, headers=service.as_(APPLICANT)).headers["ETag"]
    assert after != before
    entries = audit.verify(service.store).entries
    service.acknowledged(license_id)
    assert audit.verify(service.store).entries == entries


def test_a_body_that_is_not_json_is_a_415(service: Service) -> None:
    answer = service.client.post(
        "/api/v1/assessments",
        content=b'{"date": "2026-12-01"}',
        headers=service.as_(OFFICER, **{"Content-Type": "text/plain"}),
    )
    assert answer.status_code == 415
    assert answer.headers["content-type"] == "application/problem+json"


def test_officers_add_conditions_once_and_amendments_neither_rewrite_nor_add_items(
    service: Service,
) -> None:
    app_id = service.submitted()
    service.act(app_id, "take", OFFICER)
    twice = {
        "decision": "approved_with_conditions",
        "reason": "r",
        "conditions": [{"id": "OFF-1", "text": "first"}, {"id": "OFF-1", "text": "second"}],
    }
    assert service.act(app_id, "decision", OFFICER, twice).status_code == 422
    once = {**twice, "conditions": [{"id": "OFF-1", "text": "first"}]}
    license_id = service.act(app_id, "decision", OFFICER, once).json()["license"]
    url = f"/api/v1/licenses/{license_id}"
    for body in (
        {"reason": "r", "conditions": [{"id": "OFF-1", "text": "rewritten"}]},
        {"reason": "r", "items": [{"component": "brand-new-thing", "quantity": 1, "value_usd": 1}]},
        {"reason": "r", "valid_until": 20301231},
    ):
        etag = service.client.get(url, headers=service.as_(OFFICER)).headers["ETag"]
        answer = service.client.post(
            f"{url}/amend", json=body, headers=service.as_(OFFICER, **{"If-Match": etag})
        )
        assert answer.status_code == 422, (body, answer.text)
    view = service.client.get(url, headers=service.as_(OFFICER)).json()
    assert next(c for c in view["conditions"] if c["id"] == "OFF-1")["text"] == "first"


def test_numbers_and_times_past_every_bound_are_422(service: Service) -> None:
    license_id = service.licensed()
    service.acknowledged(license_id)
    huge = {
        "date": TODAY,
        "items": [{"component": "slc-gpu-servers", "quantity": 1, "value_usd": 10**400}],
    }
    answer = service.client.post(
        f"/api/v1/licenses/{license_id}/shipments", json=huge, headers=service.as_(APPLICANT)
    )
    assert answer.status_code == 422
    numeric_date = {
        **huge,
        "date": 20261202,
        "items": [{"component": "slc-gpu-servers", "quantity": 1, "value_usd": 1}],
    }
    answer = service.client.post(
        f"/api/v1/licenses/{license_id}/shipments",
        json=numeric_date,
        headers=service.as_(APPLICANT),
    )
    assert answer.status_code == 422
    for since in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-01:00"):
        answer = service.client.get(
            "/api/v1/audit", params={"since": since}, headers=service.as_("demo-auditor/auditor")
        )
        assert answer.status_code == 422


def test_the_audit_actor_filter_takes_a_user_id_or_organization_slash_user(
    service: Service,
) -> None:
    service.new_application()
    auditor = service.as_("demo-auditor/auditor")
    by_name = service.client.get("/api/v1/audit", params={"actor": APPLICANT}, headers=auditor)
    actions = [e["action"] for e in by_name.json()["items"]]
    assert actions == ["application.create"]
    bare = service.client.get("/api/v1/audit", params={"actor": "applicant"}, headers=auditor)
    assert bare.json()["items"] == []  # a bare name is every organisation's "applicant"

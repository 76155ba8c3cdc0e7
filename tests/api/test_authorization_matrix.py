"""The authorisation matrix of spec §2, from the OpenAPI document: every endpoint × every
role × own/other organisation (and a partner government whose country matches the
destination, and one whose does not) answers allowed, 403 or 404 exactly as the spec's
table says. The expectations are written here from the spec, not read from the code's
policy table; an endpoint the matrix does not cover fails the test.

"Allowed" is any answer past the authorisation check: the probes are made so that an
allowed caller is stopped right after it (a stale ``If-Match`` gives 412, an invalid body
422), so that no probe changes what the next one sees."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Service, build_service
from tests.api.monitoring_batch import alerts_of, configured, finished, rows_of, upload
from tests.conftest import DATABASES, database

AN, OF, AA, AB, VI, VB, AU = (
    "demo-program-office/analyst",
    "demo-agency/officer-1",
    "demo-consortium-a/applicant",
    "demo-consortium-b/applicant",
    "demo-partner-in/viewer",
    "demo-partner-br/viewer",
    "demo-auditor/auditor",
)
EVERYONE = (AN, OF, AA, AB, VI, VB, AU)
OK = "allowed"

# Each kind of access, per caller, as spec §2 words it. The resources all belong to
# consortium A and go to India (VI's country, not VB's).
READ_DRAFT = {AN: 404, OF: 404, AA: OK, AB: 404, VI: 404, VB: 404, AU: OK}
"""Other organisations' drafts are hidden from analysts; officers and partners never
see drafts; auditors read everything."""
READ_SUBMITTED = {AN: OK, OF: OK, AA: OK, AB: 404, VI: OK, VB: 404, AU: OK}
OWN_DRAFT_CHANGE = {AN: 404, OF: 404, AA: OK, AB: 404, VI: 404, VB: 404, AU: 403}
OFFICER_ON_SUBMITTED = {AN: 403, OF: OK, AA: 403, AB: 404, VI: 403, VB: 404, AU: 403}
READ_LICENSE = {AN: OK, OF: OK, AA: OK, AB: 404, VI: OK, VB: 404, AU: OK}
LICENSEE_ACTION = {AN: 403, OF: 403, AA: OK, AB: 404, VI: 403, VB: 404, AU: 403}
OFFICER_ON_LICENSE = {AN: 403, OF: OK, AA: 403, AB: 404, VI: 403, VB: 404, AU: 403}
ANYONE = dict.fromkeys(EVERYONE, OK)
APPLICANTS_ONLY = {who: (OK if who in (AA, AB) else 403) for who in EVERYONE}
AUDIT_READERS = {who: (OK if who in (AN, AU) else 403) for who in EVERYONE}
ANALYSTS_ONLY = {who: (OK if who == AN else 403) for who in EVERYONE}
QUEUE_READERS = {who: (OK if who in (AN, OF, AU) else 403) for who in EVERYONE}
# Proposals are the program office's and the proposer's business; officers and partner
# governments have no access (403: their role reads no proposal, so nothing is disclosed).
PROPOSAL_LIST = {AN: OK, OF: 403, AA: OK, AB: OK, VI: 403, VB: 403, AU: OK}
READ_PROPOSAL_DRAFT = {AN: 404, OF: 403, AA: OK, AB: 404, VI: 403, VB: 403, AU: OK}
READ_PROPOSAL = {AN: OK, OF: 403, AA: OK, AB: 404, VI: 403, VB: 403, AU: OK}
OWN_PROPOSAL_CHANGE = {AN: 404, OF: 403, AA: OK, AB: 404, VI: 403, VB: 403, AU: 403}
PROGRAM_OFFICE_ON_PROPOSAL = {AN: OK, OF: 403, AA: 403, AB: 404, VI: 403, VB: 403, AU: 403}
# Officers adjudicate for every screening, applicants for their own organisation's.
ADJUDICATORS = {who: (OK if who in (OF, AA, AB) else 403) for who in EVERYONE}
ADJUDICATION_LIST = {who: (OK if who in (AN, OF, AA, AB, AU) else 403) for who in EVERYONE}
READ_OWN_ADJUDICATION = {AN: OK, OF: OK, AA: OK, AB: 404, VI: 403, VB: 403, AU: OK}
WITHDRAW_OWN_ADJUDICATION = {AN: 403, OF: OK, AA: OK, AB: 404, VI: 403, VB: 403, AU: 403}

STALE = {"If-Match": '"999"'}
# A deal's sovereignty ledger: the applicant records it, the destination's partner co-signs.
LEDGER_RECORD = {AN: 403, OF: 403, AA: OK, AB: 404, VI: 403, VB: 404, AU: 403}
LEDGER_COSIGN = {AN: 403, OF: 403, AA: 403, AB: 404, VI: OK, VB: 404, AU: 403}
# End-use monitoring: the licensee (or an officer, for what an operator sent the agency)
# uploads telemetry; its alerts are read like the license and adjudicated by officers.
TELEMETRY_UPLOADERS = {AN: 403, OF: OK, AA: OK, AB: 404, VI: 403, VB: 404, AU: 403}


@dataclass(frozen=True)
class Probe:
    expected: dict[str, int | str]
    resource: str | None = None
    """draft, submitted or license: what ``{app_id}`` / ``{license_id}`` names."""
    json: Any = None
    headers: dict[str, str] | None = None
    files: dict[str, Any] | None = None
    public: bool = False
    params: dict[str, str] | None = None


MATRIX: dict[tuple[str, str], Probe] = {
    ("GET", "/api/v1/health"): Probe(ANYONE, public=True),
    ("POST", "/api/v1/assessments"): Probe(ANYONE, json={}),
    ("POST", "/api/v1/screenings"): Probe(ANYONE, json={"name": "Acme"}),
    ("POST", "/api/v1/recommendations"): Probe(ANYONE, json={}),
    ("POST", "/api/v1/rmf/assessments"): Probe(ANYONE, json={}),
    ("GET", "/api/v1/rmf/catalog"): Probe(ANYONE),
    ("GET", "/api/v1/menu"): Probe(ANYONE),
    ("GET", "/api/v1/menu/diff"): Probe(ANYONE, params={"from": "2026-01-01", "to": "2026-12-01"}),
    ("GET", "/api/v1/menu/{package_id}"): Probe(ANYONE),
    ("GET", "/api/v1/menu/{package_id}/history"): Probe(ANYONE),
    **{
        ("POST", f"/api/v1/menu/{{package_id}}/{action}"): Probe(ANALYSTS_ONLY, json={})
        for action in ("suspend", "reinstate", "retire")
    },
    ("GET", "/api/v1/rubric"): Probe(ANYONE),
    ("GET", "/api/v1/rubric/versions"): Probe(ANYONE),
    ("POST", "/api/v1/rubric"): Probe(ANALYSTS_ONLY, json={}),
    ("POST", "/api/v1/proposals"): Probe(APPLICANTS_ONLY, json={}),
    ("GET", "/api/v1/proposals"): Probe(PROPOSAL_LIST),
    ("GET", "/api/v1/proposals/{proposal_id}"): Probe(READ_PROPOSAL_DRAFT, "proposal_draft"),
    ("PATCH", "/api/v1/proposals/{proposal_id}"): Probe(
        OWN_PROPOSAL_CHANGE, "proposal_draft", json={"title": "x"}, headers=STALE
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/submit"): Probe(
        OWN_PROPOSAL_CHANGE, "proposal_draft", headers=STALE
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/withdraw"): Probe(
        OWN_PROPOSAL_CHANGE, "proposal_draft", headers=STALE
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/evaluate"): Probe(
        PROGRAM_OFFICE_ON_PROPOSAL, "proposal", headers=STALE
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/decision"): Probe(
        PROGRAM_OFFICE_ON_PROPOSAL,
        "proposal",
        json={"decision": "reject", "reason": "probe"},
        headers=STALE,
    ),
    # Scoring needs the proposal under evaluation: a submitted one gives 409 once allowed.
    ("POST", "/api/v1/proposals/{proposal_id}/scores"): Probe(
        PROGRAM_OFFICE_ON_PROPOSAL, "proposal", json={"scores": {}}
    ),
    ("POST", "/api/v1/adjudications"): Probe(ADJUDICATORS, json={}),
    ("GET", "/api/v1/adjudications"): Probe(ADJUDICATION_LIST),
    ("GET", "/api/v1/adjudications/{adjudication_id}"): Probe(
        READ_OWN_ADJUDICATION, "adjudication"
    ),
    ("POST", "/api/v1/adjudications/{adjudication_id}/withdraw"): Probe(
        WITHDRAW_OWN_ADJUDICATION, "adjudication", json={}
    ),
    ("GET", "/api/v1/applications/{app_id}/clock"): Probe(READ_SUBMITTED, "submitted"),
    ("GET", "/api/v1/queue"): Probe(QUEUE_READERS),
    ("GET", "/api/v1/partners/{cc}"): Probe(ANYONE),
    ("GET", "/api/v1/policies"): Probe(ANYONE),
    ("GET", "/api/v1/policies/{policy_id}"): Probe(ANYONE),
    ("POST", "/api/v1/applications"): Probe(APPLICANTS_ONLY, json={}),
    ("GET", "/api/v1/applications"): Probe(ANYONE),
    ("GET", "/api/v1/applications/{app_id}"): Probe(READ_DRAFT, "draft"),
    ("PATCH", "/api/v1/applications/{app_id}"): Probe(
        OWN_DRAFT_CHANGE, "draft", json={"reference": "x"}, headers=STALE
    ),
    ("POST", "/api/v1/applications/{app_id}/documents"): Probe(
        OWN_DRAFT_CHANGE, "draft", files={"file": ("empty.txt", b"", "text/plain")}
    ),
    ("POST", "/api/v1/applications/{app_id}/submit"): Probe(
        OWN_DRAFT_CHANGE, "draft", headers=STALE
    ),
    ("POST", "/api/v1/applications/{app_id}/withdraw"): Probe(
        OWN_DRAFT_CHANGE, "draft", headers=STALE
    ),
    ("POST", "/api/v1/applications/{app_id}/take"): Probe(
        OFFICER_ON_SUBMITTED, "submitted", headers=STALE
    ),
    ("POST", "/api/v1/applications/{app_id}/decision"): Probe(
        OFFICER_ON_SUBMITTED, "submitted", json={"decision": "denied"}, headers=STALE
    ),
    ("GET", "/api/v1/applications/{app_id}/rederivation"): Probe(READ_SUBMITTED, "submitted"),
    ("POST", "/api/v1/applications/{app_id}/ledger"): Probe(LEDGER_RECORD, "ledgered"),
    ("GET", "/api/v1/applications/{app_id}/ledger"): Probe(READ_SUBMITTED, "ledgered"),
    ("POST", "/api/v1/applications/{app_id}/ledger/cosign"): Probe(
        LEDGER_COSIGN, "ledgered", headers=STALE
    ),
    ("GET", "/api/v1/licenses"): Probe(ANYONE),
    ("GET", "/api/v1/licenses/{license_id}"): Probe(READ_LICENSE, "license"),
    ("GET", "/api/v1/licenses/{license_id}/revisions"): Probe(READ_LICENSE, "license"),
    ("POST", "/api/v1/licenses/{license_id}/acknowledgments"): Probe(
        LICENSEE_ACTION, "license", json={"conditions": []}
    ),
    ("POST", "/api/v1/licenses/{license_id}/shipments"): Probe(LICENSEE_ACTION, "license", json={}),
    ("POST", "/api/v1/licenses/{license_id}/rmf-assessments"): Probe(
        LICENSEE_ACTION, "license", json={}
    ),
    ("GET", "/api/v1/licenses/{license_id}/rmf-remediation"): Probe(READ_LICENSE, "license"),
    **{
        ("POST", f"/api/v1/licenses/{{license_id}}/{action}"): Probe(
            OFFICER_ON_LICENSE, "license", json={"reason": "probe"}, headers=STALE
        )
        for action in ("suspend", "reinstate", "revoke", "amend")
    },
    # Probed on a license without monitoring terms: an allowed upload or export is a 409.
    ("PUT", "/api/v1/licenses/{license_id}/monitoring"): Probe(
        OFFICER_ON_LICENSE, "license", json={}, headers=STALE
    ),
    ("POST", "/api/v1/licenses/{license_id}/reports"): Probe(
        LICENSEE_ACTION, "license", json={"not_a_field": 1}
    ),
    ("GET", "/api/v1/licenses/{license_id}/monitoring-profile"): Probe(READ_LICENSE, "license"),
    ("POST", "/api/v1/licenses/{license_id}/telemetry"): Probe(
        TELEMETRY_UPLOADERS, "license", files={"telemetry": ("t.csv", b"x", "text/csv")}
    ),
    ("GET", "/api/v1/licenses/{license_id}/telemetry"): Probe(READ_LICENSE, "license"),
    ("GET", "/api/v1/telemetry-jobs/{job_id}"): Probe(READ_LICENSE, "job"),
    ("GET", "/api/v1/alerts"): Probe(ANYONE),
    ("GET", "/api/v1/alerts/{alert_id}"): Probe(READ_LICENSE, "alert"),
    ("POST", "/api/v1/alerts/{alert_id}/adjudication"): Probe(
        OFFICER_ON_LICENSE, "alert", json={}, headers=STALE
    ),
    ("GET", "/api/v1/audit"): Probe(AUDIT_READERS),
    ("GET", "/api/v1/audit/verify"): Probe(AUDIT_READERS),
}

PATH_VALUES = {"package_id": "sovereign-llm-cloud", "cc": "IN", "policy_id": "us-baseline"}


def _alerted(service: Service) -> tuple[str, str]:
    """A telemetry job of a monitored license, and one alert it raised."""
    license_id, day, _ = configured(service)
    job = finished(
        service, upload(service, license_id, rows_of(license_id, day)).headers["Location"]
    )
    assert job["state"] == "succeeded", job["problem"]
    return job["id"], alerts_of(service, OF, license=license_id)[0]["id"]


def _ledgered(service: Service) -> str:
    app_id = service.submitted()
    recorded = service.client.post(f"/api/v1/applications/{app_id}/ledger", headers=service.as_(AA))
    assert recorded.status_code == 200, recorded.text
    return app_id


@pytest.fixture(scope="module", params=DATABASES)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Service, dict[str, str]]]:
    folder: Path = tmp_path_factory.mktemp("matrix")
    with database(request.param, folder) as url:
        service = build_service(url, folder / "home")
        with service.client:
            resources = {
                "draft": service.new_application(),
                "submitted": service.submitted(),
                "license": service.licensed(),
                "proposal_draft": service.new_proposal(package_id="matrix-draft"),
                "proposal": service.submitted_proposal(package_id="matrix-submitted"),
                "adjudication": service.adjudicated(),
                "ledgered": _ledgered(service),
            }
            resources["job"], resources["alert"] = _alerted(service)
            yield service, resources
        service.runtime.close()


def _endpoints(service: Service) -> list[tuple[str, str]]:
    document = service.client.get("/openapi.json").json()
    return sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    )


def test_every_endpoint_has_a_row_in_the_matrix(world: tuple[Service, dict[str, str]]) -> None:
    service, _ = world
    endpoints = _endpoints(service)
    assert sorted(MATRIX) == endpoints


def _call(
    service: Service,
    method: str,
    path: str,
    probe: Probe,
    resources: dict[str, str],
    who: str | None,
) -> int:
    values = dict(PATH_VALUES)
    if probe.resource is not None:
        named = resources[probe.resource]
        values.update(
            app_id=named,
            license_id=named,
            proposal_id=named,
            adjudication_id=named,
            job_id=named,
            alert_id=named,
        )
    url = path.format(**values)
    headers = dict(probe.headers or {})
    if who is not None:
        headers.update(service.as_(who))
    response = service.client.request(
        method, url, json=probe.json, headers=headers, files=probe.files, params=probe.params
    )
    return response.status_code


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX), ids=str)
def test_each_role_is_allowed_forbidden_or_shown_nothing_as_the_spec_says(
    world: tuple[Service, dict[str, str]], method: str, path: str
) -> None:
    service, resources = world
    probe = MATRIX[(method, path)]
    found = {}
    for who in EVERYONE:
        status = _call(service, method, path, probe, resources, who)
        found[who] = status if status in (401, 403, 404) else OK
        assert status < 500, (who, status)
    assert found == probe.expected
    anonymous = _call(service, method, path, probe, resources, None)
    assert anonymous == (200 if probe.public else 401)

"""A telemetry batch for the service's monitoring tests: a license's terms, rows that
break the contract's rules one by one, and the alerts the contract says they raise."""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

from tests.api.conftest import Service

OFFICER, OFFICER_2 = "demo-agency/officer-1", "demo-agency/officer-2"
LICENSEE, OTHER = "demo-consortium-a/applicant", "demo-consortium-b/applicant"
PARTNER, OTHER_PARTNER = "demo-partner-in/viewer", "demo-partner-br/viewer"
AUDITOR = "demo-auditor/auditor"

TERMS = {
    "sites": [{"id": "in-del-1", "country": "IN"}],
    "limits": {"tenant_gpu_hours_per_day": 100, "report_every": "quarterly"},
}
TENANTS = (
    "tenant_id,name,country,headquarters,type,kyc_verified\n"
    "t-ministry,Ministry of Electronics and Information Technology,IN,IN,government,true\n"
    "t-lab,Bharat Language Labs Private Limited,IN,IN,private,true\n"
)
HEADER = (
    "event_time,license_id,tenant_id,source_country,site,component,job_kind,gpu_hours,"
    "declared_use\n"
)


def rows_of(license_id: str, day: dt.date) -> str:
    """One clean row, and one per rule broken (spec monitoring.md §2):
    - a row from CN: RESTRICTED_ACCESS (SEC-ACCESS);
    - a tenant not in the tenant table: UNVERIFIED_TENANT (SEC-KYC);
    - a site that is not the license's: OFF_SITE_USE (REEXPORT);
    - a declared use outside the license's end uses: UNDECLARED_USE (always checked);
    - a tenant day of 150 h against a cap of 100: COMPUTE_CAP (always checked)."""
    d = day.isoformat()
    return HEADER + "".join(
        f"{d}T{hour}:00:00Z,{license_id},{tenant},{country},{site},slc-gpu-servers,inference,"
        f"{hours},{use}\n"
        for hour, tenant, country, site, hours, use in (
            ("08", "t-ministry", "IN", "in-del-1", "2.5", "public_services"),
            ("09", "t-ministry", "CN", "in-del-1", "1", "public_services"),
            ("10", "t-unknown", "IN", "in-del-1", "1", "public_services"),
            ("11", "t-ministry", "IN", "sg-sin-1", "1", "public_services"),
            ("12", "t-ministry", "IN", "in-del-1", "1", "defense"),
            ("13", "t-lab", "IN", "in-del-1", "150", "public_services"),
        )
    )


def expected_alerts(license_id: str, day: dt.date, conditions: set[str]) -> set[tuple[Any, ...]]:
    start = f"{day.isoformat()}T00:00:00Z"
    found = {
        ("RESTRICTED_ACCESS", "SEC-ACCESS", "t-ministry"),
        ("UNVERIFIED_TENANT", "SEC-KYC", "t-unknown"),
        ("OFF_SITE_USE", "REEXPORT", "t-ministry"),
        ("UNDECLARED_USE", "license end uses", "t-ministry"),
        ("COMPUTE_CAP", "license limit", "t-lab"),
    }
    always = {"license end uses", "license limit"}
    return {
        (check, license_id, tenant, start)
        for check, condition, tenant in found
        if condition in conditions or condition in always
    }


def configured(service: Service) -> tuple[str, dt.date, set[str]]:
    license_id = service.licensed()
    service.acknowledged(license_id)
    view = service.client.get(f"/api/v1/licenses/{license_id}", headers=service.as_(OFFICER))
    answer = service.client.put(
        f"/api/v1/licenses/{license_id}/monitoring",
        json=TERMS,
        headers=service.as_(OFFICER, **{"If-Match": view.headers["ETag"]}),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["monitoring"]["sites"] == TERMS["sites"]
    conditions = {c["id"] for c in answer.json()["conditions"]}
    return license_id, dt.date.fromisoformat(answer.json()["valid_from"]), conditions


def upload(
    service: Service,
    license_id: str,
    telemetry: str | bytes,
    who: str = LICENSEE,
    tenants: str = TENANTS,
    **more: Any,
) -> Any:
    data = telemetry.encode() if isinstance(telemetry, str) else telemetry
    files = {
        "telemetry": ("batch-1.csv", io.BytesIO(data), "text/csv"),
        "tenants": ("tenants.csv", io.BytesIO(tenants.encode()), "text/csv"),
        **more,
    }
    return service.client.post(
        f"/api/v1/licenses/{license_id}/telemetry", files=files, headers=service.as_(who)
    )


def finished(service: Service, job_url: str, who: str = LICENSEE) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = service.client.get(job_url, headers=service.as_(who)).json()
        if job["state"] in ("succeeded", "failed"):
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"the job did not finish: {job}")


def alerts_of(service: Service, who: str, **params: str) -> list[dict[str, Any]]:
    answer = service.client.get("/api/v1/alerts", params=params, headers=service.as_(who))
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])

"""End-use monitoring through the service (spec monitoring.md, the service's monitoring
endpoints): an officer sets a license's monitoring terms, the licensee uploads a telemetry
batch, the job raises the alerts the contract's rules give for it, an officer adjudicates
them (audited), and the exported profile runs the same check from files. On SQLite, and on
PostgreSQL when configured.

The expected alerts are written from the contract's table of checks for the rows below,
not read from a run."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from aiexports.services import license_monitoring
from tests.api.conftest import Service
from tests.api.monitoring_batch import (
    AUDITOR,
    HEADER,
    LICENSEE,
    OFFICER,
    OFFICER_2,
    OTHER,
    OTHER_PARTNER,
    PARTNER,
    TENANTS,
    TERMS,
    alerts_of,
    configured,
    expected_alerts,
    finished,
    rows_of,
    upload,
)
from tests.cli.runner import run


def test_a_batch_raises_the_contracts_alerts_and_an_officer_adjudicates_them(
    service: Service,
) -> None:
    license_id, day, conditions = configured(service)
    assert {"SEC-ACCESS", "SEC-KYC"} <= conditions  # the rows below test these conditions
    answer = upload(service, license_id, rows_of(license_id, day))
    assert answer.status_code == 202, answer.text
    job = finished(service, answer.headers["Location"])
    assert job["state"] == "succeeded", job["problem"]
    assert job["files"][0]["sha256"]
    assert "stored" not in job["files"][0]
    assert job["summary"]["rows"] == 6

    found = alerts_of(service, OFFICER, license=license_id)
    keys = {(a["check"], a["license_id"], a["tenant_id"], a["window_start"]) for a in found}
    assert keys == expected_alerts(license_id, day, conditions)
    assert all(a["state"] == "open" and a["explanation"] and a["citations"] for a in found)
    restricted = next(a for a in found if a["check"] == "RESTRICTED_ACCESS")
    assert restricted["evidence"]["source_country"] == "CN"
    assert restricted["rows"] == 1

    # Who sees the alerts: as the license (the licensee, officers, the destination's
    # partner, auditors), never another consortium or another partner.
    assert {a["id"] for a in alerts_of(service, PARTNER)} == {a["id"] for a in found}
    assert alerts_of(service, OTHER) == []
    assert alerts_of(service, OTHER_PARTNER) == []
    url = f"/api/v1/alerts/{restricted['id']}"
    assert service.client.get(url, headers=service.as_(OTHER)).status_code == 404
    assert service.client.get(url, headers=service.as_(AUDITOR)).status_code == 200

    # Adjudication: officers only, with If-Match and a reason; final once decided.
    etag = service.client.get(url, headers=service.as_(OFFICER)).headers["ETag"]
    decision = {"state": "dismissed", "reason": "a VPN exit of the ministry's own staff"}
    refused = service.client.post(
        f"{url}/adjudication", json=decision, headers=service.as_(LICENSEE, **{"If-Match": etag})
    )
    assert refused.status_code == 403
    no_reason = service.client.post(
        f"{url}/adjudication",
        json={"state": "dismissed"},
        headers=service.as_(OFFICER, **{"If-Match": etag}),
    )
    assert no_reason.status_code == 422
    assert (
        service.client.post(
            f"{url}/adjudication", json=decision, headers=service.as_(OFFICER)
        ).status_code
        == 428
    )
    done = service.client.post(
        f"{url}/adjudication", json=decision, headers=service.as_(OFFICER, **{"If-Match": etag})
    )
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "dismissed"
    assert done.json()["reason"] == decision["reason"]
    again = service.client.post(
        f"{url}/adjudication",
        json={"state": "confirmed", "reason": "second thoughts"},
        headers=service.as_(OFFICER_2, **{"If-Match": done.headers["ETag"]}),
    )
    assert again.status_code == 409
    still_open = next(a for a in found if a["id"] != restricted["id"])
    stale = service.client.post(
        f"/api/v1/alerts/{still_open['id']}/adjudication",
        json=decision,
        headers=service.as_(OFFICER, **{"If-Match": '"7"'}),
    )
    assert stale.status_code == 412
    trail = service.client.get(
        "/api/v1/audit", params={"object": restricted["id"]}, headers=service.as_(AUDITOR)
    ).json()["items"]
    assert [e["action"] for e in trail] == ["alert.adjudicate"]
    assert trail[0]["after"]["reason"] == decision["reason"]

    # The same batch again raises no alert twice, and the adjudication stands.
    repeat = finished(
        service, upload(service, license_id, rows_of(license_id, day)).headers["Location"]
    )
    assert repeat["state"] == "succeeded"
    assert repeat["summary"]["new_alerts"] == 0
    assert repeat["summary"]["known_alerts"] == len(found)
    assert len(alerts_of(service, OFFICER, license=license_id)) == len(found)
    assert alerts_of(service, OFFICER, state="dismissed")[0]["id"] == restricted["id"]
    verified = service.client.get("/api/v1/audit/verify", headers=service.as_(AUDITOR))
    assert verified.json()["ok"] is True


def test_the_exported_profile_gives_the_same_alerts_from_files(
    service: Service,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    license_id, day, _conditions = configured(service)
    answer = upload(service, license_id, rows_of(license_id, day))
    assert finished(service, answer.headers["Location"])["state"] == "succeeded"
    stored = alerts_of(service, OFFICER, license=license_id)

    exported = service.client.get(
        f"/api/v1/licenses/{license_id}/monitoring-profile", headers=service.as_(LICENSEE)
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/yaml")
    (tmp_path / "profiles.yaml").write_text(exported.text)
    (tmp_path / "telemetry.csv").write_text(rows_of(license_id, day))
    (tmp_path / "tenants.csv").write_text(TENANTS)
    as_json = service.client.get(
        f"/api/v1/licenses/{license_id}/monitoring-profile",
        params={"format": "json"},
        headers=service.as_(PARTNER),
    ).json()
    assert as_json[0]["sites"] == TERMS["sites"]
    assert as_json[0]["license_id"] == license_id
    assert as_json[0]["limits"]["tenant_gpu_hours_per_day"] == 100

    monkeypatch.setenv("AIEXPORTS_HOME", str(service.runtime.settings.home))
    result = run(
        capsys,
        monkeypatch,
        "monitor",
        "run",
        "--telemetry",
        str(tmp_path / "telemetry.csv"),
        "--tenants",
        str(tmp_path / "tenants.csv"),
        "--profiles",
        str(tmp_path / "profiles.yaml"),
        "--as-of",
        service.runtime.clock().date().isoformat(),
        "--output",
        str(tmp_path / "alerts.jsonl"),
    )
    assert result.code == 0, result.err
    from_files = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    fields = ("check", "license_id", "tenant_id", "window_start", "window_end", "rows", "evidence")
    assert sorted(tuple(json.dumps(a[f]) for f in fields) for a in from_files) == sorted(
        tuple(json.dumps(a[f]) for f in fields) for a in stored
    )


def test_a_bad_batch_is_refused_whole_naming_the_uploaded_file_line_and_field(
    service: Service,
) -> None:
    license_id, day, _ = configured(service)
    rows = rows_of(license_id, day).splitlines(keepends=True)
    rows[3] = rows[3].replace(",1,public_services", ",-1,public_services")
    job = finished(service, upload(service, license_id, "".join(rows)).headers["Location"])
    assert job["state"] == "failed"
    issue = job["problem"]["issues"][0]
    assert (issue["source"], issue["line"], issue["field"]) == ("batch-1.csv", 4, "gpu_hours")
    assert alerts_of(service, OFFICER, license=license_id) == []  # nothing half-stored

    other = rows_of(license_id, day).replace(f",{license_id},t-lab", ",L-SOMEONE-ELSE,t-lab")
    job = finished(service, upload(service, license_id, other).headers["Location"])
    assert job["state"] == "failed"
    assert job["problem"]["issues"][0]["field"] == "license_id"
    assert alerts_of(service, OFFICER, license=license_id) == []
    audit = service.client.get(
        "/api/v1/audit", params={"object": job["id"]}, headers=service.as_(AUDITOR)
    ).json()["items"]
    assert [e["action"] for e in audit] == ["telemetry.refused", "license.telemetry"]


def test_uploads_are_checked_before_anything_is_kept(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    license_id = service.licensed()
    # No monitoring terms yet: nothing to check against.
    assert upload(service, license_id, rows_of(license_id, dt.date(2026, 12, 3))).status_code == 409
    assert (
        service.client.get(
            f"/api/v1/licenses/{license_id}/monitoring-profile", headers=service.as_(LICENSEE)
        ).status_code
        == 409
    )
    license_id, day, _ = configured(service)
    missing = service.client.post(
        f"/api/v1/licenses/{license_id}/telemetry",
        files={"telemetry": ("t.csv", io.BytesIO(b"x"), "text/csv")},
        headers=service.as_(LICENSEE),
    )
    assert missing.status_code == 422
    assert {e["loc"][-1] for e in missing.json()["errors"]} == {"tenants"}
    parquet_locations = upload(
        service,
        license_id,
        rows_of(license_id, day),
        locations=("l.parquet", io.BytesIO(b"PAR1\0\0\0\0PAR1"), "application/octet-stream"),
    )
    assert parquet_locations.status_code == 422
    monkeypatch.setattr(license_monitoring, "MAX_TABLE_BYTES", 100)
    too_big = upload(service, license_id, rows_of(license_id, day))
    assert too_big.status_code == 422
    assert "over the limit" in too_big.text
    binary = upload(service, license_id, b"\x00\x01garbage")
    assert binary.status_code == 422
    kept = service.runtime.settings.home / "telemetry"
    assert not kept.exists() or list(kept.iterdir()) == []
    jobs = service.client.get(
        f"/api/v1/licenses/{license_id}/telemetry", headers=service.as_(LICENSEE)
    ).json()["items"]
    assert jobs == []


def test_a_report_filed_settles_its_period(service: Service) -> None:
    license_id, _day, _ = configured(service)
    filed = service.client.post(
        f"/api/v1/licenses/{license_id}/reports",
        json={"summary": "Q1 compute report"},
        headers=service.as_(LICENSEE),
    )
    assert filed.status_code == 201, filed.text
    assert (
        service.client.post(
            f"/api/v1/licenses/{license_id}/reports",
            json={"summary": "x"},
            headers=service.as_(OTHER),
        ).status_code
        == 404
    )
    assert (
        service.client.post(
            f"/api/v1/licenses/{license_id}/reports",
            json={"when": "x"},
            headers=service.as_(LICENSEE),
        ).status_code
        == 422
    )
    profile = service.client.get(
        f"/api/v1/licenses/{license_id}/monitoring-profile",
        params={"format": "json"},
        headers=service.as_(OFFICER),
    ).json()[0]
    assert profile["reports"] == [service.runtime.clock().date().isoformat()]


def test_telemetry_a_reader_cannot_read_fails_its_job_with_the_files_name(
    service: Service,
) -> None:
    license_id, _, _ = configured(service)
    answer = upload(service, license_id, HEADER + "garbage,row\n")
    assert answer.status_code == 202, answer.text
    job = finished(service, answer.headers["Location"])
    assert job["state"] == "failed"
    assert "batch-1.csv" in json.dumps(job["problem"])

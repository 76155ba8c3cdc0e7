"""The RMF assessment endpoints over the real service: the command's report, the OSCAL
export validated against NIST's schema, located errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from ruamel.yaml import YAML

from aiexports.sources.reference import data_file
from tests.api.conftest import FixedClock, Service, clocked_service
from tests.conftest import ROOT

VI = "demo-partner-in/viewer"
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _example() -> dict[str, Any]:
    text = (ROOT / "examples" / "rmf" / "kenya-ict-ministry.yaml").read_text(encoding="utf-8")
    data = YAML(typ="safe").load(text)
    data["date"] = data["date"].isoformat()
    return dict(data)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[tuple[Service, FixedClock]]:
    with clocked_service(database_url, tmp_path / "home", START) as running:
        yield running


def test_the_report_the_oscal_export_and_the_catalog(world: tuple[Service, FixedClock]) -> None:
    service, _ = world
    headers = service.as_(VI)
    found = service.client.post("/api/v1/rmf/assessments", json=_example(), headers=headers)
    assert found.status_code == 200, found.text
    assert [g["subcategory"] for g in found.json()["gaps"]] == [
        "GOVERN 3.2",
        "MAP 2.2",
        "MEASURE 2.5",
        "MEASURE 2.11",
    ]
    oscal = service.client.post(
        "/api/v1/rmf/assessments", params={"format": "oscal"}, json=_example(), headers=headers
    )
    assert oscal.status_code == 200, oscal.text
    schema = json.loads(data_file("oscal", "oscal_assessment-results_schema.json").read_text())
    assert jsonschema_rs.validator_for(schema).is_valid(oscal.json())
    catalog = service.client.get("/api/v1/rmf/catalog", headers=headers)
    assert catalog.status_code == 200
    assert catalog.json()["catalog"]["metadata"]["oscal-version"] == "1.2.3"


def test_a_bad_assessment_is_422_with_its_fields(world: tuple[Service, FixedClock]) -> None:
    service, _ = world
    body = _example()
    body["items"][0]["maturity"] = 9
    body["package"] = "no-such-package"
    refused = service.client.post("/api/v1/rmf/assessments", json=body, headers=service.as_(VI))
    assert refused.status_code == 422
    assert ["body", "items", 0, "maturity"] in [e["loc"] for e in refused.json()["errors"]]
    body = _example()
    body["package"] = "no-such-package"
    unknown = service.client.post("/api/v1/rmf/assessments", json=body, headers=service.as_(VI))
    assert unknown.status_code == 422
    assert "no-such-package" in unknown.text


def test_a_licensee_s_assessment_gives_the_gov_rmf_remediation_items(
    world: tuple[Service, FixedClock],
) -> None:
    from aiexports.sources.reference import menu

    service, _ = world
    license_id = service.licensed()
    body = _example()
    body.pop("package")  # the license's package is the one assessed against
    aa = "demo-consortium-a/applicant"
    refused = service.client.post(
        f"/api/v1/licenses/{license_id}/rmf-assessments", json=body, headers=service.as_(VI)
    )
    assert refused.status_code == 403
    other = service.client.post(
        f"/api/v1/licenses/{license_id}/rmf-assessments",
        json={**body, "package": "gov-services-assistant"},
        headers=service.as_(aa),
    )
    assert other.status_code == 422
    made = service.client.post(
        f"/api/v1/licenses/{license_id}/rmf-assessments", json=body, headers=service.as_(aa)
    )
    assert made.status_code == 201, made.text
    assert made.json()["package"] == "sovereign-llm-cloud"
    committed = set(menu().package("sovereign-llm-cloud").governance.rmf_subcategories)
    given = {i["subcategory"]: i for i in body["items"]}
    # Each gap: a committed subcategory not implemented at maturity 3; none missed.
    expected = {
        s
        for s in committed
        if s not in given or given[s]["status"] != "implemented" or given[s]["maturity"] < 3
    }
    remediation = service.client.get(
        f"/api/v1/licenses/{license_id}/rmf-remediation", headers=service.as_(VI)
    ).json()
    assert {g["subcategory"] for g in remediation["remediation"]} == expected
    assert {g["condition"] for g in remediation["remediation"]} == {"GOV-RMF"}
    days = {"not assessed": 90, "not started": 90, "partial": 180}
    for gap in remediation["remediation"]:
        wait = days.get(gap["why"], 180)
        assert gap["due"] == (dt.date(2026, 12, 1) + dt.timedelta(days=wait)).isoformat()
    assert len(remediation["assessments"]) == 1

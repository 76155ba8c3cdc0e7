"""The sovereignty ledger of a deal over the real service: recorded by the applicant,
read by the partner government of the destination and by auditors, co-signed by the
partner (who, when) at the version it saw, versioned when the commitments change, and
exported as JSON and HTML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import FixedClock, Service, clocked_service, proposal_document

AA, AN, OF, AU = (
    "demo-consortium-a/applicant",
    "demo-program-office/analyst",
    "demo-agency/officer-1",
    "demo-auditor/auditor",
)
VI, VB = "demo-partner-in/viewer", "demo-partner-br/viewer"
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[tuple[Service, FixedClock]]:
    with clocked_service(database_url, tmp_path / "home", START) as running:
        yield running


def _designate(service: Service, change: Any = None) -> None:
    body = proposal_document("ledger-stack", change=change)
    created = service.client.post("/api/v1/proposals", json=body, headers=service.as_(AA))
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    service.proposal_act(pid, "submit", AA)
    service.proposal_act(pid, "evaluate", AN)
    service.scored(pid)
    done = service.proposal_act(pid, "decision", AN, {"decision": "designate", "reason": "ok"})
    assert done.status_code == 200, done.text


def _items() -> list[dict[str, Any]]:
    hardware = proposal_document("ledger-stack")["layers"]["hardware"]["components"][0]
    return [
        {
            "component": hardware["id"],
            "eccn": hardware["eccn"],
            "quantity": 2,
            "unit": "units",
            "unit_value_usd": 100000,
            "total_value_usd": 200000,
            "description": "inference servers",
        }
    ]


def _ledger(service: Service, app_id: str, who: str) -> Any:
    return service.client.get(f"/api/v1/applications/{app_id}/ledger", headers=service.as_(who))


def _cosign(service: Service, app_id: str, who: str, version: int) -> Any:
    return service.client.post(
        f"/api/v1/applications/{app_id}/ledger/cosign",
        headers=service.as_(who, **{"If-Match": f'"{version}"'}),
    )


def test_recorded_cosigned_versioned_and_exported(world: tuple[Service, FixedClock]) -> None:
    service, clock = world
    service.client.app.state.service.program.menu_recheck_seconds = 0  # type: ignore[attr-defined]
    _designate(service)
    app_id = service.submitted(package="ledger-stack", items=_items())
    draft = service.new_application(package="ledger-stack", items=_items())
    refused = service.client.post(f"/api/v1/applications/{draft}/ledger", headers=service.as_(AA))
    assert refused.status_code == 409

    recorded = service.client.post(f"/api/v1/applications/{app_id}/ledger", headers=service.as_(AA))
    assert recorded.status_code == 200, recorded.text
    first = recorded.json()
    assert first["version"] == 1
    assert first["cosigned"] is None
    commitments = first["commitments"]
    assert commitments["package"]["id"] == "ledger-stack"
    assert commitments["assurances"]["key_management"] == "byok"
    assert commitments["obligations"], "the determination's conditions are the deal's obligations"
    # Recording again with nothing changed keeps the version.
    again = service.client.post(f"/api/v1/applications/{app_id}/ledger", headers=service.as_(AA))
    assert again.json()["version"] == 1

    # Who reads it: the applicant, the partner of the destination (IN), auditors; not another
    # partner; only the destination's partner co-signs, at the version it saw.
    assert _ledger(service, app_id, VI).status_code == 200
    assert _ledger(service, app_id, AU).status_code == 200
    assert _ledger(service, app_id, VB).status_code == 404
    assert _cosign(service, app_id, OF, 1).status_code == 403
    assert _cosign(service, app_id, VB, 1).status_code == 404
    assert _cosign(service, app_id, VI, 2).status_code == 412
    signed = _cosign(service, app_id, VI, 1)
    assert signed.status_code == 200, signed.text
    assert signed.json()["cosigned"]["by"] == VI
    assert signed.json()["cosigned"]["at"].startswith("2026-12-01")
    assert _cosign(service, app_id, VI, 1).status_code == 409

    # A new package version with another key management is a new, unsigned ledger version.
    clock.advance(days=1)

    def hyok(d: dict[str, Any]) -> None:
        d["assurances"]["key_management"] = "hyok_external"

    _designate(service, hyok)
    second = service.client.post(
        f"/api/v1/applications/{app_id}/ledger", headers=service.as_(AA)
    ).json()
    assert second["version"] == 2
    assert second["cosigned"] is None
    assert second["commitments"]["assurances"]["key_management"] == "hyok_external"
    assert [v["cosigned"] is not None for v in second["versions"]] == [True, False]

    html = service.client.get(
        f"/api/v1/applications/{app_id}/ledger", params={"format": "html"}, headers=service.as_(VI)
    )
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "Sovereignty ledger" in html.text
    assert "hyok_external" in html.text
    assert "not yet co-signed" in html.text

    trail = service.client.get(
        "/api/v1/audit", params={"object": app_id}, headers=service.as_(AU)
    ).json()["items"]
    actions = [e["action"] for e in trail]
    assert actions.count("ledger.record") == 2
    assert actions.count("ledger.cosign") == 1

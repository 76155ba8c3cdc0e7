"""Every error is an RFC 9457 problem, never a stack trace or an HTML page (spec §1)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from aiexports.api.app import MAX_JSON_BYTES, MAX_JSON_DEPTH, create_app
from aiexports.services.serving import ServiceStore
from tests.api.conftest import Service

OFFICER = "demo-agency/officer-1"


def _is_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    assert "Traceback" not in str(body["detail"])
    return body


def test_routing_errors_are_problems(service: Service) -> None:
    _is_problem(service.client.get("/api/v1/nowhere", headers=service.as_(OFFICER)), 404)
    _is_problem(service.client.delete("/api/v1/menu", headers=service.as_(OFFICER)), 405)
    unauthenticated = service.client.get("/api/v1/menu")
    _is_problem(unauthenticated, 401)
    assert unauthenticated.headers["WWW-Authenticate"] == "Bearer"
    _is_problem(service.client.get("/api/v1/menu", headers={"Authorization": "Bearer nope"}), 401)


def test_a_bad_deal_names_every_invalid_field(service: Service) -> None:
    deal = {"date": "2025-02-30", "destination": "XX", "parties": [{"role": "end_user"}]}
    body = _is_problem(
        service.client.post("/api/v1/assessments", json=deal, headers=service.as_(OFFICER)), 422
    )
    locations = {tuple(e["loc"]) for e in body["errors"]}  # type: ignore[attr-defined]
    assert {("body", "date"), ("body", "destination"), ("body", "end_uses")} <= locations
    assert ("body", "parties", 0, "name") in locations


def test_malformed_repeated_and_deep_json_is_refused(service: Service) -> None:
    headers = service.as_(OFFICER, **{"Content-Type": "application/json"})
    url = "/api/v1/assessments"
    _is_problem(service.client.post(url, content=b"{not json", headers=headers), 422)
    _is_problem(service.client.post(url, content=b'{"date": 1, "date": 2}', headers=headers), 422)
    deep = b"[" * (MAX_JSON_DEPTH + 5) + b"]" * (MAX_JSON_DEPTH + 5)
    _is_problem(service.client.post(url, content=deep, headers=headers), 422)
    very_deep = b"[" * 100_000 + b"]" * 100_000
    _is_problem(service.client.post(url, content=very_deep, headers=headers), 422)


def test_a_body_over_the_limit_is_refused_before_it_is_read(service: Service) -> None:
    huge = b"{" + b" " * (MAX_JSON_BYTES + 1) + b"}"
    headers = service.as_(OFFICER, **{"Content-Type": "application/json"})
    _is_problem(service.client.post("/api/v1/assessments", content=huge, headers=headers), 413)


def test_a_database_that_is_down_is_a_503(service: Service) -> None:
    down = ServiceStore(create_engine("postgresql+psycopg://127.0.0.1:1/none"))
    client = TestClient(create_app(service.runtime, down), raise_server_exceptions=False)
    health = client.get("/api/v1/health")
    assert health.status_code == 503
    assert health.json()["database"] == "unavailable"
    _is_problem(client.get("/api/v1/menu", headers=service.as_(OFFICER)), 503)
    down.engine.dispose()

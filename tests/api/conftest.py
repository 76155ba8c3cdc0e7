"""The service under test: the real app over a real database (SQLite, and PostgreSQL when
configured), seeded with the demo organisations of spec §2 plus a second partner
government (for a country that does not match)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aiexports.api.app import create_app
from aiexports.runtime import IndexCache, Runtime
from aiexports.services.accounts import create_organization, create_user, seed_demo
from aiexports.services.licensing import Licensing
from aiexports.services.serving import ServiceStore
from aiexports.settings import Settings

INDEXES = IndexCache()

APPLICATION: dict[str, Any] = {
    "reference": "MSC-2026-014",
    "date": "2026-12-01",
    "package": "sovereign-llm-cloud",
    "destination": "IN",
    "parties": [
        {
            "role": "end_user",
            "name": "National Informatics Centre",
            "address": "A-Block, CGO Complex, Lodhi Road",
            "city": "New Delhi",
            "postal_code": "110003",
            "country": "IN",
            "type": "government",
            "phone": "+91 11 2430 5000",
        }
    ],
    "end_uses": ["public_services"],
    "specific_end_use": "A national cloud for ministries' language services.",
    "items": [
        {
            "component": "slc-gpu-servers",
            "eccn": "4A090.a",
            "quantity": 100,
            "unit": "units",
            "unit_value_usd": 30000,
            "total_value_usd": 3000000,
            "description": "GPU servers",
        }
    ],
}

REVIEW_BAND_PARTY: dict[str, Any] = {
    "role": "end_user",
    "name": "Mehr Trading Company",
    "address": "14 Nehru Place",
    "city": "New Delhi",
    "postal_code": "110019",
    "country": "IN",
    "type": "private",
    "phone": "+91 11 4000 0000",
}
"""An innocent party whose name resembles a listed one in the review band only (the tests
that use it check that precondition first)."""
REVIEW_BAND_ENTRY = "21562"
"""OFAC SDN entry 21562, MAHER TRADING AND CONSTRUCTION COMPANY."""


@dataclass
class Service:
    client: TestClient
    store: ServiceStore
    runtime: Runtime
    tokens: dict[str, str]
    licensing: Licensing

    def as_(self, who: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **headers}

    def principal(self, who: str) -> Any:
        from aiexports.services.accounts import authenticate

        return authenticate(self.store, self.tokens[who])

    def new_application(self, who: str = "demo-consortium-a/applicant", **changes: Any) -> str:
        body = {**APPLICATION, **changes}
        response = self.client.post("/api/v1/applications", json=body, headers=self.as_(who))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def act(self, app_id: str, action: str, who: str, body: Any = None) -> Any:
        """Take ``action`` at the application's current version."""
        current = self.client.get(f"/api/v1/applications/{app_id}", headers=self.as_(who))
        assert current.status_code == 200, current.text
        headers = self.as_(who, **{"If-Match": current.headers["ETag"]})
        return self.client.post(
            f"/api/v1/applications/{app_id}/{action}", json=body, headers=headers
        )

    def submitted(self, **changes: Any) -> str:
        app_id = self.new_application(**changes)
        response = self.act(app_id, "submit", "demo-consortium-a/applicant")
        assert response.status_code == 200, response.text
        return app_id

    def licensed(self, conditions: bool = True, **changes: Any) -> str:
        app_id = self.submitted(**changes)
        assert self.act(app_id, "take", "demo-agency/officer-1").status_code == 200
        decision = {
            "decision": "approved_with_conditions" if conditions else "approved",
            "reason": "meets the program's terms",
        }
        response = self.act(app_id, "decision", "demo-agency/officer-2", decision)
        assert response.status_code == 200, response.text
        return str(response.json()["license"])

    def acknowledged(self, license_id: str) -> None:
        who = "demo-consortium-a/applicant"
        view = self.client.get(f"/api/v1/licenses/{license_id}", headers=self.as_(who)).json()
        ids = [c["id"] for c in view["conditions"]]
        if ids:
            response = self.client.post(
                f"/api/v1/licenses/{license_id}/acknowledgments",
                json={"conditions": ids},
                headers=self.as_(who),
            )
            assert response.status_code == 201, response.text

    def adjudicated(self, who: str = "demo-consortium-a/applicant", **changes: Any) -> str:
        body = {
            "party": {"name": REVIEW_BAND_PARTY["name"], "country": "IN"},
            "list": "SDN",
            "entity_number": REVIEW_BAND_ENTRY,
            "verdict": "false_positive",
            "reason": "a different company: other directors, other address, other trade",
            **changes,
        }
        response = self.client.post("/api/v1/adjudications", json=body, headers=self.as_(who))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    # --- proposals -------------------------------------------------------------------------

    def new_proposal(
        self,
        who: str = "demo-consortium-a/applicant",
        package_id: str = "regional-ai-hub",
        **changes: Any,
    ) -> str:
        body = proposal_document(package_id, **changes)
        response = self.client.post("/api/v1/proposals", json=body, headers=self.as_(who))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def proposal_act(self, proposal_id: str, action: str, who: str, body: Any = None) -> Any:
        current = self.client.get(f"/api/v1/proposals/{proposal_id}", headers=self.as_(who))
        assert current.status_code == 200, current.text
        headers = self.as_(who, **{"If-Match": current.headers["ETag"]})
        return self.client.post(
            f"/api/v1/proposals/{proposal_id}/{action}", json=body, headers=headers
        )

    def scored(self, proposal_id: str, score: int = 4) -> None:
        """An evaluator's scorecard (the same score on every criterion of the rubric)."""
        who = "demo-program-office/analyst"
        rubric = self.client.get("/api/v1/rubric", headers=self.as_(who)).json()
        scores = {
            c["id"]: {"score": score, "reason": "judged on the file"} for c in rubric["criteria"]
        }
        response = self.client.post(
            f"/api/v1/proposals/{proposal_id}/scores",
            json={"scores": scores},
            headers=self.as_(who),
        )
        assert response.status_code == 201, response.text

    def submitted_proposal(self, **changes: Any) -> str:
        proposal_id = self.new_proposal(**changes)
        response = self.proposal_act(proposal_id, "submit", "demo-consortium-a/applicant")
        assert response.status_code == 200, response.text
        return proposal_id


def proposal_document(
    package_id: str = "regional-ai-hub",
    base: str = "gov-services-assistant",
    change: Any = None,
) -> dict[str, Any]:
    """A proposal built from a bundled package: a new id, new component ids, and the
    fields the program office sets removed."""
    from aiexports.sources.reference import menu

    document = menu().package(base).model_dump(mode="json", exclude_none=True)
    document["id"] = package_id
    for key in ("status", "status_date", "version"):
        document.pop(key, None)
    for layer in document["layers"].values():
        for component in layer.get("components", []):
            component["id"] = f"{package_id}-{component['id']}"
    for component in document["governance"].get("components", []):
        component["id"] = f"{package_id}-{component['id']}"
    if change is not None:
        change(document)
    return document


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, days: int = 0, hours: int = 0) -> None:
        self.now += dt.timedelta(days=days, hours=hours)


@contextmanager
def clocked_service(
    database_url: str, home: Path, start: dt.datetime
) -> Iterator[tuple[Service, FixedClock]]:
    """The service on a clock the test moves, started at ``start``."""
    clock = FixedClock(start)
    built = build_service(database_url, home, clock)
    with built.client:
        yield built, clock
    built.runtime.close()


def build_service(
    database_url: str, home: Path, clock: Callable[[], dt.datetime] | None = None
) -> Service:
    url = None if database_url.startswith("sqlite") else database_url
    settings = Settings(home=home, database_url=url or database_url)
    runtime = Runtime(settings, indexes=INDEXES, **({"clock": clock} if clock else {}))
    store = runtime.service_store
    path = seed_demo(store, home)
    assert path is not None
    tokens = {f"{t['organization']}/{t['user']}": t["token"] for t in json.loads(path.read_text())}
    create_organization(store, "demo-partner-br", "partner_government", "BR")
    tokens["demo-partner-br/viewer"] = create_user(
        store, "demo-partner-br", "viewer", "viewer"
    ).token
    client = TestClient(create_app(runtime, store), raise_server_exceptions=False)
    return Service(client, store, runtime, tokens, Licensing(store, runtime, clock))


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Service]:
    built = build_service(database_url, tmp_path / "home")
    with built.client:
        yield built
    built.runtime.close()

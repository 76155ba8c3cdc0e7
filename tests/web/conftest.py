"""The web pages over a real service (the API's test service: demo organisations seeded,
SQLite always and PostgreSQL when configured), each user in a browser-like client of its
own with its own cookies."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Service, build_service

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def demo_password(home: Path, who: str) -> str:
    """A demo user's password (``organisation/user``), as seeding wrote it in ``home``."""
    organization, user = who.split("/")
    tokens = json.loads((home / "demo-tokens.json").read_text())
    return str(
        next(
            t["password"] for t in tokens if (t["organization"], t["user"]) == (organization, user)
        )
    )


def sign_in(client: TestClient, who: str, password: str) -> None:
    """Sign ``client`` in through the sign-in form, as a browser would."""
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    signed = client.post(
        "/login",
        data={"username": who, "password": password, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text


@dataclass
class Site:
    service: Service
    home: Path
    clients: dict[str, TestClient] = field(default_factory=dict)

    def browser(self, who: str | None = None) -> TestClient:
        """A client signed in as ``who`` (the public when None), kept for the test."""
        key = who or ""
        if key not in self.clients:
            client = TestClient(self.service.client.app, raise_server_exceptions=False)
            client.__enter__()
            if who is not None:
                sign_in(client, who, demo_password(self.home, who))
            self.clients[key] = client
        return self.clients[key]

    def csrf(self, who: str, path: str = "/") -> str:
        found = CSRF.search(self.browser(who).get(path).text)
        assert found is not None
        return found.group(1)

    def post(self, who: str, path: str, data: dict[str, Any], files: Any = None) -> Any:
        """Post a page's form as ``who``, with the session's CSRF token."""
        return self.browser(who).post(
            path, data={"csrf": self.csrf(who), **data}, files=files, follow_redirects=False
        )

    def api(self, who: str, path: str) -> Any:
        response = self.service.client.get(path, headers=self.service.as_(who))
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    home = tmp_path / "home"
    built = build_service(database_url, home)
    with built.client:
        found = Site(built, home)
        yield found
        for client in found.clients.values():
            client.__exit__(None, None, None)

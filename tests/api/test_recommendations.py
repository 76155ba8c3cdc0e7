"""``POST /api/v1/recommendations`` over the real service: the same answer as the command,
the menu's record as of the requirements' date, located errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.api.conftest import FixedClock, Service, clocked_service
from tests.conftest import ROOT

AN, VB = "demo-program-office/analyst", "demo-partner-br/viewer"
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _kenya() -> dict[str, Any]:
    yaml = YAML(typ="safe")
    data = yaml.load((ROOT / "examples" / "partners" / "kenya-ministry-ict.yaml").read_text())
    data["date"] = data["date"].isoformat()
    return dict(data)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[tuple[Service, FixedClock]]:
    with clocked_service(database_url, tmp_path / "home", START) as running:
        yield running


def _recommend(service: Service, body: Any, who: str = VB) -> Any:
    return service.client.post("/api/v1/recommendations", json=body, headers=service.as_(who))


def test_a_partner_viewer_gets_the_recommendation_the_command_gives(
    world: tuple[Service, FixedClock],
) -> None:
    service, _ = world
    answer = _recommend(service, _kenya())
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["bundle"]["feasible"] is True
    assert found["menu_version"].startswith("menu")
    ranked = [p for p in found["packages"] if p["rank"] is not None]
    assert ranked
    assert ranked[0]["rank"] == 1


def test_a_package_suspended_on_the_menu_is_not_recommended(
    world: tuple[Service, FixedClock],
) -> None:
    service, clock = world
    before = {p["package"] for p in _recommend(service, _kenya()).json()["packages"]}
    assert "smallholder-agri-advisory" in before
    clock.advance(days=1)
    suspended = service.client.post(
        "/api/v1/menu/smallholder-agri-advisory/suspend",
        json={"reason": "end-use check pending"},
        headers=service.as_(AN),
    )
    assert suspended.status_code == 200, suspended.text
    later = {**_kenya(), "date": "2026-12-02"}
    after = {p["package"] for p in _recommend(service, later).json()["packages"]}
    assert after == before - {"smallholder-agri-advisory"}
    # The menu as it stood at the end of the day before still had it.
    assert {p["package"] for p in _recommend(service, _kenya()).json()["packages"]} == before


def test_bad_requirements_are_422_with_each_field_named(
    world: tuple[Service, FixedClock],
) -> None:
    service, _ = world
    body = {**_kenya(), "budget_usd": -1, "country": "QQ", "sovereignty": {"data_control": 9}}
    refused = _recommend(service, body)
    assert refused.status_code == 422
    fields = {tuple(e["loc"][1:]) for e in refused.json()["errors"]}
    assert ("budget_usd",) in fields
    assert ("country",) in fields
    assert ("sovereignty", "data_control") in fields
    assert _recommend(service, [1, 2]).status_code == 422

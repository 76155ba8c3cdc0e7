"""``aiexports recommend`` on hand-written partner requirements: outcomes derived from the
policy, the packages' assurances and the requirements' rules, not from earlier output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.cli.runner import run
from tests.conftest import ROOT

KENYA = ROOT / "examples" / "partners" / "kenya-ministry-ict.yaml"
PROPOSED = {"disaster-response-intelligence", "public-safety-video-analytics"}


def _requirements(tmp_path: Path, **changes: Any) -> Path:
    yaml = YAML()
    data = yaml.load(KENYA.read_text(encoding="utf-8"))
    for key, value in changes.items():
        data[key] = value
    path = tmp_path / "requirements.yaml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def _recommend(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: Path
) -> dict[str, Any]:
    found = run(capsys, monkeypatch, "recommend", str(path), "--format", "json")
    assert found.code == 0, found.err
    return dict(found.json())


def _by_id(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["package"]: p for p in found["packages"]}


def test_kenya_data_control_and_a_swahili_must_have(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = _recommend(capsys, monkeypatch, _requirements(tmp_path))
    packages = _by_id(found)
    # Only designated packages are on the menu on the requirements' date.
    assert PROPOSED.isdisjoint(packages)
    # data_control 3 needs the buyer's own keys (byok or hyok) with the data in the
    # country: cmk or provider keys, or regional data, fall short.
    short = {
        "classroom-tutor-starter",
        "financial-crime-analytics",
        "frontier-compute-cluster",
        "port-logistics-ai",
        "small-state-starter-kit",
    }
    assert {p for p, v in packages.items() if v["eligibility"] == "not_eligible"} == short
    for package_id in short:
        assert any("data_control" in r for r in packages[package_id]["reasons"])
    # Kenya is in no controlled country group: no license, so no conditions of review.
    assert {v["determination"]["outcome"] for v in packages.values()} == {"no_license_required"}
    ranked = [p for p in found["packages"] if p["rank"] is not None]
    assert [p["rank"] for p in ranked] == list(range(1, len(ranked) + 1))
    assert [p["fit_total"] for p in ranked] == sorted(
        (p["fit_total"] for p in ranked), reverse=True
    )
    # Every package brings all five layers and only hardware, data and security may
    # overlap: the bundle is one package, the best-fitting Swahili one with the compute.
    bundle = found["bundle"]
    assert bundle["feasible"]
    (chosen,) = bundle["packages"]
    swahili = [
        p
        for p in ranked
        if "swahili" in p["meets"] and p["compute_h100e"] >= 10 and p["price_usd"] <= 80_000_000
    ]
    assert chosen == max(swahili, key=lambda p: p["fit_total"])["package"]
    assert {"must_have:swahili", "layer:models", "layer:applications"} <= set(bundle["binding"])
    assert found["comparison"][0]["packages"] == [chosen]
    assert found["alternatives"], "a next-best bundle exists"


def test_a_destination_under_embargo_makes_every_package_prohibited(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = _recommend(capsys, monkeypatch, _requirements(tmp_path, country="IR"))
    for package in found["packages"]:
        assert package["eligibility"] == "not_eligible"
        assert package["determination"]["outcome"] == "prohibited"
        assert "EMBARGO" in package["determination"]["rules"]
        assert package["rank"] is None
    assert found["bundle"] == {
        "feasible": False,
        "relax_any_of": [],
        "note": "no package on the menu is eligible for this partner",
    }


def test_a_presumption_of_denial_is_never_recommended_without_saying_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = _recommend(capsys, monkeypatch, _requirements(tmp_path, country="CN"))
    frontier = _by_id(found)["frontier-compute-cluster"]
    assert frontier["determination"]["review_policy"] == "presumption_of_denial"
    assert frontier["eligibility"] == "not_eligible"
    assert any("presumption of denial" in r for r in frontier["reasons"])
    # What would make it recommendable, searched over the policy: each change less strict.
    path = frontier["determination"]["path_to_approval"]
    assert path["from"] == "license_required (presumption_of_denial)"
    for change in path["changes"]:
        assert (change["outcome"], change["review_policy"]) != (
            "license_required",
            "presumption_of_denial",
        )
    # The others need a license reviewed case by case (D:5): eligible with conditions.
    gov = _by_id(found)["gov-services-assistant"]
    assert gov["determination"]["outcome"] == "license_required"
    assert gov["eligibility"] == "eligible_with_conditions"


def test_a_budget_no_bundle_fits(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The cheapest Swahili package costs 18M: nothing fits 5M. Dropping the must-have
    # alone leaves the compute need unmet, and dropping the compute need alone the
    # must-have: only the budget stands in the way.
    found = _recommend(capsys, monkeypatch, _requirements(tmp_path, budget_usd=5_000_000))
    assert found["bundle"]["feasible"] is False
    assert found["bundle"]["relax_any_of"] == ["budget"]


def test_a_must_have_only_one_package_meets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    japanese = [{"id": "japanese", "attribute": "languages", "contains": "ja"}]
    found = _recommend(capsys, monkeypatch, _requirements(tmp_path, must_have=japanese))
    meeting = [p["package"] for p in found["packages"] if "japanese" in p["meets"]]
    assert meeting == ["ai-safety-institute-toolkit"]
    assert found["bundle"]["packages"] == ["ai-safety-institute-toolkit"]


def test_overlapping_layers_asked_for_allow_a_bundle_of_several(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    every = ["hardware", "data", "models", "security", "applications"]
    found = _recommend(
        capsys, monkeypatch, _requirements(tmp_path, allow_overlap=every, max_packages=3)
    )
    bundle = found["bundle"]
    assert len(bundle["packages"]) == 3
    assert bundle["price_usd"] <= 80_000_000
    assert "max_packages" in bundle["binding"] or "budget" in bundle["binding"]


def test_a_bad_requirements_file_is_located(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _requirements(tmp_path, sovereignty={"data_control": 5, "lock_in": 1})
    found = run(capsys, monkeypatch, "recommend", str(path))
    assert found.code == 2
    assert f"{path}:" in found.err
    assert "sovereignty" in found.err
    assert "Traceback" not in found.err


def test_the_json_output_is_json_alone() -> None:
    """The solver's banner must not reach standard output (checked in a new process,
    where the solver is made for the first time)."""
    done = subprocess.run(
        [sys.executable, "-m", "aiexports.cli", "recommend", str(KENYA), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["bundle"]["feasible"] is True

"""``aiexports menu``, ``partner`` and ``policy``."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.cli.runner import run
from tests.conftest import ROOT

MENU = ROOT / "src" / "aiexports" / "data" / "menu"


def test_menu_list_shows_every_bundled_package(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(capsys, monkeypatch, "menu", "list", "--format", "json").json()
    assert {p["id"] for p in got} == {p.stem for p in MENU.glob("*.yaml")}
    assert len(got) >= 12
    assert any(p["surveillance_capable"] for p in got)
    proposed = run(
        capsys, monkeypatch, "menu", "list", "--status", "proposed", "--format", "json"
    ).json()
    assert proposed
    assert all(p["status"] == "proposed" for p in proposed)


def test_menu_show(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    table = run(capsys, monkeypatch, "menu", "show", "frontier-compute-cluster")
    assert table.code == 0
    assert "fcc-frontier-model" in table.out
    assert "4E091" in table.out
    assert "fictional" in table.out
    data = run(
        capsys, monkeypatch, "menu", "show", "sovereign-llm-cloud", "--format", "json"
    ).json()
    assert data["layers"]["hardware"]["us_content_share"] >= 0.51
    missing = run(capsys, monkeypatch, "menu", "show", "no-such-package")
    assert missing.code == 2
    assert "no package 'no-such-package'" in missing.err


def test_menu_validate_accepts_the_bundled_menu(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(capsys, monkeypatch, "menu", "validate", str(MENU))
    assert result.code == 0
    assert result.out.count("meets every proposal rule") == len(list(MENU.glob("*.yaml")))


def _package(tmp_path: Path, change: object) -> Path:
    yaml = YAML()
    data = yaml.load((MENU / "public-safety-video-analytics.yaml").read_text())
    change(data)  # type: ignore[operator]
    path = tmp_path / "proposal.yaml"
    with path.open("w") as handle:
        yaml.dump(data, handle)
    return path


def test_menu_validate_reports_each_broken_proposal_rule(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def break_rules(data: dict) -> None:  # type: ignore[type-arg]
        data["consortium"]["members"].append(
            {"name": "Shenzhen Partner Ltd", "country": "CN", "role": "cameras"}
        )
        data["consortium"]["anchor_member"] = "Nobody Inc."
        data["layers"]["security"]["components"] = []
        data["layers"]["hardware"]["us_content_share"] = 0.4
        data["target_countries"] = ["EE", "VE", "IR"]
        data["surveillance_safeguards"] = None
        data["governance"]["rmf_subcategories"] = ["GOVERN 1.1", "MAP 99.9"]

    result = run(capsys, monkeypatch, "menu", "validate", str(_package(tmp_path, break_rules)))
    assert result.code == 1
    for rule in (
        "PKG_FULL_STACK",
        "PKG_ANCHOR_MEMBER",
        "PKG_MEMBER_OF_CONCERN",
        "PKG_US_CONTENT",
        "PKG_SURVEILLANCE_TARGET",
        "PKG_EMBARGOED_TARGET",
        "PKG_SURVEILLANCE_SAFEGUARDS",
        "PKG_RMF_ALIGNMENT",
    ):
        assert rule in result.out, rule
    assert "target_countries[1]" in result.out  # VE: high risk for a surveillance package
    assert "target_countries[2]" in result.out  # IR: embargoed
    assert "cites:" in result.out


def test_menu_validate_schema_error_is_located(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def misspell(data: dict) -> None:  # type: ignore[type-arg]
        data["layers"]["hardware"]["us_contents_share"] = 0.9

    path = _package(tmp_path, misspell)
    result = run(capsys, monkeypatch, "menu", "validate", str(path))
    assert result.code == 2
    assert "field 'layers.hardware.us_contents_share': unknown field" in result.err
    assert f"{path}:" in result.err


def test_partner_show(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    got = run(capsys, monkeypatch, "partner", "show", "kh", "--format", "json").json()
    assert got["code"] == "KH"
    assert "D:1" in got["ear_groups"]
    assert "D:5" not in got["ear_groups"]  # removed effective 2026-02-03
    assert got["military_end_use_744_21"] is True
    assert got["risk_tier"] == "elevated"
    hk = run(capsys, monkeypatch, "partner", "show", "HK")
    assert "treated as CN" in hk.out
    assert "partly-verified" in hk.out or "verified" in hk.out
    unknown = run(capsys, monkeypatch, "partner", "show", "QQ")
    assert unknown.code == 2


def test_partner_list_filters(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    e1 = run(capsys, monkeypatch, "partner", "list", "--group", "E:1", "--format", "json").json()
    assert sorted(p["code"] for p in e1) == ["IR", "KP", "SY"]
    low = run(capsys, monkeypatch, "partner", "list", "--risk", "low", "--format", "json").json()
    assert len(low) == 25


def test_policy_list_and_show(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    packs = run(capsys, monkeypatch, "policy", "list", "--format", "json").json()
    assert {p["id"] for p in packs} == {"us-baseline", "ai-diffusion-2025"}
    before = run(
        capsys,
        monkeypatch,
        "policy",
        "show",
        "us-baseline",
        "--date",
        "2026-01-14",
        "--format",
        "json",
    ).json()
    after = run(
        capsys,
        monkeypatch,
        "policy",
        "show",
        "us-baseline",
        "--date",
        "2026-01-15",
        "--format",
        "json",
    ).json()
    assert before["parameters"]["d5_hardware_case_by_case"] is None
    assert after["parameters"]["d5_hardware_case_by_case"]["tpp_below"] == 21000
    rules = {r["id"]: r for r in after["rules"]}
    assert rules["EMBARGO"]["citations"] == ["15 CFR 746", "Supp. 1 to Part 740"]
    assert "embargo" in rules["EMBARGO"]["explanation"]
    table = run(capsys, monkeypatch, "policy", "show", "ai-diffusion-2025")
    assert "DIFFUSION_WEIGHTS" in table.out
    bad_date = run(capsys, monkeypatch, "policy", "show", "us-baseline", "--date", "tomorrow")
    assert bad_date.code == 2

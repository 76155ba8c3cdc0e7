"""``aiexports impact``: a portfolio re-decided under two packs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import run, run_impact
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "deals"


def _deal(number: int, destination: str, units: int, date: str = "2026-11-26") -> dict:  # type: ignore[type-arg]
    return {
        "id": f"d{number}",
        "date": date,
        "destination": destination,
        "parties": [
            {
                "role": "end_user",
                "name": f"Buyer {number}",
                "country": destination,
                "type": "private",
            }
        ],
        "components": [
            {"id": "gpus", "kind": "hardware", "eccn": "4A090.a", "tpp": 15831, "units": units}
        ],
        "end_uses": ["research"],
    }


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    """Four deals whose change between the packs is known from the spec:
    KZ 100 GPUs: D1/D4 license (baseline) -> LPP, no license (diffusion): less strict;
    KZ 2,000 GPUs: license case by case -> license presumption of approval: same outcome;
    DE: no license under both; CN 8 GPUs: case by case (2026) -> denial (diffusion)."""
    deals = [_deal(1, "KZ", 100), _deal(2, "KZ", 2000), _deal(3, "DE", 64), _deal(4, "CN", 8)]
    path = tmp_path / "deals.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in deals))
    return path


def test_impact_counts_changes_and_says_why(
    portfolio: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run_impact(
        capsys,
        monkeypatch,
        str(portfolio),
        "--format",
        "json",
    ).json()
    assert got["deals"] == 4
    assert got["outcome_changed"] == 1
    assert got["less_strict"] == 1
    assert got["stricter"] == 0
    assert got["review_policy_changed_only"] == 2
    assert got["transitions"] == [
        {"from": "license_required", "to": "no_license_required", "deals": 1}
    ]
    assert got["why"]["rules_firing_only_under_against"] == {"DIFFUSION_CHIPS_TIER2": 1}
    assert got["why"]["rules_firing_only_under_policy"] == {"ADVANCED_COMPUTING_D1_D4": 1}
    example = got["examples"][0]
    assert example["deal_id"] == "d1"
    assert example["where"].endswith("deals.jsonl:1")


def test_impact_is_the_same_in_parallel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deals = [_deal(i, ["KZ", "DE", "CN", "AE"][i % 4], 10 * i) for i in range(4500)]
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in deals))
    args = [
        "impact",
        "--policy",
        "us-baseline",
        "--against",
        "ai-diffusion-2025",
        str(path),
        "--format",
        "json",
    ]
    one = run(capsys, monkeypatch, *args, "--workers", "1").json()
    two = run(capsys, monkeypatch, *args, "--workers", "2").json()
    assert one == two
    assert one["deals"] == 4500


def test_invalid_line_stops_the_report_with_its_line(
    portfolio: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = portfolio.read_text().splitlines()
    lines.insert(2, json.dumps({**json.loads(lines[0]), "destination": "ZZ"}))
    lines.insert(3, "{not json")
    portfolio.write_text("\n".join(lines) + "\n")
    args = [
        "impact",
        "--policy",
        "us-baseline",
        "--against",
        "ai-diffusion-2025",
        str(portfolio),
        "--format",
        "json",
    ]
    stopped = run(capsys, monkeypatch, *args)
    assert stopped.code == 2
    assert stopped.out == ""
    assert f"{portfolio}:3: field 'destination': unknown country code 'ZZ'" in stopped.err
    assert f"{portfolio}:4: not valid JSON" in stopped.err
    skipped = run(capsys, monkeypatch, *args, "--skip-invalid")
    assert skipped.code == 0
    report = skipped.json()
    assert report["deals"] == 4
    assert len(report["invalid_deals"]) == 2


def test_impact_over_a_folder_of_deal_files(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_impact(
        capsys,
        monkeypatch,
        str(EXAMPLES),
    )
    assert result.code == 0
    assert "Impact of ai-diffusion-2025 against us-baseline" in result.out
    assert "DIFFUSION_CHIPS_TIER2" in result.out


def test_unknown_pack_and_missing_portfolio(
    portfolio: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = run(
        capsys,
        monkeypatch,
        "impact",
        "--policy",
        "us-baseline",
        "--against",
        "no-such-pack",
        str(portfolio),
    )
    assert unknown.code == 2
    assert "no policy pack 'no-such-pack'" in unknown.err
    missing = run_impact(
        capsys,
        monkeypatch,
        "nowhere.jsonl",
    )
    assert missing.code == 2
    assert "nowhere.jsonl: file or folder not found" in missing.err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_impact_explains_in_full_only_the_deals_that_change(
    workers: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deals = [_deal(i, ["KZ", "DE", "CN", "AE"][i % 4], 10 * i) for i in range(4500)]
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in deals))
    changes = tmp_path / "changes.jsonl"
    got = run_impact(
        capsys,
        monkeypatch,
        str(path),
        "--format",
        "json",
        "--workers",
        workers,
        "--changes",
        str(changes),
    ).json()
    rows = [json.loads(line) for line in changes.read_text().splitlines()]
    assert got["outcome_changed"] > 0
    assert len(rows) == got["outcome_changed"]
    for row in rows:
        a, b = row["policy"], row["compare_policy"]
        assert a["outcome"] != b["outcome"]
        assert row["differences"]["outcome"] == {"from": a["outcome"], "to": b["outcome"]}
        assert a["decision_id"].startswith("sha256:")
        assert a["findings"] or b["findings"]
    transitions = {(t["from"], t["to"]): t["deals"] for t in got["transitions"]}
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["policy"]["outcome"], row["compare_policy"]["outcome"])
        seen[key] = seen.get(key, 0) + 1
    assert seen == transitions

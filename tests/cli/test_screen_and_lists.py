"""``aiexports screen`` and ``aiexports lists``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import run
from tests.conftest import FIXTURES

DOWNLOAD = FIXTURES / "lists" / "download"
BANDS = {"block", "review", "clear"}


def test_screen_one_name_explains_the_best_match(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(
        capsys,
        monkeypatch,
        "screen",
        "SALEK, Abdul Hai",
        "--country",
        "Afghanistan",
        "--type",
        "person",
        "--format",
        "json",
    ).json()
    best = got["matches"][0]
    assert (best["source"], best["entity_number"]) == ("UN", "TAi.108")
    assert best["band"] == "block"
    assert best["matched_name"] == "ABDULHAI SALEK"
    aligned = {(a["query"], a["listed"]) for a in best["explanation"]["aligned"]}
    assert ("salek", "salek") in aligned
    assert any(f["feature"] == "country" for f in best["explanation"]["features"])
    scores = [m["score"] for m in got["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_screen_table_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(capsys, monkeypatch, "screen", "Banco Nacional de Cuba")
    assert result.code == 0
    assert "block" in result.out
    assert "SDN 306" in result.out


def test_screen_batch_writes_one_object_per_query(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = tmp_path / "names.csv"
    names.write_text(
        "query_id,name,country,type\n"
        "q1,Banco Nacional de Cuba,CU,entity\n"
        "q2,Patricia Lucas Wheeler,US,person\n"
        "q3,ROSNEFT TRADE LTD,,\n"
    )
    output = tmp_path / "results.jsonl"
    result = run(
        capsys,
        monkeypatch,
        "screen",
        "--input",
        str(names),
        "--output",
        str(output),
        "--top",
        "3",
        "--workers",
        "1",
    )
    assert result.code == 0
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["query_id"] for r in rows] == ["q1", "q2", "q3"]
    for row in rows:
        assert set(row) == {"query_id", "matches"}
        for match in row["matches"]:
            assert {
                "entity_number",
                "source",
                "name",
                "matched_name",
                "score",
                "band",
                "explanation",
            } <= set(match)
            assert match["band"] in BANDS
            assert isinstance(match["entity_number"], str)
    assert rows[0]["matches"][0]["entity_number"] == "306"
    assert rows[2]["matches"][0]["source"] == "SSI"
    clear = [m for m in rows[1]["matches"] if m["band"] == "clear"]
    assert len(rows[1]["matches"]) <= 3 or not clear


def test_screen_batch_bad_rows_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = tmp_path / "names.csv"
    names.write_text(
        "query_id,name,country,type\nq1,Someone,US,person\nq2,,US,person\n"
        "q3,Other,Atlantis,person\nq1,Again,US,robot\n"
    )
    output = tmp_path / "results.jsonl"
    result = run(capsys, monkeypatch, "screen", "--input", str(names), "--output", str(output))
    assert result.code == 2
    assert not output.exists()
    assert f"{names}:3: field 'name': name is empty" in result.err
    assert f"{names}:4: field 'country': unknown country 'Atlantis'" in result.err
    assert f"{names}:5: field 'query_id': query_id 'q1' appears twice" in result.err
    assert (
        f"{names}:5: field 'type': type 'robot' is not person (individual) or entity" in result.err
    )


def test_screen_with_given_lists_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(
        capsys,
        monkeypatch,
        "screen",
        "Banco Nacional de Cuba",
        "--list",
        str(DOWNLOAD / "un-consolidated.xml"),
        "--format",
        "json",
    ).json()
    assert all(m["source"] == "UN" for m in got["matches"])
    assert got["lists"].startswith("un-sc@")


def test_screen_needs_a_name_or_an_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(capsys, monkeypatch, "screen")
    assert result.code == 2
    assert "give a NAME or --input FILE" in result.err


def test_lists_update_show_history_activate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = run(capsys, monkeypatch, "lists", "history", "--format", "json").json()
    assert empty == []
    shown = run(capsys, monkeypatch, "lists", "show", "--format", "json").json()
    assert shown["origin"] == "bundled"
    first = run(
        capsys,
        monkeypatch,
        "lists",
        "update",
        "--force",
        str(DOWNLOAD / "bis-dpl.txt"),
        "--format",
        "json",
    ).json()
    assert first["installed"] == 1
    assert first["removed"] > 0  # the excerpt replaces the bundled 461 orders
    flags = {f["flag"] for f in first["imports"][0]["flags"]}
    assert "implausible_last_update" in flags
    second = run(
        capsys, monkeypatch, "lists", "update", "--force", str(DOWNLOAD / "un-consolidated.xml")
    )
    assert second.code == 0
    assert "Installed list version 2" in second.out
    history = run(capsys, monkeypatch, "lists", "history", "--format", "json").json()
    assert [(v["id"], v["active"]) for v in history] == [(1, False), (2, True)]
    assert run(capsys, monkeypatch, "lists", "activate", "1").code == 0
    shown = run(capsys, monkeypatch, "lists", "show", "--format", "json").json()
    assert shown["origin"] == "installed"
    assert shown["version"] == first["new_version"]
    # determinations now screen against the installed version
    deal = tmp_path / "deal.yaml"
    deal.write_text(
        "date: 2026-11-26\ndestination: DE\nparties:\n  - {role: end_user, "
        "name: Banco Nacional de Cuba, country: DE, type: private}\n"
        "end_uses: [finance]\ncomponents: [{id: a, kind: application, "
        "eccn: EAR99}]\n"
    )
    got = run(capsys, monkeypatch, "assess", str(deal), "--format", "json").json()
    assert got["data_versions"]["lists"] == first["new_version"]
    assert got["outcome"] == "prohibited"
    missing = run(capsys, monkeypatch, "lists", "activate", "9")
    assert missing.code == 2


def test_lists_update_rejects_a_malformed_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = FIXTURES / "lists" / "malformed" / "un-broken.xml"
    result = run(capsys, monkeypatch, "lists", "update", str(broken))
    assert result.code == 2
    assert "un-broken.xml:" in result.err
    history = run(capsys, monkeypatch, "lists", "history", "--format", "json").json()
    assert history == []

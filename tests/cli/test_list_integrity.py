"""List downloads that would silently weaken screening are refused, each with ``--force``
as the positive control; how old the lists are is said wherever they are used."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.runner import run
from tests.conftest import ROOT

LISTS = ROOT / "reference-data" / "lists"
UN = LISTS / "un-consolidated.xml"
SDN = LISTS / "ofac-sdn"


def _update(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *paths: Path
) -> tuple[int, int, str]:
    """(exit without --force, exit with --force, the refusal's message)."""
    refused = run(capsys, monkeypatch, "lists", "update", *map(str, paths))
    forced = run(capsys, monkeypatch, "lists", "update", "--force", *map(str, paths))
    return refused.code, forced.code, refused.err


def _cut_sdn(tmp_path: Path, keep: int) -> Path:
    """The SDN download cut after ``keep`` entries, its companion files consistent with
    it (as a download interrupted at a row boundary and re-exported would be)."""
    folder = tmp_path / "sdn"
    folder.mkdir()
    rows = (SDN / "sdn.csv").read_bytes().split(b"\r\n")[:keep]
    kept = {row.split(b",", 1)[0] for row in rows}
    (folder / "sdn.csv").write_bytes(b"\r\n".join(rows) + b"\r\n")
    for part in ("alt.csv", "add.csv", "sdn_comments.csv"):
        lines = (SDN / part).read_bytes().rstrip(b"\x1a").split(b"\r\n")
        chosen = [line for line in lines if line and line.split(b",", 1)[0] in kept]
        (folder / part).write_bytes(b"\r\n".join(chosen) + b"\r\n")
    return folder


def _active_entries(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, feed: str
) -> int:
    shown = run(capsys, monkeypatch, "lists", "show", "--format", "json").json()
    return next(f["report"]["entries"] for f in shown["feeds"] if f["report"]["feed"] == feed)


def test_an_empty_un_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "un.xml"
    empty.write_text(
        '<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-03-01T00:00:00Z">'
        "<INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>\n"
    )
    refused, forced, message = _update(capsys, monkeypatch, empty)
    assert refused == 2
    assert "feed un-sc: the download has no entries (the installed one has 1,003)" in message
    assert "--force" in message
    assert forced == 0
    assert _active_entries(capsys, monkeypatch, "un-sc") == 0


def test_sdn_without_its_alias_and_address_files_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = tmp_path / "sdn.csv"
    shutil.copy(SDN / "sdn.csv", alone)
    refused, forced, message = _update(capsys, monkeypatch, alone)
    assert refused == 2
    assert "lacks alt.csv, add.csv" in message
    assert "names and aliases" in message  # 7,500 entries lose their aliases
    assert forced == 0


def test_an_sdn_file_cut_at_a_row_boundary_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _cut_sdn(tmp_path, 4000)
    refused, forced, message = _update(capsys, monkeypatch, folder)
    assert refused == 2
    assert "it would drop 4,976 of 8,976 entries (55%; at most 10% may go at once)" in message
    assert forced == 0
    assert _active_entries(capsys, monkeypatch, "ofac-sdn") == 4000


def test_a_download_older_than_the_installed_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "un-2019.xml"
    old.write_bytes(
        UN.read_bytes().replace(b'dateGenerated="2026-02-27', b'dateGenerated="2019-05-02')
    )
    refused, forced, message = _update(capsys, monkeypatch, old)
    assert refused == 2
    assert "as of 2019-05-02, older than the installed one (as of 2026-02-27)" in message
    assert forced == 0


def test_a_sound_update_needs_no_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = tmp_path / "un.xml"
    newer.write_bytes(
        UN.read_bytes().replace(b'dateGenerated="2026-02-27', b'dateGenerated="2026-03-27')
    )
    got = run(capsys, monkeypatch, "lists", "update", str(newer), "--format", "json")
    assert got.code == 0, got.err
    assert got.json()["forced_despite"] == []


def test_the_loss_allowed_is_configurable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _cut_sdn(tmp_path, 4000)
    monkeypatch.setenv("AIEXPORTS_LIST_MAX_LOSS", "0.6")
    got = run(capsys, monkeypatch, "lists", "update", str(folder))
    assert got.code == 0, got.err


def test_lists_lacking_a_code_the_rules_need_make_the_deal_need_review(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = ROOT / "examples" / "deals" / "listed-bank-spain.yaml"
    got = run(capsys, monkeypatch, "assess", str(deal), "--lists", str(UN), "--format", "json")
    assert got.code == 0, got.err
    determination = got.json()
    assert determination["outcome"] == "review_required"
    finding = next(f for f in determination["findings"] if f["rule"] == "RPS_UNAVAILABLE")
    assert finding["evidence"]["missing_lists"] == ["DPL", "EL", "MEU", "SDN", "UVL"]
    assert finding["citations"] == ["15 CFR 732 Supp. 3"]
    # With every list, the same deal is decided on its listing.
    full = run(capsys, monkeypatch, "assess", str(deal), "--format", "json").json()
    assert "RPS_UNAVAILABLE" not in {f["rule"] for f in full["findings"]}


def test_screen_and_assess_agree_on_an_expired_denial_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # AARON ABRAHAM VILLA's Denied Persons order expired on 2026-01-14.
    got = run(capsys, monkeypatch, "screen", "Aaron Abraham Villa", "--format", "json").json()
    dpl = [m for m in got["matches"] if m["source"] == "DPL" and m["score"] >= 0.99]
    assert dpl
    assert {m["band"] for m in dpl} == {"expired"}
    assert dpl[0]["expires"] == "2026-01-14"
    deal = tmp_path / "deal.json"
    deal.write_text(
        json.dumps(
            {
                "date": "2026-06-01",
                "package": "sovereign-llm-cloud",
                "destination": "DE",
                "parties": [
                    {
                        "role": "end_user",
                        "name": "Aaron Abraham Villa",
                        "country": "US",
                        "type": "private",
                    },
                ],
                "end_uses": ["commercial"],
            }
        )
    )
    decided = run(capsys, monkeypatch, "assess", str(deal), "--format", "json").json()
    assert "RPS_PROHIBITED" not in {f["rule"] for f in decided["findings"]}


def test_the_age_of_every_list_is_shown_and_old_ones_warned(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(capsys, monkeypatch, "lists", "show", "--format", "json")
    ages = {age["feed"]: age for age in got.json()["ages"]}
    assert ages["un-sc"]["as_of"] == "2026-02-27"
    assert ages["un-sc"]["age_days"] > 30
    assert ages["ofac-sdn"]["age_days"] is None  # the legacy CSV states no date
    assert "warning: list un-sc: as of 2026-02-27" in got.err
    assert "ofac-sdn: the files state no date" in got.err
    screened = run(capsys, monkeypatch, "screen", "Acme", "--format", "json")
    assert {a["feed"] for a in screened.json()["list_ages"]} == set(ages)
    assert "warning: list un-sc" in screened.err
    monkeypatch.setenv("AIEXPORTS_LIST_MAX_AGE_DAYS", "100000")
    quiet = run(capsys, monkeypatch, "lists", "show")
    assert "un-sc: as of" not in quiet.err

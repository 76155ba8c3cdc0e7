"""Input that used to be accepted silently, or that cost minutes, is refused with its
file, line and field (exit 2), before any work and without writing anything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiexports.errors import InputError
from aiexports.services.deals import PortfolioItem
from aiexports.sources.documents import MAX_ISSUES
from aiexports.sources.reference import countries
from tests.cli.runner import run, run_impact
from tests.conftest import ROOT

DEAL = ROOT / "examples" / "deals" / "sovereign-cloud-saudi-arabia.yaml"
GOOD_DEAL = {
    "id": "d1",
    "date": "2025-06-01",
    "package": "sovereign-llm-cloud",
    "destination": "SA",
    "parties": [
        {"role": "end_user", "name": "Acme Cloud", "country": "SA", "type": "private"},
    ],
    "end_uses": ["commercial"],
}


def _names(tmp_path: Path, text: str = "query_id,name\n1,Acme Trading LLC\n") -> Path:
    path = tmp_path / "names.csv"
    path.write_text(text)
    return path


def _jsonl(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "deals.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    return path


# --- output paths --------------------------------------------------------------------


def test_output_through_a_symbolic_link_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "kept.txt"
    target.write_text("precious")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    got = run(
        capsys, monkeypatch, "screen", "--input", str(_names(tmp_path)), "--output", str(link)
    )
    assert got.code == 2
    assert "symbolic link" in got.err
    assert link.is_symlink()
    assert target.read_text() == "precious"


def test_output_to_a_pipe_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = run(
        capsys, monkeypatch, "screen", "--input", str(_names(tmp_path)), "--output", str(fifo)
    )
    assert got.code == 2
    assert "not a regular file" in got.err
    assert fifo.exists()
    assert not fifo.is_file()


def test_output_over_the_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _names(tmp_path)
    before = names.read_text()
    got = run(capsys, monkeypatch, "screen", "--input", str(names), "--output", str(names))
    assert got.code == 2
    assert "is the input" in got.err
    assert names.read_text() == before

    deals = _jsonl(tmp_path, json.dumps(GOOD_DEAL))
    got = run_impact(
        capsys,
        monkeypatch,
        str(deals),
        "--changes",
        str(deals),
    )
    assert got.code == 2
    assert "is the input" in got.err
    assert json.loads(deals.read_text()) == GOOD_DEAL


# --- name files and options -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # The quote opened on line 3 swallows every later row into one name.
        ('query_id,name\n1,Alpha\n2,"Bravo\n3,Banco Nacional de Cuba\n', 3, "unbalanced quote"),
        ("query_id,name\n1,Alpha\n2,Bravo,extra\n", 3, "more than the 2 columns"),
        ("query_id,name,country\n1,Alpha\n", 2, "fewer than the 3 columns"),
        ("query_id,name,name\n1,Alpha,Beta\n", 1, "columns appear twice: 'name'"),
        ('query_id,name\n1,"Al"pha\n', 2, "not valid CSV"),
    ],
)
def test_a_name_file_is_read_strictly(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    line: int,
    message: str,
) -> None:
    names = _names(tmp_path, text)
    got = run(capsys, monkeypatch, "screen", "--input", str(names))
    assert got.code == 2, got.out
    assert f"{names}:{line}:" in got.err
    assert message in got.err
    assert got.out == ""


def test_ofac_word_individual_is_a_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _names(tmp_path, "query_id,name,type\n1,Qasem Soleimani,individual\n")
    got = run(capsys, monkeypatch, "screen", "--input", str(names))
    assert got.code == 0, got.err
    row = json.loads(got.out.splitlines()[0])
    assert row["matches"][0]["band"] == "block"
    got = run(capsys, monkeypatch, "screen", "Qasem Soleimani", "--type", "individual")
    assert got.code == 0, got.err


@pytest.mark.parametrize("dob", ["1957-13-40", "57", "1957-02-30", "soon"])
def test_a_birth_date_must_be_a_date(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dob: str,
) -> None:
    got = run(capsys, monkeypatch, "screen", "Qasem Soleimani", "--dob", dob)
    assert got.code == 2
    assert "--dob" in got.err
    names = _names(tmp_path, f"query_id,name,date_of_birth\n1,Qasem Soleimani,{dob}\n")
    got = run(capsys, monkeypatch, "screen", "--input", str(names))
    assert got.code == 2
    assert f"{names}:2: field 'date_of_birth'" in got.err


def test_a_name_longer_than_any_listed_one_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(capsys, monkeypatch, "screen", "Acme " * 200)
    assert got.code == 2
    assert "longer than 500 characters" in got.err


# --- deal documents ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"date": "2025-06-01", "date": "2026-06-01"}', "key 'date' appears twice"),
        (json.dumps({**GOOD_DEAL, "date": 1748736000}), "YYYY-MM-DD, not as a number"),
        (json.dumps({**GOOD_DEAL, "date": "1748736000"}), "is not a date written YYYY-MM-DD"),
        (
            json.dumps(
                {**GOOD_DEAL, "parties": [{**GOOD_DEAL["parties"][0], "name": "Acme\u0000"}]}  # type: ignore[dict-item]
            ),
            "control character U+0000",
        ),
        (json.dumps({**GOOD_DEAL, "value_usd": float("nan")}), "finite number"),
    ],
)
def test_json_lines_take_no_silent_choices(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    line: str,
    message: str,
) -> None:
    deals = _jsonl(tmp_path, json.dumps(GOOD_DEAL), line)
    got = run_impact(capsys, monkeypatch, "--workers", "1", str(deals))
    assert got.code == 2, got.out
    assert f"{deals}:2:" in got.err
    assert message in got.err


def test_a_yaml_merge_key_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(DEAL.read_text() + "<<: {destination: CU}\n")
    got = run(capsys, monkeypatch, "assess", str(deal))
    assert got.code == 2
    assert "merge keys (<<) are not accepted" in got.err
    assert f"{deal}:" in got.err


def test_a_document_of_very_many_values_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(
        DEAL.read_text() + "extra:\n" + "".join(f"  k{i}: {i}\n" for i in range(60_000))
    )
    got = run(capsys, monkeypatch, "assess", str(deal))
    assert got.code == 2
    assert "more than 100,000 values in one document" in got.err


def test_a_deal_of_a_hundred_thousand_parties_gets_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    party = GOOD_DEAL["parties"][0]  # type: ignore[index]
    wide = {**GOOD_DEAL, "parties": [party] * 100_000}
    many_keys = {**GOOD_DEAL, **{f"k{i}": i for i in range(50_000)}}
    deals = _jsonl(tmp_path, json.dumps(wide), json.dumps(many_keys))
    got = run_impact(capsys, monkeypatch, "--workers", "1", str(deals))
    assert got.code == 2
    assert f"{deals}:1: 100,000 parties; a deal has at most 200" in got.err
    assert f"{deals}:2: 50,006 fields" in got.err
    assert len(got.err.splitlines()) < 10


def test_many_errors_in_one_document_are_summed_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_party = {"role": "end_user", "name": "X", "country": "ZZ", "type": "robot"}
    line = json.dumps({**GOOD_DEAL, "parties": [bad_party] * 150})
    found = PortfolioItem("deals.jsonl:1", line=line, number=1).read(countries())
    assert isinstance(found, InputError)
    assert len(found.issues) == MAX_ISSUES + 1
    assert "more problems" in found.issues[-1].message
    got = run_impact(capsys, monkeypatch, "--workers", "1", str(_jsonl(tmp_path, line)))
    assert got.code == 2
    assert len(got.err.splitlines()) <= MAX_ISSUES + 3


def test_a_party_name_past_the_screening_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    party = {**GOOD_DEAL["parties"][0], "name": "A" * 501}  # type: ignore[dict-item]
    deals = _jsonl(tmp_path, json.dumps({**GOOD_DEAL, "parties": [party]}))
    got = run_impact(capsys, monkeypatch, "--workers", "1", str(deals))
    assert got.code == 2
    assert "parties[0].name" in got.err


def test_a_not_a_number_parameter_in_a_draft_pack_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = tmp_path / "draft.yaml"
    pack.write_text(
        "id: draft-nan\nextends: us-baseline\nparameters:\n"
        "  controlled_weights_min_training_ops:\n    - value: .nan\n"
    )
    got = run(capsys, monkeypatch, "assess", str(DEAL), "--policy", str(pack))
    assert got.code == 2
    assert f"{pack}:5:" in got.err
    assert "finite number" in got.err


# --- environment ------------------------------------------------------------------------


def test_an_empty_home_is_not_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AIEXPORTS_HOME", "")
    got = run(capsys, monkeypatch, "lists", "update", str(ROOT / "reference-data" / "lists"))
    assert got.code == 2
    assert "AIEXPORTS_HOME" in got.err
    assert "is empty" in got.err
    assert list(tmp_path.iterdir()) == []


def test_a_database_url_into_a_missing_folder_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no" / "such"
    monkeypatch.setenv("AIEXPORTS_DATABASE_URL", f"sqlite:///{missing}/lists.db")
    got = run(capsys, monkeypatch, "lists", "show")
    assert got.code == 4
    assert "AIEXPORTS_DATABASE_URL" in got.err
    assert "does not exist" in got.err
    assert not (tmp_path / "no").exists()


def test_ctrl_c_in_a_batch_with_workers_ends_with_one_message(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the group: the parent reports it once, the
    workers say nothing, and no temporary file is left beside the output."""
    deals = tmp_path / "deals.jsonl"
    line = json.dumps(GOOD_DEAL) + "\n"
    deals.write_text(line * 200_000)
    changes = tmp_path / "changes.jsonl"
    command = [
        str(Path(sys.executable).parent / "aiexports"),
        "impact",
        "--policy",
        "ai-diffusion-2025",
        "--against",
        "us-baseline",
        str(deals),
        "--workers",
        "2",
        "--changes",
        str(changes),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "COLUMNS": "120"},
    )
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if children.exists() and len(children.read_text().split()) >= 2:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the batch ended before it could be interrupted"
    time.sleep(0.5)  # the workers are deciding
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
    assert not changes.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["deals.jsonl"]

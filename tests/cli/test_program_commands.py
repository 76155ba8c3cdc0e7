"""The program workflows from the command line: propose with ``aiexports menu submit``,
evaluate, score, designate, see the menu on a date and what changed, adjudicate a match,
read the clock and the queue; each command acts as the user whose token it is given."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import APPLICATION, REVIEW_BAND_ENTRY, proposal_document
from tests.cli.runner import Run, run


def _user(capsys: Any, monkeypatch: Any, org: str, kind: str, role: str) -> str:
    assert run(capsys, monkeypatch, "orgs", "create", "--slug", org, "--kind", kind).code == 0
    made = run(capsys, monkeypatch, "users", "create", "--org", org, "--name", "u", "--role", role)
    assert made.code == 0, made.err
    return str(made.json()["token"])


@pytest.fixture
def tokens(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> dict[str, str]:
    return {
        "applicant": _user(capsys, monkeypatch, "acme", "consortium", "applicant"),
        "analyst": _user(capsys, monkeypatch, "pgo", "program_office", "analyst"),
        "officer": _user(capsys, monkeypatch, "bis", "licensing_agency", "officer"),
    }


def _low_share(d: dict[str, Any]) -> None:
    d["layers"]["hardware"]["us_content_share"] = 0.509


def test_a_proposal_goes_onto_the_menu_from_the_command_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tokens: dict[str, str],
) -> None:
    def cli(*args: str, who: str = "analyst") -> Run:
        return run(capsys, monkeypatch, *args, "--token", tokens[who])

    proposal = tmp_path / "proposal.json"
    proposal.write_text(json.dumps(proposal_document("cli-ai-stack", change=_low_share)))
    submitted = cli("menu", "submit", str(proposal), "--format", "json", who="applicant")
    assert submitted.code == 0, submitted.err
    view = submitted.json()
    assert view["state"] == "submitted"
    assert [f["rule"] for f in view["findings"]] == ["PKG_US_CONTENT"]
    pid = view["id"]
    shown = cli("menu", "proposal", pid, who="applicant")
    assert "! [PKG_US_CONTENT]" in shown.out
    assert "50.9%" in shown.out

    assert cli("menu", "evaluate", pid).code == 0
    scores = tmp_path / "scores.yaml"
    criteria = ["national_interest", "us_content", "contested_market", "sovereignty", "security"]
    scores.write_text("".join(f"{c}: {{score: 3, reason: judged}}\n" for c in criteria))
    scored = cli("menu", "score", pid, str(scores))
    assert scored.code == 0, scored.err
    assert scored.json()["total"] == 60.0
    stale = cli("menu", "decide", pid, "--decision", "reject", "--reason", "r", "--if-version", "1")
    assert stale.code != 0  # it was submitted, evaluated and scored since version 1
    assert "Traceback" not in stale.err
    unjustified = cli("menu", "decide", pid, "--decision", "designate", "--reason", "r")
    assert unjustified.code == 2
    assert "justifications.PKG_US_CONTENT" in unjustified.err
    designated = cli(
        "menu",
        "decide",
        pid,
        "--decision",
        "designate",
        "--reason",
        "a regional anchor",
        "--justify",
        "PKG_US_CONTENT=cooling modules are made in Japan",
    )
    assert designated.code == 0, designated.err

    today = dt.datetime.now(dt.UTC).date()
    on_menu = cli("menu", "at", today.isoformat(), "--format", "json", who="applicant")
    assert "cli-ai-stack" in {p["id"] for p in on_menu.json()["items"]}
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    before = cli("menu", "at", yesterday, "--format", "json", who="applicant")
    assert "cli-ai-stack" not in {p["id"] for p in before.json()["items"]}
    diff = cli("menu", "diff", yesterday, today.isoformat())
    assert "+ cli-ai-stack v1 (designated)" in diff.out
    assert cli("menu", "suspend", "cli-ai-stack", "--reason", "review").code == 0
    assert cli("menu", "suspend", "cli-ai-stack", "--reason", "again").code == 1
    assert "rubric" in cli("menu", "rubric").out
    compact = cli("menu", "at", "20260101", who="applicant")
    assert compact.code == 2
    assert "YYYY-MM-DD" in compact.err

    # The applicant may not designate; an unknown token is refused.
    assert cli("menu", "evaluate", pid, who="applicant").code == 1
    bad = run(capsys, monkeypatch, "menu", "proposals", "--token", "not-a-token")
    assert bad.code != 0
    assert "Traceback" not in bad.err


def test_a_malformed_proposal_file_is_located_by_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tokens: dict[str, str],
) -> None:
    document = proposal_document("broken-stack")
    document["layers"]["hardware"]["us_contents_share"] = 0.9
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document, indent=1))
    found = run(capsys, monkeypatch, "menu", "submit", str(path), "--token", tokens["applicant"])
    assert found.code == 2
    assert f"{path}:" in found.err
    assert "us_contents_share" in found.err
    listed = run(
        capsys, monkeypatch, "menu", "proposals", "--format", "json", "--token", tokens["applicant"]
    )
    assert listed.json() == []  # nothing half-written


def test_adjudications_the_clock_and_the_queue_from_the_command_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tokens: dict[str, str],
) -> None:
    def cli(*args: str, who: str) -> Run:
        return run(capsys, monkeypatch, *args, "--token", tokens[who])

    added = cli(
        "adjudications",
        "add",
        "--entry",
        f"SDN:{REVIEW_BAND_ENTRY}",
        "--name",
        "Mehr Trading Company",
        "--country",
        "IN",
        "--verdict",
        "false_positive",
        "--reason",
        "another company",
        who="applicant",
    )
    assert added.code == 0, added.err
    adjudication = added.json()
    assert adjudication["scope"] == "organization"
    listed = cli("adjudications", "list", who="officer")
    assert [a["id"] for a in listed.json()] == [adjudication["id"]]
    withdrawn = cli(
        "adjudications", "withdraw", adjudication["id"], "--reason", "r", who="applicant"
    )
    assert withdrawn.code == 0, withdrawn.err
    assert withdrawn.json()["withdrawn_at"]

    # An application submitted through the use case, then read from the command line.
    from aiexports.runtime import Runtime
    from aiexports.services.accounts import authenticate
    from aiexports.services.licensing import Licensing

    runtime = Runtime.from_environment()
    licensing = Licensing(runtime.service_store, runtime)
    who = authenticate(runtime.service_store, tokens["applicant"])
    draft = licensing.create_application(who, APPLICATION)
    licensing.submit(who, draft["id"], '"1"')
    runtime.close()
    found = cli("applications", "clock", draft["id"], "--format", "json", who="officer")
    assert found.code == 0, found.err
    assert (found.json()["agency_days"], found.json()["holder"]) == (0, "agency")
    queue = cli("applications", "queue", "--format", "json", who="officer")
    assert [q["application"] for q in queue.json()] == [draft["id"]]
    assert cli("applications", "queue", who="applicant").code == 1

"""``aiexports serve``, ``orgs``, ``users`` and ``audit`` from the command line."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.cli.runner import run


def test_organisations_and_users_are_created_with_a_token_shown_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    made = run(capsys, monkeypatch, "orgs", "create", "--slug", "acme", "--kind", "consortium")
    assert made.code == 0, made.err
    user = run(
        capsys,
        monkeypatch,
        "users",
        "create",
        "--org",
        "acme",
        "--name",
        "ops",
        "--role",
        "applicant",
    )
    assert user.code == 0, user.err
    shown = user.json()
    assert shown["organization"] == "acme"
    assert shown["role"] == "applicant"
    assert len(shown["token"]) >= 43  # 32 random bytes
    database = isolated_home / "aiexports.db"
    with create_engine(f"sqlite:///{database}").connect() as db:
        stored = db.execute(text("SELECT token_hash FROM tokens")).scalars().all()
    assert shown["token"] not in stored  # only the hash is kept
    wrong_role = run(
        capsys, monkeypatch, "users", "create", "--org", "acme", "--name", "x", "--role", "officer"
    )
    assert wrong_role.code == 2
    assert "field 'role'" in wrong_role.err
    partner = run(
        capsys, monkeypatch, "orgs", "create", "--slug", "p", "--kind", "partner_government"
    )
    assert partner.code == 2
    assert "country" in partner.err


def test_audit_verify_exits_1_at_the_first_bad_entry_and_export_verifies(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
    tmp_path: Path,
) -> None:
    run(capsys, monkeypatch, "orgs", "create", "--slug", "acme", "--kind", "consortium")
    intact = run(capsys, monkeypatch, "audit", "verify")
    assert intact.code == 0
    assert intact.json()["ok"] is True
    exported = tmp_path / "audit.jsonl"
    done = run(capsys, monkeypatch, "audit", "export", "--output", str(exported))
    assert done.code == 0
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1))
    with create_engine(f"sqlite:///{isolated_home / 'aiexports.db'}").begin() as db:
        db.execute(text("DROP TRIGGER audit_log_no_update"))
        db.execute(text("UPDATE audit_log SET action = 'forged' WHERE seq = 1"))
    broken = run(capsys, monkeypatch, "audit", "verify")
    assert broken.code == 1
    assert broken.json() == {"ok": False, "first_bad": 1, "reason": "hash mismatch"}
    assert "seq 1" in broken.err
    bad_since = run(capsys, monkeypatch, "audit", "export", "--since", "yesterday")
    assert bad_since.code == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, method="POST" if body is not None else "GET")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """Start ``aiexports serve`` and wait until it answers its health check."""
    port = _free_port()
    command = [sys.executable, "-m", "aiexports.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            _get(f"{base}/api/v1/health")
            return server, base
        except OSError:
            time.sleep(0.1)
    _stop(server)
    pytest.fail("the service did not start")


def _stop(server: subprocess.Popen[str]) -> str:
    server.terminate()
    _, err = server.communicate(timeout=30)
    return err


def test_serve_starts_seeds_the_demo_once_and_answers_an_assessment(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "AIEXPORTS_HOME": str(home)}
    env.pop("AIEXPORTS_DATABASE_URL", None)
    server, base = _serve(env)
    try:
        assert _get(f"{base}/api/v1/health") == (200, {"status": "ok", "database": "ok"})
        tokens_file = home / "demo-tokens.json"
        assert stat.S_IMODE(tokens_file.stat().st_mode) == 0o600
        tokens = json.loads(tokens_file.read_text())
        assert {(t["organization"], t["user"]) for t in tokens} == {
            ("demo-program-office", "analyst"),
            ("demo-agency", "officer-1"),
            ("demo-agency", "officer-2"),
            ("demo-consortium-a", "applicant"),
            ("demo-consortium-b", "applicant"),
            ("demo-partner-in", "viewer"),
            ("demo-auditor", "auditor"),
        }
        assert all(t["password"] for t in tokens)
        officer = next(t["token"] for t in tokens if t["user"] == "officer-1")
        assert _get(f"{base}/api/v1/menu")[0] == 401
        deal = json.loads(EXAMPLE.read_text()) if EXAMPLE.suffix == ".json" else _yaml(EXAMPLE)
        status, determination = _get(f"{base}/api/v1/assessments", officer, deal)
        assert status == 200, determination
        assert determination["decision_id"].startswith("sha256:")
        assert determination["outcome"] in {
            "prohibited",
            "license_required",
            "review_required",
            "no_license_required",
        }
    finally:
        first_err = _stop(server)
    assert str(tokens_file) in first_err
    again, _ = _serve(env)
    second_err = _stop(again)
    assert json.loads(tokens_file.read_text()) == tokens  # seeded once, never again
    assert "demo organisations created" not in second_err


EXAMPLE = Path(__file__).parents[2] / "examples" / "deals" / "sovereign-cloud-saudi-arabia.yaml"


def _yaml(path: Path) -> Any:
    from ruamel.yaml import YAML

    return json.loads(json.dumps(YAML(typ="safe").load(path.read_text()), default=str))


def test_production_refuses_demo_data_and_default_secrets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIEXPORTS_ENV", "production")
    monkeypatch.setenv("AIEXPORTS_SECRET_KEY", "changeme")
    refused = run(capsys, monkeypatch, "serve", "--port", str(_free_port()))
    assert refused.code == 2
    assert "AIEXPORTS_DATABASE_URL" in refused.err
    assert "AIEXPORTS_SECRET_KEY" in refused.err

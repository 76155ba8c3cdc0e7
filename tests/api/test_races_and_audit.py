"""What the database must guarantee under load and after tampering: one decision per
version, no depletion past a license, an audit chain that finds the first bad entry, and a
killed process that leaves nothing half-written. On every database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from aiexports.errors import ConflictError, StaleVersionError
from aiexports.services import audit
from tests.api.conftest import Service
from tests.audit_rule import walk_chain

APPLICANT = "demo-consortium-a/applicant"
OFFICERS = ("demo-agency/officer-1", "demo-agency/officer-2")


def test_parallel_decisions_on_one_version_let_exactly_one_through(service: Service) -> None:
    app_id = service.submitted()
    service.act(app_id, "take", OFFICERS[0])
    version = service.client.get(
        f"/api/v1/applications/{app_id}", headers=service.as_(OFFICERS[0])
    ).headers["ETag"]
    officers = [service.principal(OFFICERS[n % 2]) for n in range(8)]

    def decide(who: Any) -> str:
        try:
            service.licensing.decide(who, app_id, {"decision": "denied", "reason": "r"}, version)
        except StaleVersionError:
            return "412"
        return "200"

    with ThreadPoolExecutor(8) as pool:
        results = sorted(pool.map(decide, officers))
    assert results == ["200"] + ["412"] * 7
    decisions = [e for e in audit.export(service.store) if e["action"] == "application.decide"]
    assert len(decisions) == 1


def test_parallel_shipments_never_deplete_past_the_license(service: Service) -> None:
    license_id = service.licensed()
    service.acknowledged(license_id)
    applicant = service.principal(APPLICANT)
    today = dt.date.today().isoformat()
    shipment = {
        "date": today,
        "items": [{"component": "slc-gpu-servers", "quantity": 7, "value_usd": 210000}],
    }

    def ship(_: int) -> int:
        try:
            service.licensing.ship(applicant, license_id, shipment)
        except ConflictError:
            return 0
        return 7

    with ThreadPoolExecutor(8) as pool:
        accepted = list(pool.map(ship, range(20)))
    view = service.licensing.get_license(applicant, license_id)["items"][0]
    assert sum(accepted) == view["shipped_quantity"] == 98  # 14 of 7 fit in 100
    assert view["shipped_value_usd"] == 14 * 210000
    shipped = [e for e in audit.export(service.store) if e["action"] == "license.ship"]
    assert len(shipped) == 14
    assert audit.verify(service.store).ok


def test_the_exported_chain_verifies_with_the_rule_alone(service: Service) -> None:
    service.licensed()
    entries = list(audit.export(service.store))
    previous = walk_chain(entries)
    actions = {e["action"] for e in entries}
    assert {"user.create", "token.create", "application.submit", "license.create"} <= actions
    verdict = service.client.get(
        "/api/v1/audit/verify", headers=service.as_("demo-auditor/auditor")
    )
    assert verdict.json() == {"ok": True, "entries": len(entries), "head": previous}


def test_the_database_refuses_to_change_or_remove_audit_rows(service: Service) -> None:
    service.new_application()
    for statement in ("UPDATE audit_log SET action = 'x' WHERE seq = 1", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), service.store.engine.begin() as db:
            db.execute(text(statement))
    assert audit.verify(service.store).ok


def _tamper(service: Service, *statements: str) -> None:
    """Change the log as someone with the database's owner rights could: the trigger
    dropped, the change made, the trigger put back."""
    dialect = service.store.engine.dialect.name
    with service.store.engine.begin() as db:
        if dialect == "postgresql":
            db.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            db.execute(text("DROP TRIGGER audit_log_no_update"))
            db.execute(text("DROP TRIGGER audit_log_no_delete"))
        for statement in statements:
            db.execute(text(statement))
        if dialect == "postgresql":
            db.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))


@pytest.mark.parametrize(
    ("statements", "first_bad", "reason"),
    [
        (["UPDATE audit_log SET action = 'user.delete' WHERE seq = 5"], 5, "hash mismatch"),
        (["DELETE FROM audit_log WHERE seq = 4"], 4, "missing entry"),
        # Two entries swapped, each renumbered to the other's place.
        (
            [
                "UPDATE audit_log SET seq = -1 WHERE seq = 3",
                "UPDATE audit_log SET seq = 3 WHERE seq = 6",
                "UPDATE audit_log SET seq = 6 WHERE seq = -1",
            ],
            3,
            "broken link",
        ),
    ],
    ids=["changed", "deleted", "reordered"],
)
def test_tampering_is_found_at_the_first_bad_entry(
    service: Service, statements: list[str], first_bad: int, reason: str
) -> None:
    _tamper(service, *statements)
    verdict = audit.verify(service.store)
    assert not verdict.ok
    assert (verdict.first_bad, verdict.reason) == (first_bad, reason)


def test_deleting_the_newest_entries_is_found_too(service: Service) -> None:
    total = audit.verify(service.store).entries
    _tamper(service, f"DELETE FROM audit_log WHERE seq >= {total - 1}")
    verdict = audit.verify(service.store)
    assert (verdict.ok, verdict.first_bad, verdict.reason) == (False, total - 1, "missing entry")


KILLER = """
import os, sys
from aiexports.runtime import Runtime
from aiexports.settings import Settings
from aiexports.services.accounts import authenticate
from aiexports.services.licensing import Licensing
from aiexports.storage import service_store

home, url, token, action, target = sys.argv[1:6]
runtime = Runtime(Settings(home=home, database_url=url))
store = runtime.service_store
licensing = Licensing(store, runtime)
who = authenticate(store, token)
real = service_store.Transaction.chain_pending

def die_midway(self):
    real(self)          # the change and its audit entries are written...
    os._exit(9)         # ...and the process dies before the commit

service_store.Transaction.chain_pending = die_midway
if action == "submit":
    licensing.submit(who, target, '"1"')
else:
    import datetime as dt
    licensing.ship(who, target, {"date": dt.date.today().isoformat(),
                   "items": [{"component": "slc-gpu-servers", "quantity": 5, "value_usd": 5}]})
"""


@pytest.mark.parametrize("action", ["submit", "ship"])
def test_a_process_killed_mid_change_leaves_nothing_half_written(
    service: Service, action: str, tmp_path: Path
) -> None:
    if action == "submit":
        target = service.new_application()
    else:
        target = service.licensed()
        service.acknowledged(target)
    before = audit.verify(service.store)
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    url = str(service.store.engine.url.render_as_string(hide_password=False))
    done = subprocess.run(
        [
            sys.executable,
            str(script),
            str(service.runtime.settings.home),
            url,
            service.tokens[APPLICANT],
            action,
            target,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "AIEXPORTS_CACHE": "false"},
        check=False,
    )
    assert done.returncode == 9, done.stderr
    after = audit.verify(service.store)
    assert after.ok
    assert after.entries == before.entries  # no entry for the change that died
    applicant = service.principal(APPLICANT)
    if action == "submit":
        view = service.licensing.get_application(applicant, target)
        assert (view["state"], view["determinations"]) == ("draft", [])
    else:
        item = service.licensing.get_license(applicant, target)["items"][0]
        assert item["shipped_quantity"] == 0

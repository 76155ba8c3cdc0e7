"""The sovereignty ledger of a deal: what the chosen package commits to (its sovereignty
assurances with their attestations, its offer, its governance) and what the deal obliges
(the determination's conditions), recorded as versions and co-signed by the partner
government of the destination (who, when). Whoever reads the application reads its
ledger (the partner viewer and auditors included); it exports as JSON and HTML."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from aiexports.core.licensing import ApplicationState
from aiexports.errors import ConflictError, InputError, Issue, UnknownResourceError
from aiexports.services.access import Principal
from aiexports.services.request_fields import require_version
from aiexports.storage.service_store import ServiceStore, Transaction, as_utc, rfc3339
from aiexports.storage.tables import ledger_signatures, ledger_versions

if TYPE_CHECKING:
    import datetime as dt

    from aiexports.runtime import Runtime
    from aiexports.services.licensing import Licensing


class Ledgers:
    def __init__(
        self,
        store: ServiceStore,
        runtime: Runtime,
        licensing: Licensing,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.store = store
        self.runtime = runtime
        self.licensing = licensing
        self.clock = clock or runtime.clock

    def record(self, who: Principal, app_id: str) -> dict[str, Any]:
        """Record the deal's commitments as the ledger's next version, when they differ
        from the last one (a new version needs the partner's signature again)."""
        with self.store.transaction(self.clock()) as tx:
            row = self.licensing.visible_application(tx, who, app_id, "ledger.record", lock=True)
            if row.state == str(ApplicationState.DRAFT):
                raise ConflictError("a draft has no determination yet: submit it first")
            package_id = row.document.get("package")
            if package_id is None:
                raise InputError(
                    Issue("the application names no package: it has no ledger", field="package")
                )
            commitments = self._commitments(tx, row, package_id)
            digest = _digest(commitments)
            last = self._versions(tx, app_id)
            if last and last[-1].digest == digest:
                return self._view(tx, app_id)
            version = last[-1].version + 1 if last else 1
            tx.insert(
                ledger_versions,
                application_id=app_id,
                version=version,
                commitments=commitments,
                digest=digest,
                recorded_by=who.user_id,
                recorded_at=tx.now,
            )
            tx.record(
                who.actor(),
                "ledger.record",
                "application",
                app_id,
                None,
                {"ledger_version": version, "digest": digest},
            )
        return self._committed(app_id)

    def get(self, who: Principal, app_id: str) -> dict[str, Any]:
        with self.store.reading() as tx:
            self.licensing.visible_application(tx, who, app_id, "application.read")
            return self._view(tx, app_id)

    def cosign(self, who: Principal, app_id: str, if_match: str | None) -> dict[str, Any]:
        """The partner government co-signs the ledger's current version (``If-Match``
        names it: a signature is of the commitments the signer saw)."""
        with self.store.transaction(self.clock()) as tx:
            self.licensing.visible_application(tx, who, app_id, "ledger.cosign", lock=True)
            versions = self._versions(tx, app_id)
            if not versions:
                raise UnknownResourceError(f"application {app_id} has no ledger yet")
            current = versions[-1].version
            require_version(if_match, current)  # 412 when the signer saw another version
            signed = tx.one(
                select(ledger_signatures.c.seq).where(
                    ledger_signatures.c.application_id == app_id,
                    ledger_signatures.c.version == current,
                )
            )
            if signed is not None:
                raise ConflictError(f"ledger version {current} is co-signed already")
            tx.insert(
                ledger_signatures,
                application_id=app_id,
                version=current,
                signed_by=who.user_id,
                signed_by_name=f"{who.organization}/{who.user}",
                organization=who.organization,
                signed_at=tx.now,
            )
            tx.record(
                who.actor(),
                "ledger.cosign",
                "application",
                app_id,
                None,
                {"ledger_version": current},
            )
        return self._committed(app_id)

    # --- inside ---------------------------------------------------------------------------

    def _commitments(self, tx: Transaction, row: Any, package_id: str) -> dict[str, Any]:
        package = self.runtime.menu.package(package_id)
        latest = self.licensing.latest_determination(tx, row.id)
        determination = latest.determination if latest is not None else {}
        return {
            "package": {
                "id": package.id,
                "version": package.version,
                "title": package.title,
                "consortium": package.consortium.name,
            },
            "destination": row.destination,
            "assurances": package.assurances.model_dump(mode="json")
            if package.assurances
            else None,
            "offer": package.offer.model_dump(mode="json") if package.offer else None,
            "sovereignty": package.sovereignty.model_dump(mode="json"),
            "governance": {
                "framework": package.governance.framework,
                "rmf_subcategories": list(package.governance.rmf_subcategories),
                "human_rights_due_diligence": package.governance.human_rights_due_diligence,
            },
            "obligations": [
                {"id": c["id"], "text": c["text"]} for c in determination.get("conditions", [])
            ],
            "determination": {
                "decision_id": determination.get("decision_id"),
                "outcome": determination.get("outcome"),
            },
        }

    def _versions(self, tx: Transaction, app_id: str) -> list[Any]:
        return list(
            tx.all(
                select(ledger_versions)
                .where(ledger_versions.c.application_id == app_id)
                .order_by(ledger_versions.c.version)
            )
        )

    def _view(self, tx: Transaction, app_id: str) -> dict[str, Any]:
        versions = self._versions(tx, app_id)
        if not versions:
            raise UnknownResourceError(f"application {app_id} has no ledger yet")
        signatures = {
            s.version: s
            for s in tx.all(
                select(ledger_signatures).where(ledger_signatures.c.application_id == app_id)
            )
        }
        items = []
        for v in versions:
            s = signatures.get(v.version)
            items.append(
                {
                    "version": v.version,
                    "digest": v.digest,
                    "recorded_by": v.recorded_by,
                    "recorded_at": rfc3339(as_utc(v.recorded_at)),
                    "cosigned": None
                    if s is None
                    else {
                        "by": s.signed_by_name,
                        "organization": s.organization,
                        "at": rfc3339(as_utc(s.signed_at)),
                    },
                }
            )
        current = versions[-1]
        return {
            "application": app_id,
            "version": current.version,
            "commitments": current.commitments,
            "cosigned": items[-1]["cosigned"],
            "versions": items,
        }

    def _committed(self, app_id: str) -> dict[str, Any]:
        with self.store.reading() as tx:
            return self._view(tx, app_id)


def _digest(commitments: dict[str, Any]) -> str:
    text = json.dumps(commitments, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

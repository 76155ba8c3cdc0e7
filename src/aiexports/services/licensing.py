"""License applications, licenses and shipments (service spec §4–5): the use cases every
edge calls. Each checks the caller against :mod:`aiexports.services.access` first and makes
its change in one transaction with its audit entries."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import and_, bindparam, or_, select, true

from aiexports.core.application import (
    ApplicationDocument,
    application_field,
    cents,
    deal_of,
    dollars,
)
from aiexports.core.licensing import (
    ApplicationState,
    Decision,
    LicenseState,
    application_move,
    license_move,
)
from aiexports.core.records import validation_context
from aiexports.core.screening.adjudication import party_details
from aiexports.core.vocabulary import Outcome
from aiexports.errors import (
    ConflictError,
    InputError,
    Issue,
    StaleVersionError,
    UnknownResourceError,
)
from aiexports.services.access import Principal, Scope, check, require
from aiexports.services.adjudications import Adjudications, remembered_from, shown_to
from aiexports.services.ledger import Ledgers
from aiexports.services.menu_record import require_designated
from aiexports.services.request_fields import (
    MAX_DOCUMENT_BYTES,
    DecisionBody,
    Page,
    clean_text,
    decode_cursor,
    encode_cursor,
    entries,
    identifier,
    iso_date,
    item_amounts,
    merge_patch,
    no_document_list,
    parse_decision,
    parse_shipment,
    require_version,
    sniff_media_type,
    string_list,
    well_formed_id,
)
from aiexports.sources.documents import issues_from
from aiexports.storage.service_store import (
    ServiceStore,
    Transaction,
    applications,
    as_utc,
    determinations,
    documents,
    license_conditions,
    license_items,
    license_revisions,
    licenses,
    new_id,
    organizations,
    rfc3339,
    shipments,
)
from aiexports.storage.tables import audit_log, rmf_assessments

if TYPE_CHECKING:
    from aiexports.runtime import Runtime
    from aiexports.services.assessment import Assessor, Remembered

LICENSE_YEARS = 4
"""15 CFR 750.7(g): a license is generally valid four years."""


class Licensing:
    """The licensing use cases over one store, deciding with the runtime's engine."""

    def __init__(
        self,
        store: ServiceStore,
        runtime: Runtime,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.store = store
        self.runtime = runtime
        self.clock = clock or runtime.clock
        self.adjudications = Adjudications(store, runtime, self, self.clock)
        self.ledgers = Ledgers(store, runtime, self, self.clock)

    def assessor(self) -> Assessor:
        return self.runtime.assessor()

    # --- applications --------------------------------------------------------------------

    def parse_application(self, body: object) -> ApplicationDocument:
        try:
            return ApplicationDocument.model_validate(
                body, context=validation_context(self.runtime.countries)
            )
        except ValidationError as error:
            raise InputError(issues_from(error, None, body)) from None

    def create_application(self, who: Principal, body: object) -> dict[str, Any]:
        require(who, "application.create")
        no_document_list(body)
        document = self.parse_application(body)
        app_id = new_id("app")
        now = self.clock()
        values = {
            "id": app_id,
            "organization_id": who.organization_id,
            "state": str(ApplicationState.DRAFT),
            "version": 1,
            "round": 0,
            "destination": document.destination,
            "document": document.model_dump(mode="json", exclude_none=True),
            "created_by": who.user_id,
            "created_at": now,
            "updated_at": now,
        }
        audited = _audited(values)  # prepared before the write: writers queue on SQLite
        with self.store.transaction(now) as tx:
            tx.insert(applications, **values)
            tx.record(who.actor(), "application.create", "application", app_id, None, audited)
        # A new draft has no determination, decision or license yet: its view is built
        # from what was written, without reading it back.
        row = SimpleNamespace(**values, assigned_to=None, decision=None, submitted_at=None)
        return {
            **self._application_summary(row),
            "round": 0,
            "application": values["document"],
            "decision": None,
            "license": None,
            "determinations": [],
            "history": chained_history(tx, "application", app_id),
        }

    def list_applications(
        self,
        who: Principal,
        state: str | None = None,
        destination: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        scope = require(who, "application.read")
        c = applications.c
        statement = select(applications).order_by(c.seq.desc()).limit(limit + 1)
        statement = statement.where(scope_filter(who, scope, c))
        if state is not None:
            statement = statement.where(c.state == state)
        if destination is not None:
            statement = statement.where(c.destination == destination.upper())
        after = decode_cursor(cursor)
        if after is not None:
            statement = statement.where(c.seq < after)
        with self.store.reading() as tx:
            rows = list(tx.all(statement))
            page = rows[:limit]
            items = [self._application_summary(row) for row in page]
        more = len(rows) > limit
        return Page(items, encode_cursor(page[-1].seq) if more and page else None)

    def get_application(self, who: Principal, app_id: str) -> dict[str, Any]:
        """The application with every determination, an officer's adjudication in them
        reduced to its effect for a caller who may not read it."""
        with self.store.reading() as tx:
            row = self.visible_application(tx, who, app_id, "application.read")
            return shown_to(who, self._application_view(tx, row))

    def edit_application(
        self, who: Principal, app_id: str, patch: object, if_match: str | None
    ) -> dict[str, Any]:
        """JSON merge patch (RFC 7396) of a draft or returned application."""
        with self.store.transaction(self.clock()) as tx:
            row = self.visible_application(tx, who, app_id, "application.edit", lock=True)
            version = require_version(if_match, row.version)
            if not isinstance(patch, Mapping):
                raise InputError(Issue("a merge patch is a JSON object", field="body"))
            at_version(row, version)
            application_move(ApplicationState(row.state), "edit")
            no_document_list(patch)
            merged = merge_patch(row.document, patch)
            # The uploaded documents stay as they are, whatever the patch says.
            if isinstance(merged, dict):
                merged["documents"] = row.document.get("documents", [])
                if not merged["documents"]:
                    merged.pop("documents")
            document = self.parse_application(merged)
            after = document.model_dump(mode="json", exclude_none=True)
            self._change(tx, row, version, document=after, destination=document.destination)
            tx.record(who.actor(), "application.edit", "application", app_id, row.document, after)
        return self._committed_application(app_id, who)

    def add_document(
        self, who: Principal, app_id: str, kind: str, filename: str, content: bytes
    ) -> dict[str, Any]:
        """A supporting document, typed by its content; listed in the application."""
        with self.store.transaction(self.clock()) as tx:
            row = self.visible_application(tx, who, app_id, "application.upload", lock=True)
            found: list[Issue] = []
            identifier(kind, "kind", found, 60)
            if found:
                raise InputError(found)
            if len(content) > MAX_DOCUMENT_BYTES:
                raise InputError(Issue("a supporting document is at most 10 MB", field="file"))
            media_type = sniff_media_type(content)
            document_id = new_id("doc")
            digest = hashlib.sha256(content).hexdigest()
            application_move(ApplicationState(row.state), "upload")
            reference = {
                "id": document_id,
                "kind": kind,
                "filename": filename[:300] or "document",
                "sha256": digest,
                "size": len(content),
            }
            tx.insert(
                documents,
                **reference,
                application_id=app_id,
                media_type=media_type,
                content=content,
                uploaded_by=who.user_id,
                created_at=tx.now,
            )
            listed = dict(row.document)
            listed["documents"] = [*listed.get("documents", []), reference]
            self._change(tx, row, row.version, document=listed)
            tx.record(
                who.actor(),
                "application.document",
                "application",
                app_id,
                None,
                {**reference, "media_type": media_type},
            )
            return {**reference, "media_type": media_type}

    def submit(self, who: Principal, app_id: str, if_match: str | None) -> dict[str, Any]:
        """Every party screened and the engine decides; the determination is stored with
        its decision id and versions. A prohibited one goes to the agency all the same."""
        assessor = self.assessor()
        now = self.clock()
        # Screening and deciding take the most time and write nothing: they happen before
        # the writing stage, which then stores the result only if the application is still
        # at the version decided (a concurrent change gives 412, as it would anyway).
        with self.store.read_then_write(now) as stages:
            with stages.reading() as tx:
                seen = self.visible_application(tx, who, app_id, "application.submit")
                at_version(seen, require_version(if_match, seen.version))
                to = application_move(ApplicationState(seen.state), "submit")
                document = self.parse_application(seen.document)
                self._package_designated(tx, document.package, "a submission under it")
                parties = [party_details(p.model_dump(mode="json")) for p in document.parties]
                remembered = self.adjudications.remembered(tx, seen.organization_id, parties)
                # Earlier rounds cannot change while the version holds (each submission
                # steps it), and a license exists only for a decided application, never a
                # submittable one: both are read here for the view, before the write.
                earlier = self._determinations_of(tx, app_id) if seen.round else []
            deal_document = _complete(document, now.date())
            determination = self._decide(assessor, deal_document, document, remembered)
            used = {u["adjudication"] for u in determination["screening_adjudications"]}
            inputs = {
                "parties": parties,
                "adjudications": [
                    a.record()
                    for found in remembered.memory.values()
                    for a in found
                    if a.id in used
                ],
            }
            round_ = seen.round + 1
            changed = {"state": str(to), "round": round_, "submitted_at": now, "assigned_to": None}
            with stages.writing() as tx:
                # The version update is the check: it changes nothing (412) if anyone changed
                # the application since it was read above.
                self._change(tx, seen, seen.version, **changed)
                tx.insert(
                    determinations,
                    application_id=app_id,
                    round=round_,
                    decision_id=determination["decision_id"],
                    outcome=determination["outcome"],
                    deal=deal_document,
                    determination=determination,
                    inputs=inputs,
                    created_at=tx.now,
                )
                tx.record(
                    who.actor(),
                    "application.submit",
                    "application",
                    app_id,
                    {"state": seen.state},
                    {
                        "state": str(to),
                        "round": round_,
                        "decision_id": determination["decision_id"],
                        "outcome": determination["outcome"],
                        "adjudications": sorted(used),
                    },
                )
                # Every change that records an entry about an application holds its row (the
                # update above holds it now), so the history read here is all there is but
                # this submission's own entry, which the chain appends at the commit.
                history = history_of(tx, "application", app_id)
        history += chained_history(tx, "application", app_id)
        after = SimpleNamespace(
            **{**seen._mapping, **changed, "version": seen.version + 1, "updated_at": now}
        )
        decided = SimpleNamespace(
            round=round_,
            decision_id=determination["decision_id"],
            outcome=determination["outcome"],
            created_at=now,
            determination=determination,
        )
        view = self._application_shape(after, [*earlier, decided], None, history)
        return shown_to(who, view)

    def _decide(
        self,
        assessor: Assessor,
        deal_document: Mapping[str, Any],
        application: ApplicationDocument | None = None,
        remembered: Remembered | None = None,
    ) -> dict[str, Any]:
        from aiexports.core.deal import Deal  # noqa: PLC0415
        from aiexports.services.deals import SourcedDeal  # noqa: PLC0415

        try:
            deal = Deal.model_validate(
                deal_document, context=validation_context(self.runtime.countries)
            )
            sourced = SourcedDeal(deal, None, "application")
            return assessor.decide(sourced, adjudications=remembered).contract()
        except ValidationError as error:
            issues = issues_from(error, None, deal_document)
        except InputError as error:
            issues = list(error.issues)
        if application is not None:
            located = {
                Issue(i.message, field=application_field(i.field, application)) for i in issues
            }
            issues = sorted(located, key=lambda i: (i.field or "", i.message))
        raise InputError(issues)

    def _package_designated(self, tx: Transaction, package_id: str | None, doing: str) -> None:
        if package_id is None:
            return
        bundled = self.runtime.reference.menu.packages.get(package_id)
        require_designated(tx, package_id, doing, bundled.status if bundled else None)

    def rederive(self, who: Principal, app_id: str) -> list[dict[str, Any]]:
        """Each stored determination decided again from its stored inputs (deal, party
        details, adjudications) under the menu it was decided with: the same
        ``decision_id`` while the policy, the lists and the country data are the versions
        it records. Each result names the data versions that are not (``changed``)."""
        current = self.assessor()
        with self.store.reading() as tx:
            self.visible_application(tx, who, app_id, "application.read")
            rows = tx.all(
                select(determinations)
                .where(determinations.c.application_id == app_id)
                .order_by(determinations.c.round)
            )
        by_menu: dict[str, Assessor] = {}
        results = []
        for row in rows:
            stored_versions: Mapping[str, str] = row.determination.get("data_versions", {})
            assessor = current
            menu_version = stored_versions.get("menu")
            if menu_version is not None and menu_version != current.reference.menu.version:
                if menu_version not in by_menu:
                    menu = self.runtime.menu_at(menu_version)
                    by_menu[menu_version] = (
                        self.runtime.assessor(menu=menu) if menu is not None else current
                    )
                assessor = by_menu[menu_version]
            derived = self._decide(assessor, row.deal, remembered=remembered_from(row.inputs))
            derived_versions: Mapping[str, str] = derived.get("data_versions", {})
            results.append(
                {
                    "round": row.round,
                    "stored": row.decision_id,
                    "derived": derived["decision_id"],
                    "changed": sorted(
                        key
                        for key in set(stored_versions) | set(derived_versions)
                        if stored_versions.get(key) != derived_versions.get(key)
                    ),
                }
            )
        return results

    def take(self, who: Principal, app_id: str, if_match: str | None) -> dict[str, Any]:
        with self.store.transaction(self.clock()) as tx:
            row = self.visible_application(tx, who, app_id, "application.take", lock=True)
            at_version(row, require_version(if_match, row.version))
            version = row.version
            to = application_move(ApplicationState(row.state), "take")
            self._change(tx, row, version, state=str(to), assigned_to=who.user_id)
            tx.record(
                who.actor(),
                "application.take",
                "application",
                app_id,
                {"state": row.state, "assigned_to": row.assigned_to},
                {"state": str(to), "assigned_to": who.user_id},
            )
        return self._committed_application(app_id, who)

    def decide(
        self, who: Principal, app_id: str, body: object, if_match: str | None
    ) -> dict[str, Any]:
        """The officer's decision; an approval creates the license."""
        with self.store.transaction(self.clock()) as tx:
            row = self.visible_application(tx, who, app_id, "application.decide", lock=True)
            version = require_version(if_match, row.version)
            decision = parse_decision(body)
            at_version(row, version)
            application_move(ApplicationState(row.state), "decide")
            latest = self.latest_determination(tx, app_id)
            if decision.decision.approves:
                self._package_designated(tx, row.document.get("package"), "an approval under it")
            prohibited = latest is not None and latest.outcome == str(Outcome.PROHIBITED)
            if decision.decision.approves and prohibited:
                raise ConflictError(
                    "the determination is prohibited: it cannot be approved "
                    f"(decision {latest.decision_id})"
                )
            recorded = {
                "decision": str(decision.decision),
                "reason": decision.reason,
                "decided_by": who.user_id,
                "decided_by_name": f"{who.organization}/{who.user}",
                "decided_at": rfc3339(tx.now),
                "conditions": [dict(c) for c in decision.conditions],
                "riders": [dict(r) for r in decision.riders],
            }
            license_id = None
            if decision.decision.approves:
                license_id = self._grant(tx, who, row, latest, decision)
                recorded["license"] = license_id
            self._change(tx, row, version, state=str(decision.decision), decision=recorded)
            tx.record(
                who.actor(),
                "application.decide",
                "application",
                app_id,
                {"state": row.state},
                {"state": str(decision.decision), **recorded},
            )
        return self._committed_application(app_id, who)

    def withdraw(self, who: Principal, app_id: str, if_match: str | None) -> dict[str, Any]:
        with self.store.transaction(self.clock()) as tx:
            row = self.visible_application(tx, who, app_id, "application.withdraw", lock=True)
            at_version(row, require_version(if_match, row.version))
            version = row.version
            to = application_move(ApplicationState(row.state), "withdraw")
            self._change(tx, row, version, state=str(to))
            tx.record(
                who.actor(),
                "application.withdraw",
                "application",
                app_id,
                {"state": row.state},
                {"state": str(to)},
            )
        return self._committed_application(app_id, who)

    # --- licenses ------------------------------------------------------------------------

    def _grant(
        self,
        tx: Transaction,
        who: Principal,
        row: Any,
        determination: Any,
        decision: DecisionBody,
    ) -> str:
        document = ApplicationDocument.model_validate(
            row.document, context=validation_context(self.runtime.countries)
        )
        license_id = new_id("lic")
        valid_from = tx.now.date()
        valid_until = decision.valid_until or _years_later(valid_from, LICENSE_YEARS)
        if valid_until < valid_from:
            raise InputError(Issue("valid_until is before today", field="valid_until"))
        tx.insert(
            licenses,
            id=license_id,
            application_id=row.id,
            organization_id=row.organization_id,
            destination=row.destination,
            state=str(LicenseState.ACTIVE),
            version=1,
            valid_from=valid_from,
            valid_until=valid_until,
            riders=[dict(r) for r in decision.riders],
            created_at=tx.now,
            updated_at=tx.now,
        )
        # The determination's conditions are binding on any license granted on it; the
        # officer adds to them and can neither rewrite nor drop one.
        conditions: dict[str, tuple[str, str]] = {}
        if determination is not None:
            for condition in determination.determination.get("conditions", []):
                conditions[condition["id"]] = (condition["text"], "determination")
        clashes = [c["id"] for c in decision.conditions if c["id"] in conditions]
        if clashes:
            raise InputError(
                Issue(
                    f"condition {c} is the determination's own and binding: give yours another id",
                    field="conditions",
                )
                for c in clashes
            )
        if decision.decision is Decision.APPROVED and decision.conditions:
            raise InputError(
                Issue("an approval with conditions is approved_with_conditions", field="decision")
            )
        for condition in decision.conditions:
            conditions[condition["id"]] = (condition["text"], "officer")
        for condition_id, (text, source) in sorted(conditions.items()):
            tx.insert(
                license_conditions,
                license_id=license_id,
                condition_id=condition_id,
                text=text,
                source=source,
            )
        quantities: dict[str, list[int]] = {}
        for item in document.items:
            entry = quantities.setdefault(item.component, [0, 0])
            entry[0] += item.quantity
            entry[1] += cents(item.total_value_usd)
        for component, (quantity, value) in sorted(quantities.items()):
            tx.insert(
                license_items,
                license_id=license_id,
                component=component,
                quantity=quantity,
                value_cents=value,
                shipped_quantity=0,
                shipped_value_cents=0,
            )
        view = self.license_view(tx, self.license_row(tx, license_id))
        self.keep_revision(tx, license_id, 1, view)
        tx.record(who.actor(), "license.create", "license", license_id, None, _license_audit(view))
        return license_id

    def record_rmf_assessment(
        self, who: Principal, license_id: str, body: object
    ) -> dict[str, Any]:
        """The licensee's NIST AI RMF assessment of its deployer: scored, and its gaps
        against the package's committed subcategories kept as the dated remediation items
        of the license's GOV-RMF condition (the newest assessment's are the items in force)."""
        from aiexports.services.rmf import assessment_of, report  # noqa: PLC0415

        document = dict(body) if isinstance(body, Mapping) else body
        with self.store.transaction(self.clock()) as tx:
            row = self.visible_license(tx, who, license_id, "license.assess", lock=True)
            application = self._application_row(tx, row.application_id)
            package_id = application.document.get("package")
            if isinstance(document, dict):
                given = document.get("package")
                if given is not None and given != package_id:
                    raise InputError(
                        Issue(f"the license's package is {package_id!r}", field="package")
                    )
                document["package"] = package_id
            assessment = assessment_of(self.runtime, document)
            governed = tx.one(
                select(license_conditions.c.condition_id).where(
                    license_conditions.c.license_id == license_id,
                    license_conditions.c.condition_id == "GOV-RMF",
                )
            )
            if governed is None:
                raise ConflictError("the license carries no GOV-RMF condition to assess against")
            found = report(self.runtime, assessment).contract()
            assessment_id = new_id("rmf")
            tx.insert(
                rmf_assessments,
                id=assessment_id,
                license_id=license_id,
                assessment=assessment.model_dump(mode="json", exclude_none=True),
                report=found,
                recorded_by=who.user_id,
                recorded_at=tx.now,
            )
            tx.record(
                who.actor(),
                "license.rmf_assessment",
                "license",
                license_id,
                None,
                {"assessment": assessment_id, "gaps": [g["subcategory"] for g in found["gaps"]]},
            )
        return {"id": assessment_id, "license": license_id, **found}

    def rmf_remediation(self, who: Principal, license_id: str) -> dict[str, Any]:
        """The GOV-RMF condition's remediation items in force (the newest assessment's
        gaps) and every assessment recorded."""
        with self.store.reading() as tx:
            self.visible_license(tx, who, license_id, "license.read")
            rows = tx.all(
                select(rmf_assessments)
                .where(rmf_assessments.c.license_id == license_id)
                .order_by(rmf_assessments.c.recorded_at, rmf_assessments.c.id)
            )
        newest = rows[-1] if rows else None
        return {
            "license": license_id,
            "condition": "GOV-RMF",
            "remediation": newest.report["gaps"] if newest is not None else [],
            "assessments": [
                {
                    "id": r.id,
                    "date": r.report["date"],
                    "recorded_at": rfc3339(as_utc(r.recorded_at)),
                    "gaps": len(r.report["gaps"]),
                }
                for r in rows
            ],
        }

    def list_licenses(
        self, who: Principal, state: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page:
        scope = require(who, "license.read")
        c = licenses.c
        statement = select(licenses).order_by(c.seq.desc()).limit(limit + 1)
        statement = statement.where(scope_filter(who, scope, c, applications_only=False))
        after = decode_cursor(cursor)
        if after is not None:
            statement = statement.where(c.seq < after)
        today = self.clock().date()
        # The state as shown: an active license past its last day is expired.
        if state == str(LicenseState.EXPIRED):
            statement = statement.where(
                or_(
                    c.state == state,
                    and_(c.state == str(LicenseState.ACTIVE), c.valid_until < today),
                )
            )
        elif state == str(LicenseState.ACTIVE):
            statement = statement.where(and_(c.state == state, c.valid_until >= today))
        elif state is not None:
            statement = statement.where(c.state == state)
        with self.store.reading() as tx:
            rows = list(tx.all(statement))
            views = [self.license_view(tx, row, today) for row in rows[:limit]]
        more = len(rows) > limit
        return Page(views, encode_cursor(rows[limit - 1].seq) if more else None)

    def get_license(self, who: Principal, license_id: str) -> dict[str, Any]:
        with self.store.reading() as tx:
            row = self.visible_license(tx, who, license_id, "license.read")
            return self.license_view(tx, row, self.clock().date())

    def acknowledge(self, who: Principal, license_id: str, body: object) -> dict[str, Any]:
        """The licensee acknowledges binding conditions (15 CFR 750.7(d))."""
        with self.store.transaction(self.clock()) as tx:
            row = self.visible_license(tx, who, license_id, "license.acknowledge", lock=True)
            wanted = string_list(body, "conditions")
            license_move(LicenseState(row.state), "acknowledge")
            known = {
                r.condition_id: r
                for r in tx.all(
                    select(license_conditions).where(license_conditions.c.license_id == license_id)
                )
            }
            unknown = [c for c in wanted if c not in known]
            if unknown:
                raise InputError(
                    Issue(f"the license has no condition {c!r}", field="conditions")
                    for c in unknown
                )
            fresh = [c for c in wanted if known[c].acknowledged_at is None]
            for condition_id in fresh:
                tx.connection.execute(
                    license_conditions.update()
                    .where(
                        and_(
                            license_conditions.c.license_id == license_id,
                            license_conditions.c.condition_id == condition_id,
                            license_conditions.c.acknowledged_at.is_(None),
                        )
                    )
                    .values(acknowledged_at=tx.now, acknowledged_by=who.user_id)
                )
            if fresh:  # acknowledging again changes nothing and records nothing
                tx.update_at_version(licenses, license_id, row.version, updated_at=tx.now)
                tx.record(
                    who.actor(),
                    "license.acknowledge",
                    "license",
                    license_id,
                    None,
                    {"conditions": fresh, "by": who.user_id},
                )
        return self._committed_license(license_id)

    def ship(self, who: Principal, license_id: str, body: object) -> dict[str, Any]:
        """Record a shipment: every item depleted within the license, or nothing."""
        with self.store.transaction(self.clock()) as tx:
            row = self.visible_license(tx, who, license_id, "license.ship", lock=True)
            shipment = parse_shipment(body)
            state = _effective_state(row, shipment.date)
            if state is not LicenseState.ACTIVE:
                raise ConflictError(f"the license is {state} on {shipment.date}")
            if shipment.date < row.valid_from:
                raise ConflictError(f"the license is valid only from {row.valid_from}")
            pending = tx.all(
                select(license_conditions.c.condition_id).where(
                    and_(
                        license_conditions.c.license_id == license_id,
                        license_conditions.c.acknowledged_at.is_(None),
                    )
                )
            )
            if pending:
                ids = ", ".join(r.condition_id for r in pending)
                raise ConflictError(f"binding conditions are not acknowledged: {ids}")
            totals: dict[str, list[int]] = {}
            for component, quantity, value in shipment.items:
                entry = totals.setdefault(component, [0, 0])
                entry[0] += quantity
                entry[1] += value
            for component, (quantity, value) in sorted(totals.items()):  # one lock order
                if not tx.deplete(license_id, component, quantity, value):
                    item = tx.one(
                        select(license_items).where(
                            and_(
                                license_items.c.license_id == license_id,
                                license_items.c.component == component,
                            )
                        )
                    )
                    if item is None:
                        raise ConflictError(f"the license does not cover {component!r}")
                    raise ConflictError(
                        f"{component}: {quantity} units (${dollars(value):,.2f}) would exceed "
                        f"what remains ({item.quantity - item.shipped_quantity} units, "
                        f"${dollars(item.value_cents - item.shipped_value_cents):,.2f})"
                    )
            shipment_id = new_id("shp")
            items = [
                {"component": c, "quantity": q, "value_usd": dollars(v)}
                for c, q, v in shipment.items
            ]
            tx.insert(
                shipments,
                id=shipment_id,
                license_id=license_id,
                date=shipment.date,
                consignee=shipment.consignee,
                items=items,
                created_by=who.user_id,
                created_at=tx.now,
            )
            recorded = {
                "id": shipment_id,
                "license": license_id,
                "date": shipment.date.isoformat(),
                "consignee": shipment.consignee,
                "items": items,
            }
            tx.update_at_version(licenses, license_id, row.version, updated_at=tx.now)
            tx.record(who.actor(), "license.ship", "shipment", shipment_id, None, recorded)
            return recorded

    def change_license(
        self, who: Principal, license_id: str, action: str, body: object, if_match: str | None
    ) -> dict[str, Any]:
        """Suspend, reinstate, revoke or amend (a new version; the old is kept)."""
        with self.store.transaction(self.clock()) as tx:
            row = self.visible_license(tx, who, license_id, f"license.{action}", lock=True)
            version = require_version(if_match, row.version)
            fields = body if isinstance(body, Mapping) else {}
            problems: list[Issue] = []
            reason = clean_text(fields.get("reason"), "reason", problems, 4000)
            if problems:
                raise InputError(problems)
            at_version(row, version)
            current = _effective_state(row, tx.now.date())
            to = license_move(current, action)
            before = self.license_view(tx, row, tx.now.date())
            changes: dict[str, object] = {"state": str(to)}
            if action == "amend":
                changes.update(self._amend(tx, license_id, fields, row))
            if not tx.update_at_version(
                licenses, license_id, version, updated_at=tx.now, **changes
            ):
                raise StaleVersionError(self._current_version(tx, licenses, license_id))
            after = self.license_view(tx, self.license_row(tx, license_id), tx.now.date())
            self.keep_revision(tx, license_id, version + 1, after)
            tx.record(
                who.actor(),
                f"license.{action}",
                "license",
                license_id,
                _license_audit(before),
                {**_license_audit(after), "reason": reason},
            )
            return after

    def _amend(
        self, tx: Transaction, license_id: str, fields: Mapping[str, Any], row: Any
    ) -> dict[str, object]:
        issues: list[Issue] = []
        unknown = set(fields) - {"reason", "valid_until", "items", "conditions"}
        issues.extend(Issue("unknown field", field=name[:60]) for name in sorted(unknown))
        changes: dict[str, object] = {}
        if "valid_until" in fields:
            bad_date: list[Issue] = []
            until = iso_date(fields["valid_until"], "valid_until", bad_date)
            if until is None:
                raise InputError(bad_date)
            if until < row.valid_from:
                raise InputError(Issue("before the license's first day", field="valid_until"))
            changes["valid_until"] = until
        raw_items = fields.get("items") or []
        if not isinstance(raw_items, list):
            issues.append(Issue("a list of items", field="items"))
            raw_items = []
        items = item_amounts(raw_items, issues)
        new_conditions = entries(fields.get("conditions"), ("id", "text"), "conditions", issues)
        if issues:
            raise InputError(issues)
        for component, quantity, value_cents in items:
            found = tx.one(
                select(license_items).where(
                    and_(
                        license_items.c.license_id == license_id,
                        license_items.c.component == component,
                    )
                )
            )
            if found is None:
                # The engine decided the application's items: a new one needs a new
                # application, not an amendment.
                raise InputError(Issue(f"the license has no item {component!r}", field="items"))
            if quantity < found.shipped_quantity or value_cents < found.shipped_value_cents:
                raise ConflictError(
                    f"{component}: {found.shipped_quantity} units were shipped already"
                )
            tx.connection.execute(
                license_items.update()
                .where(
                    and_(
                        license_items.c.license_id == license_id,
                        license_items.c.component == component,
                    )
                )
                .values(quantity=quantity, value_cents=value_cents)
            )
        for condition in new_conditions:
            existing = tx.one(
                select(license_conditions).where(
                    and_(
                        license_conditions.c.license_id == license_id,
                        license_conditions.c.condition_id == condition["id"],
                    )
                )
            )
            if existing is not None:
                raise InputError(
                    Issue(
                        f"the license has a condition {condition['id']} already; "
                        "conditions are added, never rewritten",
                        field="conditions",
                    )
                )
            tx.insert(
                license_conditions,
                license_id=license_id,
                condition_id=condition["id"],
                text=condition["text"],
                source="amendment",
            )
        return changes

    # --- reading -------------------------------------------------------------------------

    def _committed_application(self, app_id: str, who: Principal) -> dict[str, Any]:
        """The application as committed: the view is read after the change's transaction,
        so that its locks (the audit chain's head among them) are held no longer than the
        change itself."""
        with self.store.reading() as tx:
            return shown_to(who, self._application_view(tx, self._application_row(tx, app_id)))

    def _committed_license(self, license_id: str) -> dict[str, Any]:
        with self.store.reading() as tx:
            return self.license_view(tx, self.license_row(tx, license_id), self.clock().date())

    def _application_row(self, tx: Transaction, app_id: str, lock: bool = False) -> Any:
        """The row of ``app_id``; ``lock`` holds it until the transaction ends, so that
        concurrent changes to one application queue instead of racing."""
        if not well_formed_id(app_id):
            raise UnknownResourceError(f"no application {app_id[:60]!r}")
        statement = _APPLICATION_BY_ID_LOCKED if lock else _APPLICATION_BY_ID
        row = tx.one(statement, {"row_id": app_id})
        if row is None:
            raise UnknownResourceError(f"no application {app_id!r}")
        return row

    def visible_application(
        self, tx: Transaction, who: Principal, app_id: str, action: str, lock: bool = False
    ) -> Any:
        require(who, "application.read")  # a role that reads none learns nothing of this id
        row = self._application_row(tx, app_id, lock)
        check(who, action, _resource(row), "application")
        return row

    def license_row(self, tx: Transaction, license_id: str, lock: bool = False) -> Any:
        if not well_formed_id(license_id):
            raise UnknownResourceError(f"no license {license_id[:60]!r}")
        statement = select(licenses).where(licenses.c.id == license_id)
        row = tx.one(statement.with_for_update() if lock else statement)
        if row is None:
            raise UnknownResourceError(f"no license {license_id!r}")
        return row

    def visible_license(
        self, tx: Transaction, who: Principal, license_id: str, action: str, lock: bool = False
    ) -> Any:
        require(who, "license.read")  # a role that reads none learns nothing of this id
        row = self.license_row(tx, license_id, lock)
        check(who, action, _resource(row), "license")
        return row

    def _change(self, tx: Transaction, row: Any, version: int, **values: object) -> None:
        if not tx.update_at_version(applications, row.id, version, updated_at=tx.now, **values):
            raise StaleVersionError(self._current_version(tx, applications, row.id))

    def _current_version(self, tx: Transaction, table: Any, row_id: str) -> int:
        found = tx.one(select(table.c.version).where(table.c.id == row_id))
        return int(found.version) if found is not None else -1

    def latest_determination(self, tx: Transaction, app_id: str) -> Any:
        return tx.one(
            select(determinations)
            .where(determinations.c.application_id == app_id)
            .order_by(determinations.c.round.desc())
            .limit(1)
        )

    def _application_summary(self, row: Any) -> dict[str, Any]:
        return {
            "id": row.id,
            "organization": row.organization_id,
            "state": row.state,
            "version": row.version,
            "reference": row.document.get("reference"),
            "package": row.document.get("package"),
            "destination": row.destination,
            "assigned_to": row.assigned_to,
            "created_at": rfc3339(as_utc(row.created_at)),
            "updated_at": rfc3339(as_utc(row.updated_at)),
            "submitted_at": rfc3339(as_utc(row.submitted_at)) if row.submitted_at else None,
        }

    def _determinations_of(self, tx: Transaction, app_id: str) -> Sequence[Any]:
        return tx.all(_DETERMINATIONS_OF, {"app_id": app_id})

    def _application_view(self, tx: Transaction, row: Any) -> dict[str, Any]:
        granted = tx.one(_LICENSE_OF, {"app_id": row.id})
        return self._application_shape(
            row,
            self._determinations_of(tx, row.id),
            granted.id if granted is not None else None,
            history_of(tx, "application", row.id),
        )

    def _application_shape(
        self,
        row: Any,
        found: Sequence[Any],
        license_id: str | None,
        history: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """The application's view from its row, its determinations (by round), its
        license and its history."""
        return {
            **self._application_summary(row),
            "round": row.round,
            "application": row.document,
            "decision": row.decision,
            "license": license_id,
            "determinations": [
                {
                    "round": d.round,
                    "decision_id": d.decision_id,
                    "outcome": d.outcome,
                    "decided_at": rfc3339(as_utc(d.created_at)),
                    "determination": d.determination,
                }
                for d in found
            ],
            "history": history,
        }

    def license_view(
        self, tx: Transaction, row: Any, today: dt.date | None = None
    ) -> dict[str, Any]:
        items = tx.all(
            select(license_items)
            .where(license_items.c.license_id == row.id)
            .order_by(license_items.c.component)
        )
        conditions = tx.all(
            select(license_conditions)
            .where(license_conditions.c.license_id == row.id)
            .order_by(license_conditions.c.condition_id)
        )
        state = _effective_state(row, today) if today is not None else LicenseState(row.state)
        return {
            "id": row.id,
            "application": row.application_id,
            "licensee": row.organization_id,
            "destination": row.destination,
            "state": str(state),
            "version": row.version,
            "valid_from": row.valid_from.isoformat(),
            "valid_until": row.valid_until.isoformat(),
            "conditions": [
                {
                    "id": c.condition_id,
                    "text": c.text,
                    "binding": True,
                    "source": c.source,
                    "acknowledged_at": rfc3339(as_utc(c.acknowledged_at))
                    if c.acknowledged_at
                    else None,
                    "acknowledged_by": c.acknowledged_by,
                }
                for c in conditions
            ],
            "riders": row.riders,
            "monitoring": row.monitoring,
            "items": [
                {
                    "component": i.component,
                    "quantity": i.quantity,
                    "value_usd": dollars(i.value_cents),
                    "shipped_quantity": i.shipped_quantity,
                    "shipped_value_usd": dollars(i.shipped_value_cents),
                }
                for i in items
            ],
            "created_at": rfc3339(as_utc(row.created_at)),
            "updated_at": rfc3339(as_utc(row.updated_at)),
        }

    def keep_revision(
        self, tx: Transaction, license_id: str, version: int, view: Mapping[str, Any]
    ) -> None:
        tx.insert(
            license_revisions,
            license_id=license_id,
            version=version,
            snapshot=dict(view),
            recorded_at=tx.now,
        )

    def license_revisions(self, who: Principal, license_id: str) -> list[dict[str, Any]]:
        with self.store.reading() as tx:
            self.visible_license(tx, who, license_id, "license.read")
            rows = tx.all(
                select(license_revisions)
                .where(license_revisions.c.license_id == license_id)
                .order_by(license_revisions.c.version)
            )
            return [dict(r.snapshot) for r in rows]

    def organization_of(self, org_id: str) -> str | None:
        with self.store.reading() as tx:
            row = tx.one(select(organizations.c.slug).where(organizations.c.id == org_id))
        return row.slug if row is not None else None


# --- parsing bodies -------------------------------------------------------------------------


def _complete(document: ApplicationDocument, today: dt.date) -> dict[str, Any]:
    issues = []
    if not document.parties:
        issues.append(Issue("a submitted application names its parties", field="parties"))
    if not document.end_uses:
        issues.append(Issue("a submitted application names its end uses", field="end_uses"))
    if not document.items:
        issues.append(Issue("a submitted application lists its items", field="items"))
    if issues:
        raise InputError(issues)
    return deal_of(document, today)


def at_version(row: Any, version: int) -> None:
    """A stale version (412) when ``row`` is no longer at ``version``."""
    if row.version != version:
        raise StaleVersionError(int(row.version))


def _effective_state(row: Any, day: dt.date | None) -> LicenseState:
    """An active license past its last day is expired."""
    state = LicenseState(row.state)
    if state is LicenseState.ACTIVE and day is not None and day > row.valid_until:
        return LicenseState.EXPIRED
    return state


def _resource(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "organization_id": row.organization_id,
        "destination": row.destination,
        "submitted_at": getattr(row, "submitted_at", True),
    }


def scope_filter(who: Principal, scope: Scope, c: Any, applications_only: bool = True) -> Any:
    """The database form of :func:`aiexports.services.access.in_scope`."""
    submitted = c.submitted_at.is_not(None) if applications_only else true()
    if scope is Scope.ALL:
        return true()
    if scope is Scope.OWN:
        return c.organization_id == who.organization_id
    if scope is Scope.NOT_OTHERS_DRAFTS:
        return or_(c.organization_id == who.organization_id, submitted)
    if scope is Scope.SUBMITTED:
        return submitted
    return and_(submitted, c.destination == (who.country or ""))


def _audited(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (rfc3339(v) if isinstance(v, dt.datetime) else v) for k, v in values.items()}


def _license_audit(view: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: view[k] for k in ("state", "version", "valid_from", "valid_until", "items", "conditions")
    }


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _history_item(seq: int, at: str, actor: object, action: str, after: object) -> dict[str, Any]:
    """One step of a resource's history, from its audit entry."""
    return {
        "seq": int(seq),
        "at": at,
        "actor": actor,
        "action": action,
        "state": after.get("state") if isinstance(after, dict) else None,
    }


def chained_history(tx: Transaction, object_type: str, object_id: str) -> list[dict[str, Any]]:
    """The steps of a resource's history that ``tx`` appended to the chain (after it
    committed), without reading them back."""
    return [
        _history_item(e["seq"], e["at"], e["actor"], e["action"], e["after"])
        for e in tx.chained
        if e["object"] == {"type": object_type, "id": object_id}
    ]


def history_of(tx: Transaction, object_type: str, object_id: str) -> list[dict[str, Any]]:
    """A resource's history, from its audit entries."""
    rows = tx.all(_HISTORY_OF, {"object_type": object_type, "object_id": object_id})
    return [_history_item(r.seq, r.at, r.actor, r.action, r.after) for r in rows]


# The views' statements, built once (see ``service_store``: building costs more than running).
_HISTORY_OF = (
    select(
        audit_log.c.seq,
        audit_log.c.at,
        audit_log.c.actor,
        audit_log.c.action,
        audit_log.c.after,
    )
    .where(
        and_(
            audit_log.c.object_type == bindparam("object_type"),
            audit_log.c.object_id == bindparam("object_id"),
        )
    )
    .order_by(audit_log.c.seq)
)
_DETERMINATIONS_OF = (
    select(determinations)
    .where(determinations.c.application_id == bindparam("app_id"))
    .order_by(determinations.c.round)
)
_LICENSE_OF = select(licenses.c.id).where(licenses.c.application_id == bindparam("app_id"))
_APPLICATION_BY_ID = select(applications).where(applications.c.id == bindparam("row_id"))
_APPLICATION_BY_ID_LOCKED = _APPLICATION_BY_ID.with_for_update()

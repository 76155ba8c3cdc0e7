"""Package proposals, the versioned menu and the proposal rubric: the use cases of the
program office and of the consortia that propose packages.

A consortium drafts a proposal (a package document), submits it (the proposal rules run
and their findings are kept), the program office takes it under evaluation, scores it
against the published rubric, and designates, rejects or returns it with reasons. A
designation appends the package to the menu's record; suspensions, reinstatements and
retirements do too, so that the menu as it stood on any date is rebuilt exactly."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap
from sqlalchemy import func, select

from aiexports.core.catalog import Menu, Package, build_menu, review_proposal
from aiexports.core.proposals import (
    DECISIONS,
    MenuEntry,
    MenuStatus,
    ProposalState,
    menu_as_of,
    menu_diff,
    menu_move,
    proposal_move,
)
from aiexports.core.records import validation_context
from aiexports.core.rubric import Rubric, scorecard
from aiexports.errors import ConflictError, InputError, Issue, UnknownResourceError
from aiexports.services.access import Principal, check, require
from aiexports.services.licensing import at_version
from aiexports.services.menu_record import current_entry, entry_of
from aiexports.services.request_fields import (
    Page,
    clean_text,
    decode_cursor,
    encode_cursor,
    merge_patch,
    require_version,
    well_formed_id,
)
from aiexports.sources.documents import issues_from, read_document
from aiexports.sources.reference import bundled_rubric
from aiexports.storage.service_store import (
    SYSTEM_ACTOR,
    ServiceStore,
    Transaction,
    as_utc,
    new_id,
    rfc3339,
)
from aiexports.storage.tables import (
    audit_head,
    menu_entries,
    proposal_scores,
    proposals,
    rubrics,
)

if TYPE_CHECKING:
    from aiexports.runtime import Runtime

MAX_REASON = 4000
MENU_RECHECK_SECONDS = 1.0
"""How long the engine's menu, once read, is taken as current (a designation is decided
with within that time)."""
SERVER_SET = ("status_date",)
"""Package fields the program office sets on designation, never the proposer."""


def read_input(runtime: Runtime, path: Path) -> Any:
    """A YAML or JSON document given on the command line (a proposal, scores, a rubric),
    with its lines kept so that errors name them."""
    return read_document(path, limits=runtime.limits).data


class Program:
    """The program office's and the proposers' use cases over one store."""

    def __init__(
        self,
        store: ServiceStore,
        runtime: Runtime,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.store = store
        self.runtime = runtime
        self.clock = clock or runtime.clock
        self._packages: dict[int, Package] = {}
        """Menu record entries are immutable: each one's package is validated once."""
        self._seeded = False
        self._engine: tuple[float, int | None, Menu] | None = None
        self.menu_recheck_seconds = MENU_RECHECK_SECONDS

    def ensure_seeded(self) -> None:
        """Seed once per process; a service started while its database is down seeds on
        the first request that needs the menu or the rubric."""
        if not self._seeded:
            self.seed()
            self._seeded = True

    def package_of(self, entry: MenuEntry) -> Package:
        found = self._packages.get(entry.seq)
        if found is None:
            found = Package.model_validate(
                entry.package, context=validation_context(self.runtime.countries)
            )
            self._packages[entry.seq] = found
        return found

    def engine_menu(self) -> Menu:
        """The menu the engine decides with: the bundled packages, each replaced by its
        newest version in the menu's record (packages designated through the service
        included). While the record holds only the bundled menu, the bundled menu itself,
        so that the service and the command line give the same decision ids. Read again
        at most once a second."""
        moment = time.monotonic()
        checked = self._engine
        if checked is not None and moment - checked[0] < self.menu_recheck_seconds:
            return checked[2]
        bundled = self.runtime.reference.menu
        with self.store.reading() as tx:
            last = tx.one(
                select(func.max(menu_entries.c.seq)).where(
                    menu_entries.c.recorded_by != SYSTEM_ACTOR["user"]
                )
            )
        seq = int(last[0]) if last is not None and last[0] is not None else None
        if checked is not None and checked[1] == seq:
            menu = checked[2]
        elif seq is None:
            menu = bundled
        else:
            try:
                menu = self._menu_through(self._entries(), seq)
            except InputError:
                # Never every decision refused for one bad record entry: the last menu
                # that could be built (designation refuses what would break it).
                menu = checked[2] if checked is not None else bundled
        self._engine = (moment, seq, menu)
        return menu

    def engine_menu_at(self, version: str) -> Menu | None:
        """The menu the engine decided with when it was ``version``: the bundled menu, or
        the bundled overlaid with the record's entries up to ``menu@N``. None for a
        version this release cannot rebuild (another bundled menu)."""
        bundled = self.runtime.reference.menu
        if version == bundled.version:
            return bundled
        base, _, seq = version.partition("+menu@")
        if base != bundled.version or not seq.isdigit():
            return None
        try:
            return self._menu_through(self._entries(), int(seq))
        except InputError:
            return None

    def _menu_through(self, entries: list[MenuEntry], seq: int) -> Menu:
        """The bundled packages, each replaced by its newest entry up to ``seq``."""
        bundled = self.runtime.reference.menu
        newest: dict[str, Package] = dict(bundled.packages)
        for entry in entries:
            if entry.seq <= seq:
                newest[entry.package_id] = self.package_of(entry)
        return build_menu(newest.values(), f"{bundled.version}+menu@{seq}")

    # --- seeding -------------------------------------------------------------------------

    def seed(self) -> bool:
        """On a new database: the bundled menu's designated packages as the menu's first
        entries (effective on their own status dates), and the bundled rubric as version 1.
        True when anything was written."""
        wrote = False
        with self.store.transaction(self.clock()) as tx:
            # Server processes starting together seed once: the chain's head is locked
            # before looking (SQLite writers are serialised already).
            tx.one(select(audit_head.c.seq).with_for_update())
            if tx.one(select(menu_entries.c.seq).limit(1)) is None:
                menu = self.runtime.reference.menu
                for package in sorted(menu.packages.values(), key=_by_status_date):
                    status = str(package.status)
                    if status not in {s.value for s in MenuStatus}:
                        continue  # proposed or rejected packages were never on the menu
                    document = package.model_dump(mode="json", exclude_none=True)
                    self._append(
                        tx,
                        SYSTEM_ACTOR,
                        document,
                        MenuStatus(status),
                        package.status_date or tx.now.date(),
                        f"bundled menu {menu.version}",
                        None,
                        action="seed",
                    )
                wrote = True
            if tx.one(select(rubrics.c.seq).limit(1)) is None:
                rubric = bundled_rubric()
                self._publish(tx, SYSTEM_ACTOR, rubric)
                wrote = True
        return wrote

    # --- proposals -----------------------------------------------------------------------

    def create_proposal(
        self, who: Principal, body: object, source: str | None = None
    ) -> dict[str, Any]:
        """A draft; ``source`` names the file ``body`` was read from (errors are located
        in it by line when ``body`` carries its lines)."""
        self.ensure_seeded()
        require(who, "proposal.create")
        package = self._package(body, source)
        proposal_id = new_id("prop")
        with self.store.transaction(self.clock()) as tx:
            self._package_id_free(tx, who.organization_id, package.id)
            values = {
                "id": proposal_id,
                "organization_id": who.organization_id,
                "package_id": package.id,
                "state": str(ProposalState.DRAFT),
                "version": 1,
                "round": 0,
                "document": package.model_dump(mode="json", exclude_none=True),
                "findings": self._findings(package),
                "created_by": who.user_id,
                "created_at": tx.now,
                "updated_at": tx.now,
            }
            tx.insert(proposals, **values)
            tx.record(
                who.actor(),
                "proposal.create",
                "proposal",
                proposal_id,
                None,
                {"package": package.id, "state": values["state"]},
            )
        return self._committed(proposal_id)

    def list_proposals(
        self, who: Principal, state: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page:
        from aiexports.services.licensing import scope_filter  # noqa: PLC0415

        scope = require(who, "proposal.read")
        c = proposals.c
        statement = (
            select(proposals)
            .where(scope_filter(who, scope, c))
            .order_by(c.seq.desc())
            .limit(limit + 1)
        )
        if state is not None:
            statement = statement.where(c.state == state)
        after = decode_cursor(cursor)
        if after is not None:
            statement = statement.where(c.seq < after)
        with self.store.reading() as tx:
            rows = list(tx.all(statement))
        page = rows[:limit]
        more = len(rows) > limit
        return Page(
            [_summary(row) for row in page], encode_cursor(page[-1].seq) if more and page else None
        )

    def get_proposal(self, who: Principal, proposal_id: str) -> dict[str, Any]:
        with self.store.reading() as tx:
            row = self._visible(tx, who, proposal_id, "proposal.read")
            return self._view(tx, row)

    def edit_proposal(
        self, who: Principal, proposal_id: str, patch: object, if_match: str | None
    ) -> dict[str, Any]:
        """JSON merge patch of the package document of a draft or returned proposal."""
        with self.store.transaction(self.clock()) as tx:
            row = self._visible(tx, who, proposal_id, "proposal.edit", lock=True)
            version = require_version(if_match, row.version)
            at_version(row, version)
            proposal_move(ProposalState(row.state), "edit")
            if not isinstance(patch, Mapping):
                raise InputError(Issue("a merge patch is a JSON object", field="body"))
            package = self._package(merge_patch(row.document, patch))
            if package.id != row.package_id:
                raise InputError(Issue("a proposal's package id does not change", field="id"))
            document = package.model_dump(mode="json", exclude_none=True)
            self._change(tx, row, version, document=document, findings=self._findings(package))
            tx.record(who.actor(), "proposal.edit", "proposal", proposal_id, row.document, document)
        return self._committed(proposal_id)

    def submit_proposal(
        self, who: Principal, proposal_id: str, if_match: str | None
    ) -> dict[str, Any]:
        """→ submitted, with the proposal rules' findings as they stand now. A proposal
        with errors may be submitted (the program office sees why it cannot be designated
        as it is); it cannot be designated until they are resolved."""
        self.ensure_seeded()
        with self.store.transaction(self.clock()) as tx:
            row = self._visible(tx, who, proposal_id, "proposal.submit", lock=True)
            version = require_version(if_match, row.version)
            at_version(row, version)
            to = proposal_move(ProposalState(row.state), "submit")
            self._package_id_free(tx, who.organization_id, row.package_id)
            findings = self._findings(self._package(row.document))
            round_ = row.round + 1
            self._change(
                tx,
                row,
                version,
                state=str(to),
                round=round_,
                findings=findings,
                submitted_at=tx.now,
            )
            tx.record(
                who.actor(),
                "proposal.submit",
                "proposal",
                proposal_id,
                {"state": row.state},
                {"state": str(to), "round": round_, "findings": findings},
            )
        return self._committed(proposal_id)

    def withdraw_proposal(
        self, who: Principal, proposal_id: str, if_match: str | None
    ) -> dict[str, Any]:
        return self._move(who, proposal_id, "withdraw", "proposal.withdraw", if_match)

    def evaluate(self, who: Principal, proposal_id: str, if_match: str | None) -> dict[str, Any]:
        """The program office takes a submitted proposal under evaluation."""
        return self._move(who, proposal_id, "evaluate", "proposal.evaluate", if_match)

    def score(self, who: Principal, proposal_id: str, body: object) -> dict[str, Any]:
        """An evaluator's scorecard against the rubric in force (its version is kept with
        the score); a later scorecard of the same evaluator in the same round supersedes
        the earlier one, which is kept."""
        self.ensure_seeded()
        fields = _body(body, SCORE_FIELDS)
        with self.store.transaction(self.clock()) as tx:
            row = self._visible(tx, who, proposal_id, "proposal.score", lock=True)
            proposal_move(ProposalState(row.state), "score")
            rubric = self._rubric(tx, _optional_version(fields))
            card = scorecard(rubric, fields.get("scores"))
            score_id = new_id("score")
            tx.insert(
                proposal_scores,
                id=score_id,
                proposal_id=proposal_id,
                round=row.round,
                rubric_id=rubric.id,
                rubric_version=rubric.version,
                evaluator=who.user_id,
                scorecard=card,
                created_at=tx.now,
            )
            # The proposal's version steps: its view (scores, total) changed.
            self._change(tx, row, row.version)
            recorded = {
                "id": score_id,
                "round": row.round,
                "evaluator": who.user_id,
                "evaluator_name": f"{who.organization}/{who.user}",
                "scored_at": rfc3339(tx.now),
                **card,
            }
            tx.record(who.actor(), "proposal.score", "proposal", proposal_id, None, recorded)
        return recorded

    def decide_proposal(
        self, who: Principal, proposal_id: str, body: object, if_match: str | None
    ) -> dict[str, Any]:
        """Designate (the package goes on the menu), reject or return, with a reason.
        A designation needs every error-level finding resolved and a justification for
        each warning (e.g. U.S. content below the presumption)."""
        self.ensure_seeded()
        with self.store.transaction(self.clock()) as tx:
            row = self._visible(tx, who, proposal_id, "proposal.decide", lock=True)
            version = require_version(if_match, row.version)
            decision, reason, justifications = _decision(body)
            at_version(row, version)
            to = proposal_move(ProposalState(row.state), decision)
            recorded: dict[str, Any] = {
                "decision": decision,
                "reason": reason,
                "decided_by": who.user_id,
                "decided_by_name": f"{who.organization}/{who.user}",
                "decided_at": rfc3339(tx.now),
            }
            findings = row.findings
            if decision == "designate":
                if not self._scored(tx, row):
                    raise ConflictError(
                        "the proposal has no scorecard in this round: an evaluator scores it "
                        "against the published rubric before it can be designated"
                    )
                package = self._package(row.document)
                findings = self._findings(package)
                recorded["justifications"] = self._justified(findings, justifications)
                recorded["menu_entry"] = self._designate(tx, who, row, package, reason)
            self._change(tx, row, version, state=str(to), decision=recorded, findings=findings)
            tx.record(
                who.actor(),
                f"proposal.{decision}",
                "proposal",
                proposal_id,
                {"state": row.state},
                {"state": str(to), **recorded},
            )
        return self._committed(proposal_id)

    # --- the menu ------------------------------------------------------------------------

    def menu(self, who: Principal, as_of: dt.date | None = None) -> dict[str, Any]:
        self.ensure_seeded()
        require(who, "catalog.read")
        day = as_of or self.clock().date()
        entries = self._entries()
        on_menu = menu_as_of(entries, day)
        return {
            "as_of": day.isoformat(),
            "version": _version_label(entries, day),
            "items": [_menu_item(e, self.package_of(e)) for e in on_menu.values()],
        }

    def menu_on(self, day: dt.date) -> tuple[str, list[Package]]:
        """The menu's version and its designated packages at the end of ``day``."""
        self.ensure_seeded()
        entries = self._entries()
        on_menu = menu_as_of(entries, day)
        return _version_label(entries, day), [
            self.package_of(e) for e in on_menu.values() if e.status is MenuStatus.DESIGNATED
        ]

    def menu_package(
        self, who: Principal, package_id: str, as_of: dt.date | None = None
    ) -> dict[str, Any]:
        self.ensure_seeded()
        require(who, "catalog.read")
        day = as_of or self.clock().date()
        found = menu_as_of(self._entries(), day).get(package_id)
        if found is None:
            raise UnknownResourceError(f"no package {package_id[:100]!r} on the menu on {day}")
        return dict(found.package)

    def menu_history(self, who: Principal, package_id: str) -> list[dict[str, Any]]:
        self.ensure_seeded()
        require(who, "catalog.read")
        found = [e for e in self._entries() if e.package_id == package_id]
        if not found:
            raise UnknownResourceError(f"no package {package_id[:100]!r} on the menu")
        return [_entry_record(e) for e in found]

    def menu_record(self, who: Principal) -> list[dict[str, Any]]:
        """Every entry of the menu's record, oldest first: each version of the menu is the
        record through one entry."""
        self.ensure_seeded()
        require(who, "catalog.read")
        return [_entry_record(e) for e in self._entries()]

    def menu_changes(self, who: Principal, start: dt.date, end: dt.date) -> dict[str, Any]:
        self.ensure_seeded()
        require(who, "catalog.read")
        if end < start:
            error = InputError(Issue("'to' is on or after 'from'", field="to"))
            error.root = "query"  # type: ignore[attr-defined]
            raise error
        entries = self._entries()
        diff = menu_diff(entries, start, end)
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "from_version": _version_label(entries, start),
            "to_version": _version_label(entries, end),
            "added": [_menu_item(e, self.package_of(e)) for e in diff.added],
            "removed": [_menu_item(e, self.package_of(e)) for e in diff.removed],
            "changed": [
                {
                    "id": c.package_id,
                    "before": _menu_item(c.before, self.package_of(c.before)),
                    "after": _menu_item(c.after, self.package_of(c.after)),
                    "fields": list(c.fields),
                }
                for c in diff.changed
            ],
        }

    def change_menu(
        self, who: Principal, package_id: str, action: str, body: object
    ) -> dict[str, Any]:
        """Suspend, reinstate or retire a package on the menu, with a reason."""
        self.ensure_seeded()
        require(who, "menu.manage")
        fields = _body(body, frozenset({"reason"}))
        issues: list[Issue] = []
        reason = clean_text(fields.get("reason"), "reason", issues, MAX_REASON)
        if issues:
            raise InputError(issues)
        assert reason is not None
        with self.store.transaction(self.clock()) as tx:
            self._lock_menu(tx)
            current = current_entry(tx, package_id)
            if current is None:
                raise UnknownResourceError(f"no package {package_id[:100]!r} on the menu")
            to = menu_move(current.status, action, package_id)
            document = {
                **current.package,
                "status": str(to),
                "status_date": tx.now.date().isoformat(),
            }
            return self._append(
                tx,
                who.actor(),
                document,
                to,
                tx.now.date(),
                reason,
                current.proposal_id,
                version=current.package_version,
                action=action,
            )

    # --- the rubric ----------------------------------------------------------------------

    def rubric(self, who: Principal, version: int | None = None) -> dict[str, Any]:
        self.ensure_seeded()
        require(who, "catalog.read")
        with self.store.reading() as tx:
            return self._rubric(tx, version).model_dump(mode="json")

    def rubric_versions(self, who: Principal) -> list[dict[str, Any]]:
        self.ensure_seeded()
        require(who, "catalog.read")
        with self.store.reading() as tx:
            rows = tx.all(select(rubrics).order_by(rubrics.c.version))
        return [
            {
                "id": r.rubric_id,
                "version": r.version,
                "published": r.document["published"],
                "published_at": rfc3339(as_utc(r.published_at)),
                "published_by": r.published_by,
            }
            for r in rows
        ]

    def publish_rubric(self, who: Principal, body: object) -> dict[str, Any]:
        """A new version of the rubric (the server numbers it and dates it today)."""
        self.ensure_seeded()
        require(who, "rubric.publish")
        if not isinstance(body, Mapping):
            raise InputError(Issue("a rubric document is a JSON object", field="body"))
        with self.store.transaction(self.clock()) as tx:
            # Publishers queue on the chain's head: each numbers its version after the
            # last one committed (the unique version is the backstop).
            self._lock_menu(tx)
            latest = tx.one(select(func.max(rubrics.c.version)))
            version = int(latest[0] or 0) + 1 if latest is not None else 1
            document = {**body, "version": version, "published": tx.now.date().isoformat()}
            try:
                rubric = Rubric.model_validate(document)
            except ValidationError as error:
                raise InputError(issues_from(error, None, document)) from None
            self._publish(tx, who.actor(), rubric)
        return rubric.model_dump(mode="json")

    # --- inside --------------------------------------------------------------------------

    def _package(self, body: object, source: str | None = None) -> Package:
        """The package document of a proposal: its status is ``proposed`` (the program
        office sets it on designation), and its version defaults to 1."""
        if not isinstance(body, Mapping):
            raise InputError(Issue("a package document is a JSON object", field="body"))
        issues = []
        if body.get("status", "proposed") != "proposed":
            issues.append(
                Issue(
                    "a proposal's status is 'proposed'; the program office sets the rest",
                    field="status",
                )
            )
        issues.extend(
            Issue("set by the program office on designation", field=name)
            for name in SERVER_SET
            if name in body
        )
        if issues:
            raise InputError(issues)
        # A document read from a file keeps its lines (so errors name them): filled in place.
        document = body if isinstance(body, CommentedMap) else dict(body)
        document.setdefault("status", "proposed")
        document.setdefault("version", 1)
        try:
            return Package.model_validate(
                document, context=validation_context(self.runtime.countries)
            )
        except ValidationError as error:
            raise InputError(issues_from(error, source, document)) from None

    def _findings(self, package: Package) -> list[dict[str, Any]]:
        run = self.runtime
        found = review_proposal(package, run.countries, run.program_terms, run.frameworks)
        return [f.model_dump(mode="json") for f in found]

    def _justified(
        self, findings: list[dict[str, Any]], given: Mapping[str, Any]
    ) -> dict[str, str]:
        errors = [f for f in findings if f["severity"] == "error"]
        if errors:
            rules = ", ".join(sorted({f["rule"] for f in errors}))
            raise ConflictError(
                f"the proposal breaks proposal rules ({rules}): it cannot be designated until "
                "they are resolved (return it to the consortium)"
            )
        issues: list[Issue] = []
        warned = sorted({f["rule"] for f in findings})
        kept: dict[str, str] = {}
        for rule in warned:
            text = clean_text(given.get(rule), f"justifications.{rule}", issues, MAX_REASON)
            if text is not None:
                kept[rule] = text
        for rule in sorted(set(map(str, given)) - set(warned)):
            issues.append(
                Issue("no finding of this rule to justify", field=f"justifications.{rule}")
            )
        if issues:
            raise InputError(issues)
        return kept

    def _designate(
        self, tx: Transaction, who: Principal, row: Any, package: Package, reason: str
    ) -> dict[str, Any]:
        self._lock_menu(tx)
        self._package_id_free(tx, row.organization_id, package.id)
        current = current_entry(tx, package.id)
        menu_move(current.status if current is not None else None, "designate", package.id)
        today = tx.now.date()
        # Component ids are unique across what the engine decides with (the bundled
        # packages and every package of the record, :meth:`engine_menu`): the engine
        # resolves a deal's items by them.
        newest: dict[str, Package] = dict(self.runtime.reference.menu.packages)
        for entry in self._entries(tx):
            newest[entry.package_id] = self.package_of(entry)
        others = [p for k, p in newest.items() if k != package.id]
        try:
            build_menu([*others, package], "check")
        except InputError as error:
            raise ConflictError("; ".join(i.message for i in error.issues)) from None
        version = current.package_version + 1 if current is not None else 1
        document = {
            **package.model_dump(mode="json", exclude_none=True),
            "status": "designated",
            "status_date": today.isoformat(),
            "version": version,
        }
        return self._append(
            tx, who.actor(), document, MenuStatus.DESIGNATED, today, reason, row.id, version
        )

    def _append(
        self,
        tx: Transaction,
        actor: Mapping[str, str],
        document: Mapping[str, Any],
        status: MenuStatus,
        effective: dt.date,
        reason: str,
        proposal_id: str | None,
        version: int | None = None,
        action: str = "designate",
    ) -> dict[str, Any]:
        package_id = str(document["id"])
        values = {
            "package_id": package_id,
            "package_version": version if version is not None else int(document["version"]),
            "status": str(status),
            "effective": effective,
            "package": dict(document),
            "reason": reason,
            "proposal_id": proposal_id,
            "recorded_by": str(actor["user"]),
            "recorded_at": tx.now,
        }
        tx.insert(menu_entries, **values)
        recorded = {
            "package": package_id,
            "package_version": values["package_version"],
            "status": str(status),
            "effective": effective.isoformat(),
            "reason": reason,
            "proposal": proposal_id,
        }
        tx.record(actor, f"menu.{action}", "package", package_id, None, recorded)
        return recorded

    def _publish(self, tx: Transaction, actor: Mapping[str, str], rubric: Rubric) -> None:
        tx.insert(
            rubrics,
            rubric_id=rubric.id,
            version=rubric.version,
            document=rubric.model_dump(mode="json"),
            published_by=str(actor["user"]),
            published_at=tx.now,
        )
        tx.record(
            actor,
            "rubric.publish",
            "rubric",
            f"{rubric.id}@{rubric.version}",
            None,
            {
                "id": rubric.id,
                "version": rubric.version,
                "criteria": [c.id for c in rubric.criteria],
            },
        )

    def _rubric(self, tx: Transaction, version: int | None) -> Rubric:
        statement = select(rubrics.c.document).order_by(rubrics.c.version.desc()).limit(1)
        if version is not None:
            statement = select(rubrics.c.document).where(rubrics.c.version == version)
        row = tx.one(statement)
        if row is None:
            raise UnknownResourceError(
                f"no rubric version {version}" if version is not None else "no rubric published"
            )
        return Rubric.model_validate(row.document)

    def _entries(self, tx: Transaction | None = None) -> list[MenuEntry]:
        statement = select(menu_entries).order_by(menu_entries.c.seq)
        if tx is not None:
            rows = tx.all(statement)
        else:
            with self.store.reading() as reading:
                rows = reading.all(statement)
        return [entry_of(r) for r in rows]

    def _lock_menu(self, tx: Transaction) -> None:
        """Changes to the menu's record are made one at a time (they are rare): each reads
        a package's newest entry and appends the next, which two writers must not both do
        from the same entry. The audit chain's head is the lock (SQLite writers queue
        anyway)."""
        tx.one(select(audit_head.c.seq).with_for_update())

    def _package_id_free(self, tx: Transaction, organization_id: str, package_id: str) -> None:
        """A package id on the menu's record belongs to whoever put it there: another
        consortium cannot propose a package under it (an update of one's own designated
        package keeps its id)."""
        wanted = _id_shape(package_id)
        bundled = next(
            (p for p in self.runtime.reference.menu.packages if _id_shape(p) == wanted), None
        )
        if bundled is not None:
            # The bundled menu's packages (proposed ones included) are their consortia's,
            # who are not accounts of this service; a look-alike id is refused too.
            raise ConflictError(
                f"package id {package_id!r} is (or reads as) {bundled!r}, a package of the "
                "bundled menu: choose another id"
            )
        recorded = tx.all(select(menu_entries.c.package_id).distinct())
        alike = [r.package_id for r in recorded if _id_shape(r.package_id) == wanted]
        if any(other != package_id for other in alike):
            raise ConflictError(
                f"package id {package_id!r} reads as {alike[0]!r}, on the menu's record "
                "already: choose another id"
            )
        rows = tx.all(
            select(menu_entries.c.proposal_id).where(menu_entries.c.package_id == package_id)
        )
        if not rows:
            return
        owners: set[str | None] = set()
        for r in rows:
            if r.proposal_id is None:
                owners.add(None)
                continue
            owner = tx.one(
                select(proposals.c.organization_id).where(proposals.c.id == r.proposal_id)
            )
            owners.add(owner.organization_id if owner is not None else None)
        if owners != {organization_id}:
            raise ConflictError(
                f"package id {package_id!r} is on the menu's record under another proposer: "
                "choose another id"
            )

    def _move(
        self, who: Principal, proposal_id: str, action: str, permission: str, if_match: str | None
    ) -> dict[str, Any]:
        with self.store.transaction(self.clock()) as tx:
            row = self._visible(tx, who, proposal_id, permission, lock=True)
            version = require_version(if_match, row.version)
            at_version(row, version)
            to = proposal_move(ProposalState(row.state), action)
            self._change(tx, row, version, state=str(to))
            tx.record(
                who.actor(),
                f"proposal.{action}",
                "proposal",
                proposal_id,
                {"state": row.state},
                {"state": str(to)},
            )
        return self._committed(proposal_id)

    def _row(self, tx: Transaction, proposal_id: str, lock: bool = False) -> Any:
        if not well_formed_id(proposal_id):
            raise UnknownResourceError(f"no proposal {proposal_id[:60]!r}")
        statement = select(proposals).where(proposals.c.id == proposal_id)
        row = tx.one(statement.with_for_update() if lock else statement)
        if row is None:
            raise UnknownResourceError(f"no proposal {proposal_id!r}")
        return row

    def _visible(
        self, tx: Transaction, who: Principal, proposal_id: str, action: str, lock: bool = False
    ) -> Any:
        require(who, "proposal.read")  # a role that reads no proposal learns of none
        row = self._row(tx, proposal_id, lock)
        resource = {
            "id": row.id,
            "organization_id": row.organization_id,
            "submitted_at": row.submitted_at,
        }
        check(who, action, resource, "proposal")
        return row

    def _change(self, tx: Transaction, row: Any, version: int, **values: object) -> None:
        from aiexports.errors import StaleVersionError  # noqa: PLC0415

        if not tx.update_at_version(proposals, row.id, version, updated_at=tx.now, **values):
            found = tx.one(select(proposals.c.version).where(proposals.c.id == row.id))
            raise StaleVersionError(int(found.version) if found is not None else -1)

    def _committed(self, proposal_id: str) -> dict[str, Any]:
        with self.store.reading() as tx:
            return self._view(tx, self._row(tx, proposal_id))

    def _scored(self, tx: Transaction, row: Any) -> bool:
        found = tx.one(
            select(proposal_scores.c.seq)
            .where(proposal_scores.c.proposal_id == row.id, proposal_scores.c.round == row.round)
            .limit(1)
        )
        return found is not None

    def _view(self, tx: Transaction, row: Any) -> dict[str, Any]:
        from aiexports.services.licensing import history_of  # noqa: PLC0415

        cards = tx.all(
            select(proposal_scores)
            .where(proposal_scores.c.proposal_id == row.id)
            .order_by(proposal_scores.c.seq)
        )
        current: dict[str, Any] = {}
        for card in cards:
            if card.round == row.round:
                current[card.evaluator] = card  # the newest of each evaluator counts
        scores = [
            {
                "id": c.id,
                "round": c.round,
                "evaluator": c.evaluator,
                "scored_at": rfc3339(as_utc(c.created_at)),
                "superseded": current.get(c.evaluator) is not c or c.round != row.round,
                **c.scorecard,
            }
            for c in cards
        ]
        counted = [s for s in scores if not s["superseded"]]
        # Totals under different rubric versions weigh criteria differently: the mean is
        # over the scorecards of the newest version used, the others shown apart.
        by_version: dict[int, list[float]] = {}
        for s in counted:
            by_version.setdefault(int(s["rubric"]["version"]), []).append(float(s["total"]))
        newest = max(by_version, default=None)
        return {
            **_summary(row),
            "round": row.round,
            "package": row.document,
            "findings": row.findings,
            "decision": row.decision,
            "scores": scores,
            "score": {
                "rubric_version": newest,
                "evaluators": len(by_version.get(newest, [])) if newest is not None else 0,
                "mean_total": _mean(by_version[newest]) if newest is not None else None,
                "other_versions": [
                    {"rubric_version": v, "evaluators": len(t), "mean_total": _mean(t)}
                    for v, t in sorted(by_version.items())
                    if v != newest
                ],
            },
            "history": history_of(tx, "proposal", row.id),
        }


def _summary(row: Any) -> dict[str, Any]:
    errors = sum(1 for f in row.findings if f.get("severity") == "error")
    return {
        "id": row.id,
        "organization": row.organization_id,
        "package_id": row.package_id,
        "title": row.document.get("title"),
        "state": row.state,
        "version": row.version,
        "errors": errors,
        "warnings": len(row.findings) - errors,
        "created_at": rfc3339(as_utc(row.created_at)),
        "updated_at": rfc3339(as_utc(row.updated_at)),
        "submitted_at": rfc3339(as_utc(row.submitted_at)) if row.submitted_at else None,
    }


def _entry_record(entry: MenuEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "package": entry.package_id,
        "package_version": entry.package_version,
        "status": str(entry.status),
        "effective": entry.effective.isoformat(),
        "reason": entry.reason,
        "proposal": entry.proposal_id,
    }


def _menu_item(entry: MenuEntry, package: Package) -> dict[str, Any]:
    from aiexports.services.catalog import package_summary  # noqa: PLC0415

    return {
        **package_summary(package),
        "target_blocs": list(package.target_blocs),
        "status": str(entry.status),
        "effective": entry.effective.isoformat(),
        "menu_seq": entry.seq,
    }


def _version_label(entries: list[MenuEntry], day: dt.date) -> str:
    """The menu's version on ``day``: the newest record entry in effect then."""
    seqs = [e.seq for e in entries if e.effective <= day]
    return f"menu@{max(seqs)}" if seqs else "menu@0"


def _by_status_date(package: Package) -> tuple[dt.date, str]:
    return package.status_date or dt.date.min, package.id


def _optional_version(fields: Mapping[str, Any]) -> int | None:
    value = fields.get("rubric_version")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10**6:
        raise InputError(Issue("a rubric version number", field="rubric_version"))
    return value


SCORE_FIELDS = frozenset({"scores", "rubric_version"})
DECISION_FIELDS = frozenset({"decision", "reason", "justifications"})


def _body(body: object, known: frozenset[str]) -> Mapping[str, Any]:
    """A request body: a JSON object of the ``known`` fields only (a misspelt field is
    refused, never ignored)."""
    if not isinstance(body, Mapping):
        raise InputError(Issue("a JSON object", field="body"))
    unknown = sorted(set(map(str, body)) - known)
    if unknown:
        raise InputError(Issue("unknown field", field=name) for name in unknown)
    return body


def _id_shape(package_id: str) -> str:
    """A package id as people read it: case, ``_`` and ``-`` make no difference."""
    return package_id.casefold().replace("_", "-")


def _mean(totals: list[float]) -> float:
    return round(sum(totals) / len(totals), 2)


def _decision(body: object) -> tuple[str, str, Mapping[str, Any]]:
    fields = _body(body, DECISION_FIELDS)
    issues: list[Issue] = []
    decision = fields.get("decision")
    if decision not in DECISIONS:
        issues.append(Issue(f"one of {', '.join(DECISIONS)}", field="decision"))
    reason = clean_text(fields.get("reason"), "reason", issues, MAX_REASON)
    justifications = fields.get("justifications", {})
    if not isinstance(justifications, Mapping):
        issues.append(Issue("an object of rule id → justification", field="justifications"))
    if issues:
        raise InputError(issues)
    assert isinstance(decision, str)
    assert reason is not None
    return decision, reason, justifications

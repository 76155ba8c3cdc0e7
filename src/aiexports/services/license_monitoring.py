"""End-use monitoring of the service's licenses (spec monitoring.md, issue "into the
program"): an officer sets a license's monitoring terms (licensed sites, limits, report
schedule); the licensee files compliance reports and uploads telemetry batches, each
checked as a job against the license's profile; the alerts a job raises are kept, listed
and adjudicated (``open`` → ``confirmed`` | ``dismissed``, with a reason), every change
audited. A license's profile exports for file-based runs (``aiexports monitor run``).

A job's files and its profile are written to its own folder before the job is recorded,
and its alerts are stored in the same transaction that marks it done: a crash leaves a job
queued (run again on the next start), never half its alerts."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import Field, ValidationError
from ruamel.yaml import YAML
from sqlalchemy import select

from aiexports.core.monitoring.model import Alert, LicensedSite, Limits, MonitoringProfile
from aiexports.core.records import Record, validation_context
from aiexports.errors import (
    AiExportsError,
    ConflictError,
    InputError,
    Issue,
    StaleVersionError,
    UnknownResourceError,
)
from aiexports.services.access import Principal, check, require
from aiexports.services.request_fields import (
    Page,
    clean_text,
    decode_cursor,
    encode_cursor,
    iso_date,
    require_version,
    well_formed_id,
)
from aiexports.sources.documents import issues_from
from aiexports.storage.service_store import (
    ServiceStore,
    Transaction,
    applications,
    as_utc,
    license_conditions,
    licenses,
    new_id,
    rfc3339,
)
from aiexports.storage.tables import monitoring_alerts, monitoring_reports, telemetry_jobs

if TYPE_CHECKING:
    from aiexports.runtime import Runtime
    from aiexports.services.licensing import Licensing

log = logging.getLogger(__name__)

MAX_TELEMETRY_BYTES = 256 * 1024 * 1024
"""One telemetry batch's files together (the request's limit; larger batches are split or
run from files with ``aiexports monitor run``)."""
MAX_TABLE_BYTES = 32 * 1024 * 1024
"""Each of the small tables (tenants, attestations, locations, keys)."""

UPLOADS: Mapping[str, tuple[bool, bool]] = {
    # form field → (required, may be Parquet)
    "telemetry": (True, True),
    "tenants": (True, True),
    "attestations": (False, True),
    "locations": (False, False),
    "attestation_keys": (False, False),
}
"""The files of a telemetry batch (spec monitoring.md §1)."""

ALERT_STATES = ("open", "confirmed", "dismissed")


class MonitoringTerms(Record):
    """What an officer sets on a license for monitoring it: the licensed sites, and the
    limits and report schedule of its conditions."""

    sites: tuple[LicensedSite, ...] = Field(min_length=1, max_length=10_000)
    limits: Limits = Limits()


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the edge received it (a readable stream, never read whole)."""

    field: str
    filename: str
    stream: IO[bytes]


class LicenseMonitoring:
    """The monitoring use cases over one store; jobs run on one background thread (a
    DuckDB run already uses every core)."""

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
        self.folder = runtime.settings.home / "telemetry"
        self._runner: ThreadPoolExecutor | None = None
        self._runner_lock = threading.Lock()

    # --- terms, reports and the profile ----------------------------------------------------

    def set_terms(
        self, who: Principal, license_id: str, body: object, if_match: str | None
    ) -> dict[str, Any]:
        """Set the license's monitoring terms: a new license version (the old one kept)."""
        with self.store.transaction(self.clock()) as tx:
            row = self.licensing.visible_license(tx, who, license_id, "license.monitor", True)
            version = require_version(if_match, row.version)
            terms = self._terms(body)
            for site in terms.sites:
                if site.country != row.destination:
                    raise InputError(
                        Issue(
                            f"site {site.id!r} is in {site.country}; the license is for "
                            f"{row.destination} (use there is a re-export)",
                            field="sites",
                        )
                    )
            before = row.monitoring
            after = terms.model_dump(mode="json")
            if not tx.update_at_version(
                licenses, license_id, version, updated_at=tx.now, monitoring=after
            ):
                raise StaleVersionError(version)
            view = self.licensing.license_view(
                tx, self.licensing.license_row(tx, license_id), tx.now.date()
            )
            self.licensing.keep_revision(tx, license_id, version + 1, view)
            tx.record(who.actor(), "license.monitor", "license", license_id, before, after)
            return view

    def _terms(self, body: object) -> MonitoringTerms:
        try:
            return MonitoringTerms.model_validate(
                body, context=validation_context(self.runtime.countries)
            )
        except ValidationError as error:
            raise InputError(issues_from(error, None, body)) from None

    def file_report(self, who: Principal, license_id: str, body: object) -> dict[str, Any]:
        """A compliance report received today (it settles the earliest open period)."""
        with self.store.transaction(self.clock()) as tx:
            row = self.licensing.visible_license(tx, who, license_id, "license.report", True)
            period_end, summary = _report_fields(body)
            if row.monitoring is None:
                raise ConflictError("the license has no monitoring terms yet")
            report = {
                "license": license_id,
                "received_on": tx.now.date().isoformat(),
                "period_end": period_end.isoformat() if period_end else None,
                "summary": summary,
            }
            tx.insert(
                monitoring_reports,
                license_id=license_id,
                received_on=tx.now.date(),
                period_end=period_end,
                summary=summary,
                recorded_by=who.user_id,
                recorded_at=tx.now,
            )
            tx.record(who.actor(), "license.report", "license", license_id, None, report)
            return report

    def profile(self, who: Principal, license_id: str) -> MonitoringProfile:
        """The license's monitoring profile, as ``aiexports monitor run --profiles`` reads
        it (a list of one, written with :meth:`profile_document`)."""
        with self.store.reading() as tx:
            row = self.licensing.visible_license(tx, who, license_id, "license.read")
            return self._profile(tx, row)

    def _profile(self, tx: Transaction, row: Any) -> MonitoringProfile:
        if row.monitoring is None:
            raise ConflictError(
                "the license has no monitoring terms yet: an officer sets its sites and "
                f"limits (PUT /api/v1/licenses/{row.id}/monitoring)"
            )
        application = tx.one(
            select(applications.c.document).where(applications.c.id == row.application_id)
        )
        end_uses = (application.document if application else {}).get("end_uses") or []
        reports = tx.all(
            select(monitoring_reports.c.received_on).where(
                monitoring_reports.c.license_id == row.id
            )
        )
        conditions = tx.all(
            select(license_conditions.c.condition_id).where(
                license_conditions.c.license_id == row.id
            )
        )
        return MonitoringProfile.model_validate(
            {
                "license_id": row.id,
                "destination": row.destination,
                "end_uses": end_uses,
                "sites": row.monitoring["sites"],
                "valid_from": row.valid_from,
                "valid_until": row.valid_until,
                "limits": row.monitoring.get("limits") or {},
                "reports": [r.received_on for r in reports],
                "conditions": [c.condition_id for c in conditions],
            },
            context=validation_context(self.runtime.countries),
        )

    # --- telemetry jobs --------------------------------------------------------------------

    def submit(self, who: Principal, license_id: str, uploads: Sequence[Upload]) -> dict[str, Any]:
        """Keep a telemetry batch and queue its check; the job's view (202)."""
        job_id = new_id("tj")
        folder = self.folder / job_id
        try:
            with self.store.transaction(self.clock()) as tx:
                row = self.licensing.visible_license(tx, who, license_id, "license.telemetry")
                profile = self._profile(tx, row)
                files = _keep_files(folder, _uploads_by_field(uploads))
                (folder / "profiles.json").write_text(
                    json.dumps(profile_document(profile), indent=1), encoding="utf-8"
                )
                tx.insert(
                    telemetry_jobs,
                    id=job_id,
                    license_id=license_id,
                    state="queued",
                    files=files,
                    submitted_by=who.user_id,
                    submitted_at=tx.now,
                )
                tx.record(
                    who.actor(),
                    "license.telemetry",
                    "telemetry_job",
                    job_id,
                    None,
                    {"license": license_id, "files": _public_files(files)},
                )
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._enqueue(job_id)
        return self.job(who, job_id)

    def job(self, who: Principal, job_id: str) -> dict[str, Any]:
        with self.store.reading() as tx:
            job = self._job_row(tx, job_id)
            self.licensing.visible_license(tx, who, job.license_id, "license.read")
            return _job_view(job)

    def jobs(self, who: Principal, license_id: str) -> list[dict[str, Any]]:
        with self.store.reading() as tx:
            self.licensing.visible_license(tx, who, license_id, "license.read")
            rows = tx.all(
                select(telemetry_jobs)
                .where(telemetry_jobs.c.license_id == license_id)
                .order_by(telemetry_jobs.c.seq.desc())
            )
            return [_job_view(r) for r in rows]

    def _job_row(self, tx: Transaction, job_id: str) -> Any:
        if not well_formed_id(job_id):
            raise UnknownResourceError(f"no telemetry job {job_id[:60]!r}")
        row = tx.one(select(telemetry_jobs).where(telemetry_jobs.c.id == job_id))
        if row is None:
            raise UnknownResourceError(f"no telemetry job {job_id!r}")
        return row

    def resume(self) -> None:
        """Queue again the jobs a stopped service left queued or running."""
        with self.store.reading() as tx:
            waiting = tx.all(
                select(telemetry_jobs.c.id)
                .where(telemetry_jobs.c.state.in_(("queued", "running")))
                .order_by(telemetry_jobs.c.seq)
            )
        for job in waiting:
            self._enqueue(job.id)

    def _enqueue(self, job_id: str) -> None:
        with self._runner_lock:
            if self._runner is None:
                self._runner = ThreadPoolExecutor(1, thread_name_prefix="telemetry-job")
            self._runner.submit(self._run_logged, job_id)

    def close(self) -> None:
        with self._runner_lock:
            runner, self._runner = self._runner, None
        if runner is not None:
            runner.shutdown(wait=True, cancel_futures=False)

    def _run_logged(self, job_id: str) -> None:
        try:
            self.run(job_id)
        except Exception:  # a job never takes the runner down; its state says what happened
            log.exception("telemetry job %s", job_id)

    def run(self, job_id: str) -> None:
        """Check one queued job's batch and store its alerts (or its problem)."""
        from aiexports.services.monitoring import MonitorInputs, run_monitor  # noqa: PLC0415

        with self.store.transaction(self.clock()) as tx:
            job = self._job_row(tx, job_id)
            if job.state in ("succeeded", "failed"):
                return
            tx.connection.execute(
                telemetry_jobs.update()
                .where(telemetry_jobs.c.id == job_id)
                .values(state="running", started_at=tx.now)
            )
            as_of = as_utc(job.submitted_at).date()
        folder = self.folder / job_id
        names = {f["field"]: f for f in job.files}
        try:
            missing = [f["filename"] for f in job.files if not (folder / f["stored"]).is_file()]
            if missing:
                raise InputError(Issue(f"the batch's files are gone: {', '.join(missing)}"))

            def path(field: str) -> Path | None:
                return folder / names[field]["stored"] if field in names else None

            given = MonitorInputs(
                telemetry=folder / "telemetry",
                tenants=folder / names["tenants"]["stored"],
                profiles=folder / "profiles.json",
                attestations=path("attestations"),
                locations=path("locations"),
                attestation_keys=path("attestation_keys"),
                as_of=as_of,
            )
            result = run_monitor(self.runtime, given)
            foreign = sorted(
                {a.license_id for a in result.alerts if a.license_id not in (None, job.license_id)}
            )
            if foreign:
                raise InputError(
                    Issue(
                        f"rows name license {foreign[0]!r}; this batch is for "
                        f"{job.license_id!r} (upload each license's telemetry to it)",
                        names["telemetry"]["filename"],
                        field="license_id",
                    )
                )
        except AiExportsError as error:
            self._finish_failed(job_id, job.license_id, _problem(error, folder, names))
            return
        except Exception as error:
            log.exception("telemetry job %s", job_id)
            first = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
            unreadable = InputError(
                Issue(f"the telemetry could not be read: {first}", str(folder / "telemetry"))
            )
            self._finish_failed(job_id, job.license_id, _problem(unreadable, folder, names))
            return
        self._finish(job_id, job.license_id, result.alerts, result.summary())

    def _finish(
        self, job_id: str, license_id: str, alerts: Sequence[Alert], summary: dict[str, Any]
    ) -> None:
        with self.store.transaction(self.clock()) as tx:
            keys = {_alert_key(a): a for a in alerts}
            known: set[str] = set()
            for chunk in _chunks(list(keys), 500):
                known.update(
                    r.alert_key
                    for r in tx.all(
                        select(monitoring_alerts.c.alert_key).where(
                            monitoring_alerts.c.alert_key.in_(chunk)
                        )
                    )
                )
            fresh = [(key, alert) for key, alert in keys.items() if key not in known]
            for key, alert in fresh:
                tx.insert(
                    monitoring_alerts,
                    id=new_id("al"),
                    license_id=alert.license_id or license_id,
                    job_id=job_id,
                    alert_key=key,
                    check_id=alert.check,
                    tenant_id=alert.tenant_id,
                    window_start=alert.window_start,
                    alert=alert.contract(),
                    state="open",
                    version=1,
                    created_at=tx.now,
                )
            summary = {**summary, "new_alerts": len(fresh), "known_alerts": len(known)}
            tx.connection.execute(
                telemetry_jobs.update()
                .where(telemetry_jobs.c.id == job_id)
                .values(state="succeeded", finished_at=tx.now, summary=summary)
            )
            tx.record(
                _SYSTEM,
                "telemetry.checked",
                "telemetry_job",
                job_id,
                None,
                {
                    "license": license_id,
                    "rows": summary["rows"],
                    "alerts": summary["alerts"],
                    "new_alerts": len(fresh),
                },
            )

    def _finish_failed(self, job_id: str, license_id: str, problem: dict[str, Any]) -> None:
        with self.store.transaction(self.clock()) as tx:
            tx.connection.execute(
                telemetry_jobs.update()
                .where(telemetry_jobs.c.id == job_id)
                .values(state="failed", finished_at=tx.now, problem=problem)
            )
            tx.record(
                _SYSTEM,
                "telemetry.refused",
                "telemetry_job",
                job_id,
                None,
                {"license": license_id, "detail": problem["detail"]},
            )

    # --- alerts ----------------------------------------------------------------------------

    def alerts(
        self,
        who: Principal,
        license_id: str | None = None,
        state: str | None = None,
        check_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        from aiexports.services.licensing import scope_filter  # noqa: PLC0415

        scope = require(who, "alert.read")
        a = monitoring_alerts.c
        statement = (
            select(monitoring_alerts)
            .join(licenses, licenses.c.id == a.license_id)
            .where(scope_filter(who, scope, licenses.c, applications_only=False))
            .order_by(a.seq.desc())
            .limit(limit + 1)
        )
        problems: list[Issue] = []
        if state is not None and state not in ALERT_STATES:
            problems.append(Issue(f"one of {', '.join(ALERT_STATES)}", field="state"))
        if problems:
            error = InputError(problems)
            error.root = "query"  # type: ignore[attr-defined]
            raise error
        for column, value in ((a.license_id, license_id), (a.state, state), (a.check_id, check_id)):
            if value is not None:
                statement = statement.where(column == value)
        after = decode_cursor(cursor)
        if after is not None:
            statement = statement.where(a.seq < after)
        with self.store.reading() as tx:
            rows = list(tx.all(statement))
        views = [_alert_view(r) for r in rows[:limit]]
        more = len(rows) > limit
        return Page(views, encode_cursor(rows[limit - 1].seq) if more else None)

    def alert(self, who: Principal, alert_id: str) -> dict[str, Any]:
        with self.store.reading() as tx:
            return _alert_view(self._visible_alert(tx, who, alert_id, "alert.read"))

    def adjudicate(
        self, who: Principal, alert_id: str, body: object, if_match: str | None
    ) -> dict[str, Any]:
        """Confirm or dismiss an open alert, with the reason (the alert's audit entry)."""
        with self.store.transaction(self.clock()) as tx:
            row = self._visible_alert(tx, who, alert_id, "alert.adjudicate", lock=True)
            version = require_version(if_match, row.version)
            fields = body if isinstance(body, Mapping) else {}
            problems: list[Issue] = []
            outcome = fields.get("state")
            if outcome not in ("confirmed", "dismissed"):
                problems.append(Issue("confirmed or dismissed", field="state"))
            reason = clean_text(fields.get("reason"), "reason", problems, 4000)
            if reason is None and not any(p.field == "reason" for p in problems):
                problems.append(Issue("say why: an adjudication needs a reason", field="reason"))
            unknown = sorted(set(fields) - {"state", "reason"})
            problems.extend(Issue("not a field of an adjudication", field=n) for n in unknown)
            if problems:
                raise InputError(problems)
            if row.state != "open":
                raise ConflictError(f"the alert is already {row.state}")
            if not tx.update_at_version(
                monitoring_alerts,
                alert_id,
                version,
                state=outcome,
                reason=reason,
                decided_by=who.user_id,
                decided_at=tx.now,
            ):
                raise StaleVersionError(version)
            tx.record(
                who.actor(),
                "alert.adjudicate",
                "alert",
                alert_id,
                {"state": row.state},
                {"state": outcome, "reason": reason, "check": row.check_id},
            )
            return _alert_view(self._alert_row(tx, alert_id))

    def _alert_row(self, tx: Transaction, alert_id: str, lock: bool = False) -> Any:
        if not well_formed_id(alert_id):
            raise UnknownResourceError(f"no alert {alert_id[:60]!r}")
        statement = (
            select(
                monitoring_alerts,
                licenses.c.organization_id,
                licenses.c.destination,
            )
            .join(licenses, licenses.c.id == monitoring_alerts.c.license_id)
            .where(monitoring_alerts.c.id == alert_id)
        )
        if lock:
            statement = statement.with_for_update(of=monitoring_alerts)
        row = tx.one(statement)
        if row is None:
            raise UnknownResourceError(f"no alert {alert_id!r}")
        return row

    def _visible_alert(
        self, tx: Transaction, who: Principal, alert_id: str, action: str, lock: bool = False
    ) -> Any:
        require(who, "alert.read")  # a role that reads none learns nothing of this id
        row = self._alert_row(tx, alert_id, lock)
        resource = {
            "id": row.id,
            "organization_id": row.organization_id,
            "destination": row.destination,
        }
        check(who, action, resource, "alert")
        return row


_SYSTEM = {"user": "system", "name": "telemetry job runner", "organization": "aiexports"}


def profile_document(profile: MonitoringProfile) -> list[dict[str, Any]]:
    """The profile as the file ``--profiles`` reads: a list of one license."""
    return [profile.model_dump(mode="json", exclude_none=True)]


def profile_yaml(profile: MonitoringProfile) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(profile_document(profile), out)
    return out.getvalue()


def _public_files(files: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What a job's view says of its files (not where the service keeps them)."""
    return [{k: v for k, v in f.items() if k != "stored"} for f in files]


def _report_fields(body: object) -> tuple[dt.date | None, str | None]:
    fields = body if isinstance(body, Mapping) else {}
    problems: list[Issue] = []
    if not isinstance(body, Mapping):
        problems.append(Issue("send a JSON object"))
    period_end = (
        iso_date(fields["period_end"], "period_end", problems)
        if fields.get("period_end") is not None
        else None
    )
    summary = clean_text(fields.get("summary"), "summary", problems, 20_000)
    unknown = sorted(set(fields) - {"period_end", "summary"})
    problems.extend(Issue("not a field of a report", field=name) for name in unknown)
    if problems:
        raise InputError(problems)
    return period_end, summary


def _uploads_by_field(uploads: Sequence[Upload]) -> dict[str, Upload]:
    found: dict[str, Upload] = {}
    problems: list[Issue] = []
    for upload in uploads:
        if upload.field not in UPLOADS:
            problems.append(Issue("not a file of a telemetry batch", field=upload.field))
        elif upload.field in found:
            problems.append(Issue("given twice", field=upload.field))
        else:
            found[upload.field] = upload
    for name, (required, _parquet) in UPLOADS.items():
        if required and name not in found:
            problems.append(Issue("required file is missing", field=name))
    if "attestations" in found and "locations" not in found:
        problems.append(
            Issue("attestations need the locations of every site and landmark", field="locations")
        )
    if problems:
        raise InputError(problems)
    return found


def _keep_files(folder: Path, uploads: Mapping[str, Upload]) -> list[dict[str, Any]]:
    """Copy each upload into the job's folder (bounded, hashed, typed by its first bytes)."""
    (folder / "telemetry").mkdir(parents=True)
    kept: list[dict[str, Any]] = []
    total = 0
    for name, upload in uploads.items():
        may_be_parquet = UPLOADS[name][1]
        limit = MAX_TELEMETRY_BYTES if name == "telemetry" else MAX_TABLE_BYTES
        head = upload.stream.read(4)
        kind = "parquet" if head == b"PAR1" else "csv"
        if kind == "parquet" and not may_be_parquet:
            raise InputError(
                Issue("is Parquet; this table is read as CSV", upload.filename, field=name)
            )
        stored = f"telemetry/batch.{kind}" if name == "telemetry" else f"{name}.{kind}"
        digest = hashlib.sha256()
        size = 0
        with (folder / stored).open("wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                total += len(chunk)
                if size > limit or total > MAX_TELEMETRY_BYTES:
                    raise InputError(
                        Issue(f"over the limit of {limit:,} bytes", upload.filename, field=name)
                    )
                if kind == "csv" and b"\0" in chunk:
                    raise InputError(
                        Issue(
                            "neither Parquet nor CSV text (it holds NUL bytes)",
                            upload.filename,
                            field=name,
                        )
                    )
                digest.update(chunk)
                out.write(chunk)
                chunk = upload.stream.read(1024 * 1024)
        if size == 0:
            raise InputError(Issue("the file is empty", upload.filename, field=name))
        kept.append(
            {
                "field": name,
                "filename": upload.filename[:200],
                "format": kind,
                "size": size,
                "sha256": digest.hexdigest(),
                "stored": stored,
            }
        )
    return kept


def _problem(error: AiExportsError, folder: Path, files: Mapping[str, Any]) -> dict[str, Any]:
    """The job's problem, naming the uploaded files (not where the service keeps them)."""
    stored: dict[str, str] = {str(folder / f["stored"]): str(f["filename"]) for f in files.values()}
    stored[str(folder / "telemetry")] = str(files["telemetry"]["filename"])

    def uploaded(source: str | None) -> str | None:
        if source is None:
            return None
        for path, name in stored.items():
            if source == path or source.startswith(path + "/"):
                return name
        return source.removeprefix(str(folder) + "/")

    issues = [
        Issue(issue.message, uploaded(issue.source), issue.line, issue.field)
        for issue in getattr(error, "issues", [])
    ]
    return {
        "title": "the telemetry batch was refused",
        "detail": "; ".join(i.render() for i in issues) or str(error),
        "issues": [
            {"message": i.message, "source": i.source, "line": i.line, "field": i.field}
            for i in issues
        ],
    }


def _alert_key(alert: Alert) -> str:
    """The alert's identity between batches (check, license, tenant, window start, and
    for a location alert the accelerator), bounded in length."""
    identity = [*alert.key(), alert.evidence.get("accelerator_id")]
    return hashlib.sha256(json.dumps(identity, default=str).encode()).hexdigest()


def _job_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "license": row.license_id,
        "state": row.state,
        "files": _public_files(row.files),
        "submitted_by": row.submitted_by,
        "submitted_at": rfc3339(as_utc(row.submitted_at)),
        "started_at": rfc3339(as_utc(row.started_at)) if row.started_at else None,
        "finished_at": rfc3339(as_utc(row.finished_at)) if row.finished_at else None,
        "summary": row.summary,
        "problem": row.problem,
    }


def _alert_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        **row.alert,
        "license_id": row.license_id,
        "job": row.job_id,
        "state": row.state,
        "reason": row.reason,
        "decided_by": row.decided_by,
        "decided_at": rfc3339(as_utc(row.decided_at)) if row.decided_at else None,
        "version": row.version,
        "created_at": rfc3339(as_utc(row.created_at)),
    }


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]

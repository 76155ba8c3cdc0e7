"""What every monitoring engine does, in one SQL text: validate the telemetry, then
extract the facts the checks read (flagged rows, daily totals, training rows). Engines
differ only in how they read files and run SQL, so the same inputs give the same facts,
and the checks (pure Python) the same alerts, byte for byte."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiexports.core.monitoring.model import (
    JOB_KINDS,
    DailyUsage,
    DeclaredUsage,
    FlaggedRows,
    RowFlag,
    TelemetryFacts,
    TrainingRow,
)
from aiexports.core.vocabulary import EndUse
from aiexports.errors import InputError, Issue
from aiexports.monitoring.inputs import TelemetryFiles

MAX_GPU_HOURS_PER_ROW = 1e7
"""No row of usage is ten million accelerator hours; past it a value is an error (and the
integer micro-hour sums stay far from overflow)."""
MAX_TRAINING_OPS = 1e40
MAX_ID = 200


@dataclass(frozen=True)
class ReferenceTables:
    """The small tables an engine joins telemetry with, as rows."""

    profiles: Sequence[tuple[str, str, dt.date, dt.date]]
    """license_id, destination, valid_from, valid_until."""
    sites: Sequence[tuple[str, str, bool]]
    """license_id, site, whether the site lies outside the destination."""
    uses: Sequence[tuple[str, str]]
    """license_id, end use."""
    tenants: Sequence[tuple[str, bool, bool, dt.date | None, bool, bool]]
    """tenant_id, restricted (country or headquarters), listed, listed until, unverified,
    headquartered in D:5 or MO."""
    restricted: Sequence[str]
    countries: frozenset[str]


SCHEMAS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "m_profiles": (
        ("license_id", "string"),
        ("destination", "string"),
        ("valid_from", "date"),
        ("valid_until", "date"),
    ),
    "m_sites": (("license_id", "string"), ("site", "string"), ("abroad", "boolean")),
    "m_uses": (("license_id", "string"), ("end_use", "string")),
    "m_tenants": (
        ("tenant_id", "string"),
        ("restricted", "boolean"),
        ("listed", "boolean"),
        ("listed_until", "date"),
        ("unverified", "boolean"),
        ("frontier_hq", "boolean"),
    ),
    "m_restricted": (("country", "string"),),
}


def reference_rows(tables: ReferenceTables) -> dict[str, Sequence[tuple[Any, ...]]]:
    return {
        "m_profiles": tables.profiles,
        "m_sites": tables.sites,
        "m_uses": tables.uses,
        "m_tenants": tables.tenants,
        "m_restricted": [(code,) for code in tables.restricted],
    }


# The shared SQL. ``telemetry`` is the engine's typed view of the files: event_time a UTC
# TIMESTAMP, gpu_hours/training_ops DOUBLE, tokens BIGINT, the rest strings.

# Predicates locating the first bad row of each problem (NaN compares above every number
# on both engines, so the upper bounds catch NaN and infinity too).
BAD_ROW = {
    "event_time": "event_time IS NULL",
    "license_id": f"license_id IS NULL OR license_id = '' OR length(license_id) > {MAX_ID}",
    "tenant_id": f"tenant_id IS NULL OR tenant_id = '' OR length(tenant_id) > {MAX_ID}",
    "site": f"site IS NULL OR site = '' OR length(site) > {MAX_ID}",
    "component": f"component IS NULL OR component = '' OR length(component) > {MAX_ID}",
    "gpu_hours": f"gpu_hours IS NULL OR gpu_hours < 0 OR gpu_hours > {MAX_GPU_HOURS_PER_ROW}",
    "tokens": "tokens < 0",
    "training_ops": f"training_ops < 0 OR training_ops > {MAX_TRAINING_OPS}",
}
BAD_MESSAGE = {
    "event_time": "required value is missing",
    "license_id": f"required, at most {MAX_ID} characters",
    "tenant_id": f"required, at most {MAX_ID} characters",
    "site": f"required, at most {MAX_ID} characters",
    "component": f"required, at most {MAX_ID} characters",
    "gpu_hours": f"required, a number from 0 to {MAX_GPU_HOURS_PER_ROW:,.0f}",
    "tokens": "a count of tokens is not negative",
    "training_ops": "a count of operations is a finite number, not negative",
}

# The one pass over the telemetry: rows grouped by everything a row-level check or the
# validation reads (license, tenant, UTC day, source country, site, job kind, declared
# use), with the bad values counted and the hours summed as integer micro-hours. Every
# other query reads these groups (millions, not billions, of rows), and only the training
# rows of tenants whose total may pass the frontier threshold are read again.
GROUPS_SQL = f"""
SELECT license_id, tenant_id, CAST(event_time AS DATE) AS day, source_country, site,
  job_kind, declared_use, count(*) AS row_count,
  sum(CASE WHEN {BAD_ROW["event_time"]} THEN 1 ELSE 0 END) AS bad_event_time,
  sum(CASE WHEN {BAD_ROW["component"]} THEN 1 ELSE 0 END) AS bad_component,
  sum(CASE WHEN {BAD_ROW["gpu_hours"]} THEN 1 ELSE 0 END) AS bad_gpu_hours,
  sum(CASE WHEN {BAD_ROW["tokens"]} THEN 1 ELSE 0 END) AS bad_tokens,
  sum(CASE WHEN {BAD_ROW["training_ops"]} THEN 1 ELSE 0 END) AS bad_training_ops,
  sum(CASE WHEN {BAD_ROW["gpu_hours"]} THEN 0
      ELSE CAST(ROUND(gpu_hours * 1000000) AS BIGINT) END) AS gpu_uh,
  sum(CASE WHEN training_ops > 0 AND training_ops <= {MAX_TRAINING_OPS}
      THEN training_ops ELSE 0 END) AS training_ops
FROM telemetry
GROUP BY license_id, tenant_id, CAST(event_time AS DATE), source_country, site, job_kind,
  declared_use
"""


def _on_keys(name: str) -> str:
    return f"sum(CASE WHEN {BAD_ROW[name]} THEN row_count ELSE 0 END) AS {name}"


PROFILE_SQL = f"""
SELECT source_country, job_kind, declared_use, sum(row_count) AS row_count,
  sum(bad_event_time) AS event_time, {_on_keys("license_id")}, {_on_keys("tenant_id")},
  {_on_keys("site")}, sum(bad_component) AS component, sum(bad_gpu_hours) AS gpu_hours,
  sum(bad_tokens) AS tokens, sum(bad_training_ops) AS training_ops
FROM m_groups
GROUP BY source_country, job_kind, declared_use
"""

FLAGGED_SQL = """
SELECT license_id, tenant_id, day,
  restricted_source, restricted_tenant, listed, unverified, off_site, not_valid, undeclared,
  d5_training, source_country, site, declared_use, job_kind, sum(row_count) AS row_count,
  sum(gpu_uh) AS gpu_uh
FROM (
  SELECT r.license_id, r.tenant_id, r.day, r.row_count, r.gpu_uh,
    (x.country IS NOT NULL) AS restricted_source,
    COALESCE(n.restricted, FALSE) AS restricted_tenant,
    COALESCE(n.listed AND (n.listed_until IS NULL OR r.day <= n.listed_until), FALSE)
      AS listed,
    (n.tenant_id IS NULL OR n.unverified) AS unverified,
    (p.license_id IS NOT NULL AND (s.site IS NULL OR s.abroad)) AS off_site,
    (p.license_id IS NULL OR r.day < p.valid_from OR r.day > p.valid_until) AS not_valid,
    (p.license_id IS NOT NULL AND r.declared_use IS NOT NULL AND u.end_use IS NULL)
      AS undeclared,
    (COALESCE(n.frontier_hq, FALSE) AND r.job_kind IN ('training', 'fine_tuning'))
      AS d5_training,
    CASE WHEN x.country IS NOT NULL THEN r.source_country ELSE '' END AS source_country,
    CASE WHEN p.license_id IS NOT NULL AND (s.site IS NULL OR s.abroad) THEN r.site
         ELSE '' END AS site,
    CASE WHEN p.license_id IS NOT NULL AND u.end_use IS NULL THEN r.declared_use END
      AS declared_use,
    CASE WHEN COALESCE(n.frontier_hq, FALSE) AND r.job_kind IN ('training', 'fine_tuning')
         THEN r.job_kind ELSE '' END AS job_kind
  FROM m_groups r
  LEFT JOIN m_profiles p ON p.license_id = r.license_id
  LEFT JOIN m_tenants n ON n.tenant_id = r.tenant_id
  LEFT JOIN m_restricted x ON x.country = r.source_country
  LEFT JOIN m_sites s ON s.license_id = r.license_id AND s.site = r.site
  LEFT JOIN m_uses u ON u.license_id = r.license_id AND u.end_use = r.declared_use
) flagged
WHERE restricted_source OR restricted_tenant OR listed OR unverified OR off_site
   OR not_valid OR undeclared OR d5_training
GROUP BY license_id, tenant_id, day, restricted_source, restricted_tenant, listed,
  unverified, off_site, not_valid, undeclared, d5_training, source_country, site,
  declared_use, job_kind
"""

DAILY_SQL = """
SELECT license_id, tenant_id, day, sum(gpu_uh) AS gpu_uh, sum(row_count) AS row_count
FROM m_groups
GROUP BY license_id, tenant_id, day
"""

DECLARED_SQL = """
SELECT license_id, tenant_id, declared_use, job_kind, sum(gpu_uh) AS gpu_uh,
  sum(row_count) AS row_count, min(day) AS first_day, max(day) AS last_day
FROM m_groups
WHERE declared_use IS NOT NULL
GROUP BY license_id, tenant_id, declared_use, job_kind
"""

MATERIALIZED = ("m_groups", "m_training_pairs")
"""The tables :func:`extract_facts` keeps while it runs."""

TRAINING_MARGIN = 1e-6
"""How far below the frontier threshold a tenant's training total, summed in floating
point, still has its rows read: a float sum of n non-negative terms is within n × 2**-53
of the exact one, so every tenant whose exact total reaches the threshold is read (the
checks then sum exactly)."""

TRAINING_PAIRS_SQL = """
SELECT license_id, tenant_id
FROM m_groups
GROUP BY license_id, tenant_id
HAVING sum(training_ops) >= {floor!r}
"""

TRAINING_SQL = """
SELECT r.license_id, r.tenant_id, {epoch_us} AS at_us, r.job_kind, r.training_ops
FROM telemetry r
JOIN m_training_pairs p ON p.license_id = r.license_id AND p.tenant_id = r.tenant_id
WHERE r.training_ops > 0
"""

FLAG_ORDER = (
    RowFlag.RESTRICTED_SOURCE,
    RowFlag.RESTRICTED_TENANT,
    RowFlag.LISTED,
    RowFlag.UNVERIFIED,
    RowFlag.OFF_SITE,
    RowFlag.NOT_VALID,
    RowFlag.UNDECLARED,
    RowFlag.D5_TRAINING,
)

Progress = Callable[[str], None]


class Engine(Protocol):
    """Runs the shared SQL over telemetry files with the reference tables joined in."""

    name: str

    def load(self, files: TelemetryFiles, tables: ReferenceTables) -> None: ...

    def query(self, sql: str) -> list[tuple[Any, ...]]: ...

    def materialize(self, name: str, sql: str) -> int:
        """Keep the result of ``sql`` as the table ``name``; its row count."""
        ...

    def locate(self, predicate: str, field: str) -> Issue | None: ...

    def screen_tenants(
        self, tenants: Sequence[tuple[str, str, str | None]], screen: Any
    ) -> dict[str, Any]: ...

    def close(self) -> None: ...

    @property
    def epoch_us(self) -> str: ...


def _validation_issues(
    engine: Engine, profile: Iterable[tuple[Any, ...]], countries: frozenset[str]
) -> list[Issue]:
    issues: list[Issue] = []
    bad_totals: dict[str, int] = dict.fromkeys(BAD_ROW, 0)
    uses = {str(u) for u in EndUse}
    for country, job_kind, declared_use, _rows, *counts in profile:
        for name, count in zip(BAD_ROW, counts, strict=True):
            bad_totals[name] += int(count or 0)
        if country is None or country not in countries:
            predicate = (
                "source_country IS NULL"
                if country is None
                else (f"source_country = {sql_literal(country)}")
            )
            issues.append(
                _located(
                    engine,
                    predicate,
                    "source_country",
                    f"{country!r} is not an ISO 3166-1 alpha-2 country code"
                    if country is not None
                    else "required value is missing",
                )
            )
        if job_kind not in JOB_KINDS:
            predicate = (
                "job_kind IS NULL" if job_kind is None else (f"job_kind = {sql_literal(job_kind)}")
            )
            issues.append(
                _located(
                    engine,
                    predicate,
                    "job_kind",
                    f"{job_kind!r} is not one of {', '.join(JOB_KINDS)}",
                )
            )
        if declared_use is not None and declared_use not in uses:
            issues.append(
                _located(
                    engine,
                    f"declared_use = {sql_literal(declared_use)}",
                    "declared_use",
                    f"{declared_use!r} is not an end use of the determination vocabulary",
                )
            )
        if len(issues) >= 5:
            break
    for name, count in bad_totals.items():
        if count:
            issues.append(
                _located(engine, BAD_ROW[name], name, f"{BAD_MESSAGE[name]} ({count:,} rows)")
            )
    unique: dict[tuple[str | None, int | None, str | None, str], Issue] = {}
    for issue in issues:
        unique.setdefault((issue.source, issue.line, issue.field, issue.message), issue)
    return list(unique.values())


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _located(engine: Engine, predicate: str, field: str, message: str) -> Issue:
    found = engine.locate(predicate, field)
    if found is None:
        return Issue(message, None, None, field)
    return Issue(f"{found.message}{message}", found.source, found.line, field)


def extract_facts(
    engine: Engine, countries: frozenset[str], frontier_ops: float, progress: Progress
) -> TelemetryFacts:
    """Validate the loaded telemetry (refusing it whole at the first bad value, located),
    then extract the facts every check reads."""
    progress("grouping telemetry")
    engine.materialize("m_groups", GROUPS_SQL)
    progress("validating telemetry")
    profile = engine.query(PROFILE_SQL)
    issues = _validation_issues(engine, profile, countries)
    if issues:
        raise InputError(issues)
    rows = sum(int(group[3]) for group in profile)
    progress("flagging rows")
    flagged = [
        FlaggedRows(
            str(license_id),
            str(tenant_id),
            day,
            frozenset(flag for flag, on in zip(FLAG_ORDER, flags, strict=True) if on),
            str(source_country),
            str(site),
            declared_use,
            int(count),
            str(job_kind),
            int(micro_hours),
        )
        for (
            license_id,
            tenant_id,
            day,
            *flags,
            source_country,
            site,
            declared_use,
            job_kind,
            count,
            micro_hours,
        ) in engine.query(FLAGGED_SQL)
    ]
    progress("daily totals")
    daily = [
        DailyUsage(str(license_id), str(tenant_id), day, int(micro_hours), int(count))
        for license_id, tenant_id, day, micro_hours, count in engine.query(DAILY_SQL)
    ]
    progress("declared uses")
    declared = [
        DeclaredUsage(
            str(license_id), str(tenant_id), str(use), str(kind), int(micro), int(count), *days
        )
        for license_id, tenant_id, use, kind, micro, count, *days in engine.query(DECLARED_SQL)
    ]
    progress("training runs")
    floor = frontier_ops * (1 - TRAINING_MARGIN)
    training: list[TrainingRow] = []
    if engine.materialize("m_training_pairs", TRAINING_PAIRS_SQL.format(floor=floor)):
        epoch = dt.datetime(1970, 1, 1)
        training = [
            TrainingRow(
                str(license_id),
                str(tenant_id),
                epoch + dt.timedelta(microseconds=int(at)),
                str(kind),
                float(ops),
            )
            for license_id, tenant_id, at, kind, ops in engine.query(
                TRAINING_SQL.format(epoch_us=engine.epoch_us)
            )
        ]
    return TelemetryFacts(flagged, daily, training, rows, declared)

"""What end-use monitoring reads and writes: licenses' monitoring profiles, tenants, the
facts an engine extracts from telemetry, and alerts (the monitoring contract, version 1)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from operator import attrgetter
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from aiexports.core.records import CountryCode, Record, SetOf
from aiexports.core.vocabulary import EndUse

MICRO = 1_000_000
"""GPU hours are summed as integer micro-hours: totals do not depend on summation order,
so every engine reaches the same total."""

JOB_KINDS = ("inference", "training", "fine_tuning")

ProfileText = Annotated[str, Field(min_length=1, max_length=200)]


class ReportEvery(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"

    @property
    def months(self) -> int:
        return 1 if self is ReportEvery.MONTHLY else 3


class Limits(Record):
    gpu_hours_per_month: Annotated[float, Field(gt=0, le=1e15)] | None = None
    tenant_gpu_hours_per_day: Annotated[float, Field(gt=0, le=1e15)] | None = None
    report_every: ReportEvery | None = None


class LicensedSite(Record):
    id: ProfileText
    country: CountryCode


class MonitoringProfile(Record):
    """What the monitor needs of one license: where it may be used, by whom, for what, until
    when, within which limits, and the reports received."""

    license_id: ProfileText
    destination: CountryCode
    end_uses: SetOf[EndUse] = Field(min_length=1)
    sites: tuple[LicensedSite, ...] = Field(min_length=1, max_length=10_000)
    valid_from: dt.date
    valid_until: dt.date
    limits: Limits = Limits()
    reports: SetOf[dt.date] = Field(default=(), max_length=10_000)
    conditions: SetOf[Annotated[str, Field(min_length=1, max_length=40)]] | None = None
    """The license's condition ids (the service's export lists them); without them every
    check runs."""

    @model_validator(mode="after")
    def _consistent(self) -> MonitoringProfile:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        ids = [site.id for site in self.sites]
        if len(set(ids)) != len(ids):
            raise ValueError("a site is listed twice")
        return self


class Tenant(Record):
    tenant_id: ProfileText
    name: Annotated[str, Field(min_length=1, max_length=500)]
    country: CountryCode | None = None
    headquarters: CountryCode | None = None
    type: str | None = None
    kyc_verified: bool
    screened_at: dt.date | None = None


class RedFlagThresholds(Record):
    """What the diversion red flags count as new, large, inconsistent or an intermediary."""

    new_tenant_history_days: int = Field(ge=1)
    new_tenant_window_days: int = Field(ge=1)
    new_tenant_share: float = Field(gt=0, lt=1)
    new_tenant_min_gpu_hours: float = Field(ge=0)
    inconsistent_training_share: float = Field(gt=0, lt=1)
    inconsistent_min_gpu_hours: float = Field(ge=0)
    training_uses: SetOf[EndUse]
    intermediary_types: SetOf[Annotated[str, Field(min_length=1, max_length=40)]]
    intermediary_name_words: SetOf[Annotated[str, Field(min_length=1, max_length=40)]]


class Thresholds(Record):
    """One dated version of the checks' thresholds (``data/monitoring/thresholds.yaml``)."""

    id: str
    effective: dt.date
    spike_z: float
    spike_window_days: int
    spike_min_prior_days: int
    mad_scale: float
    frontier_training_ops: float
    report_grace_days: int
    fibre_km_per_ms: float
    earth_radius_km: float
    red_flags: RedFlagThresholds


class ThresholdHistory(Record):
    versions: tuple[Thresholds, ...] = Field(min_length=1)

    def on(self, day: dt.date) -> Thresholds:
        """The newest version in effect on ``day`` (the oldest before any was)."""
        ordered = sorted(self.versions, key=lambda version: version.effective)
        in_effect = [version for version in ordered if version.effective <= day]
        return in_effect[-1] if in_effect else ordered[0]


class Location(Record):
    id: ProfileText
    kind: Literal["site", "landmark"]
    city: str = ""
    country: CountryCode
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


# --- facts an engine extracts from telemetry (small: aggregates and the rare rows) ----


class RowFlag(StrEnum):
    """Row-level facts an engine marks on each telemetry row (joined with the profiles and
    tenants); a row with none of them is never an alert of a row-level check."""

    RESTRICTED_SOURCE = "restricted_source"
    RESTRICTED_TENANT = "restricted_tenant"
    LISTED = "listed"
    UNVERIFIED = "unverified"
    OFF_SITE = "off_site"
    NOT_VALID = "not_valid"
    UNDECLARED = "undeclared"
    D5_TRAINING = "d5_training"


@dataclass(frozen=True, slots=True)
class FlaggedRows:
    """Rows of one (license, tenant, day) sharing the same flags and evidence values."""

    license_id: str
    tenant_id: str
    day: dt.date
    flags: frozenset[RowFlag]
    source_country: str
    site: str
    declared_use: str | None
    rows: int
    job_kind: str = ""
    """Set on rows flagged D5_TRAINING only (the evidence of the others leaves it out)."""
    gpu_micro_hours: int = 0


@dataclass(frozen=True, slots=True)
class DailyUsage:
    license_id: str
    tenant_id: str
    day: dt.date
    gpu_micro_hours: int
    rows: int


@dataclass(frozen=True, slots=True)
class DeclaredUsage:
    """A tenant's usage under one license, declared use and job kind (rows that declare
    a use only)."""

    license_id: str
    tenant_id: str
    declared_use: str
    job_kind: str
    gpu_micro_hours: int
    rows: int
    first_day: dt.date
    last_day: dt.date


@dataclass(frozen=True, slots=True)
class TrainingRow:
    license_id: str
    tenant_id: str
    event_time: dt.datetime
    job_kind: str
    training_ops: float


@dataclass(frozen=True, slots=True)
class Attestation:
    accelerator_id: str
    site: str
    time: dt.datetime
    landmark: str
    rtt_ms: float
    signature: str


@dataclass(frozen=True)
class TelemetryFacts:
    """Everything the checks read of the telemetry, in a canonical order (engines may
    produce them in any order; :meth:`canonical` sorts, and the checks read sorted facts:
    daily totals by license, tenant and day)."""

    flagged: Sequence[FlaggedRows]
    daily: Sequence[DailyUsage]
    training: Sequence[TrainingRow]
    rows: int
    declared: Sequence[DeclaredUsage] = ()

    def canonical(self) -> TelemetryFacts:
        return TelemetryFacts(
            sorted(
                self.flagged,
                key=lambda f: (
                    f.license_id,
                    f.tenant_id,
                    f.day,
                    sorted(f.flags),
                    f.source_country,
                    f.site,
                    f.declared_use or "",
                    f.job_kind,
                ),
            ),
            sorted(self.daily, key=attrgetter("license_id", "tenant_id", "day")),
            sorted(self.training, key=attrgetter("license_id", "tenant_id", "event_time")),
            self.rows,
            sorted(
                self.declared, key=attrgetter("license_id", "tenant_id", "declared_use", "job_kind")
            ),
        )


# --- alerts -------------------------------------------------------------------------


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


def utc_text(moment: dt.datetime) -> str:
    """``2026-11-03T00:00:00Z``: the one way an alert writes a time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


@dataclass(frozen=True)
class Alert:
    check: str
    license_id: str | None
    tenant_id: str | None
    window_start: dt.datetime
    window_end: dt.datetime
    condition: str
    severity: Severity
    rows: int
    evidence: Mapping[str, Any] = field(default_factory=dict)
    explanation: str = ""
    citations: tuple[str, ...] = ()

    def sort_key(self) -> tuple[str, str, str, str, str]:
        # Null license or tenant sorts first (an alert about no one tenant before tenants').
        return (
            self.check,
            self.license_id or "",
            self.tenant_id or "",
            utc_text(self.window_start),
            utc_text(self.window_end),
        )

    def key(self) -> tuple[str, str | None, str | None, str]:
        """What identifies the alert between runs (check, license, tenant, window start)."""
        return (self.check, self.license_id, self.tenant_id, utc_text(self.window_start))

    def contract(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "license_id": self.license_id,
            "tenant_id": self.tenant_id,
            "window_start": utc_text(self.window_start),
            "window_end": utc_text(self.window_end),
            "condition": self.condition,
            "severity": str(self.severity),
            "rows": self.rows,
            "evidence": dict(self.evidence),
            "explanation": self.explanation,
            "citations": list(self.citations),
        }

    def json_line(self) -> str:
        """The alert as one JSON line, byte-identical for equal alerts."""
        return json.dumps(self.contract(), ensure_ascii=False, sort_keys=False)

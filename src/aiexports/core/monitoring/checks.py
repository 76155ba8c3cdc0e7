"""License conditions as code: one small function per check, its docstring its
explanation. Each reads the facts an engine extracted from telemetry (the same facts from
every engine) and yields alerts; the set a license gets follows from its conditions."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from bisect import bisect_left, bisect_right, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from types import MappingProxyType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from aiexports.core.monitoring.location import great_circle_km, min_rtt_ms, verifies
from aiexports.core.monitoring.model import (
    MICRO,
    Alert,
    Attestation,
    DailyUsage,
    DeclaredUsage,
    FlaggedRows,
    Location,
    MonitoringProfile,
    RowFlag,
    Severity,
    TelemetryFacts,
    Tenant,
    Thresholds,
    day_start,
)
from aiexports.core.monitoring.reports import add_months, late

ONE_DAY = dt.timedelta(days=1)

LICENSE_TERMS = "license terms"
LICENSE_LIMIT = "license limit"
LICENSE_END_USES = "license end uses"
RED_FLAGS = "red flags"
ALWAYS_CHECKED = frozenset(
    {LICENSE_TERMS, LICENSE_LIMIT, LICENSE_END_USES, RED_FLAGS, "FRONTIER_TRAINING_D5"}
)
"""Conditions every license is checked for, whatever its listed conditions: its own
terms, the frontier-training rule of law (a finding's rule, not a license rider) and the
diversion red flags every exporter must heed (15 CFR 732 Supp. 3)."""


@dataclass(frozen=True)
class TenantListing:
    """A tenant's best block-level match on the restricted-party lists."""

    matched_name: str
    entry: str
    list_code: str
    score: float
    expires: dt.date | None = None


@dataclass(frozen=True)
class MonitoringContext:
    """Everything a check reads besides the telemetry facts."""

    profiles: Mapping[str, MonitoringProfile]
    tenants: Mapping[str, Tenant]
    listed: Mapping[str, TenantListing]
    restricted: frozenset[str]
    """E:1, E:2, D:5 and MO, with HK (treated as CN)."""
    frontier_headquarters: frozenset[str]
    """D:5 and MO, with HK."""
    thresholds: Thresholds
    as_of: dt.date
    locations: Mapping[str, Location]
    signed: bool = False
    """Whether attestation signatures were verified (keys were given)."""
    rejected: Mapping[Attestation, str] = field(default_factory=dict)
    """Attestations whose signature did not verify, with why (:func:`verify_all`)."""


Run = Callable[[TelemetryFacts, Sequence[Attestation], MonitoringContext], Iterator[Alert]]


@dataclass(frozen=True)
class Check:
    id: str
    condition: str
    severity: Severity
    evidence: tuple[str, ...]
    citations: tuple[str, ...]
    run: Run

    @property
    def explanation(self) -> str:
        return inspect.cleandoc(self.run.__doc__ or "")

    def applies_to(self, profile: MonitoringProfile | None) -> bool:
        """Whether a license is checked for this: its conditions name it, or it is one of
        the terms every license carries (a license without listed conditions: all)."""
        if profile is None or profile.conditions is None or self.condition in ALWAYS_CHECKED:
            return True
        return self.condition in profile.conditions

    def describe(self) -> dict[str, object]:
        return {
            "check": self.id,
            "condition": self.condition,
            "severity": str(self.severity),
            "evidence": list(self.evidence),
            "citations": list(self.citations),
            "explanation": self.explanation,
        }


def check(
    check_id: str,
    condition: str,
    severity: Severity,
    evidence: tuple[str, ...],
    citations: tuple[str, ...] = (),
) -> Callable[[Run], Check]:
    """Declare a check: the function, with the condition it enforces and its evidence
    (the registry, :data:`CHECKS`, is built once at the end of this module)."""

    def declare(run: Run) -> Check:
        return Check(check_id, condition, severity, evidence, citations, run)

    return declare


def _hours(micro_hours: int) -> float:
    return round(micro_hours / MICRO, 6)


def _most(counter: Counter[str]) -> str:
    """The value with most rows (ties: the first in sort order)."""
    return min(counter, key=lambda value: (-counter[value], value))


def _alert(
    check_id: str,
    license_id: str | None,
    tenant_id: str | None,
    start: dt.datetime,
    end: dt.datetime,
    rows: int,
    evidence: Mapping[str, object],
    explanation: str,
) -> Alert:
    found = CHECKS[check_id]
    return Alert(
        check_id,
        license_id,
        tenant_id,
        start,
        end,
        found.condition,
        found.severity,
        rows,
        evidence,
        explanation,
        found.citations,
    )


DayKey = tuple[str, str, dt.date]
_license_tenant = attrgetter("license_id", "tenant_id")


def _days(
    facts: TelemetryFacts, test: Callable[[FlaggedRows], bool]
) -> dict[DayKey, list[FlaggedRows]]:
    grouped: dict[DayKey, list[FlaggedRows]] = defaultdict(list)
    for group in facts.flagged:
        if test(group):
            grouped[(group.license_id, group.tenant_id, group.day)].append(group)
    return grouped


def _day_alert(
    check_id: str,
    key: DayKey,
    groups: Sequence[FlaggedRows],
    evidence: Mapping[str, object],
    explanation: str,
) -> Alert:
    license_id, tenant_id, day = key
    start = day_start(day)
    rows = sum(group.rows for group in groups)
    return _alert(
        check_id, license_id, tenant_id, start, start + ONE_DAY, rows, evidence, explanation
    )


@check(
    "RESTRICTED_ACCESS",
    "SEC-ACCESS",
    Severity.HIGH,
    ("source_country", "tenant_country", "tenant_headquarters"),
    ("15 CFR 740 Supp. 1 (Country Groups D:5, E:1, E:2)", "15 CFR 744.23"),
)
def restricted_access(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """Access from, or by a tenant located or headquartered in, a country of E:1, E:2 or
    D:5, or Macau (Hong Kong counts as China): the license's SEC-ACCESS condition bars it."""
    wanted = {RowFlag.RESTRICTED_SOURCE, RowFlag.RESTRICTED_TENANT}
    for key, groups in _days(facts, lambda g: bool(g.flags & wanted)).items():
        sources = Counter[str]()
        for group in groups:
            if RowFlag.RESTRICTED_SOURCE in group.flags:
                sources[group.source_country] += group.rows
        evidence: dict[str, object] = {}
        said: list[str] = []
        if sources:
            evidence["source_country"] = _most(sources)
            if len(sources) > 1:
                evidence["source_countries"] = sorted(sources)
            said.append(f"access from {', '.join(sorted(sources))}")
        tenant = context.tenants.get(key[1])
        if tenant is not None:
            if tenant.country in context.restricted:
                evidence["tenant_country"] = tenant.country
                said.append(f"tenant located in {tenant.country}")
            if tenant.headquarters in context.restricted:
                evidence["tenant_headquarters"] = tenant.headquarters
                said.append(f"tenant headquartered in {tenant.headquarters}")
        yield _day_alert(
            "RESTRICTED_ACCESS",
            key,
            groups,
            evidence,
            f"{'; '.join(said).capitalize()}: SEC-ACCESS bars access from E:1, E:2, D:5 and MO.",
        )


@check(
    "LISTED_TENANT",
    "SEC-ACCESS",
    Severity.HIGH,
    ("tenant_name", "matched_name", "list", "entry", "score"),
    ("31 CFR ch. V", "15 CFR 764.3", "15 CFR 744.11"),
)
def listed_tenant(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """Usage by a tenant whose name, with its country, reaches the block threshold against
    an entry of the restricted-party lists in effect that day: SEC-ACCESS bars listed
    parties."""
    for key, groups in _days(facts, lambda g: RowFlag.LISTED in g.flags).items():
        listing = context.listed.get(key[1])
        tenant = context.tenants.get(key[1])
        if listing is None or tenant is None:
            continue
        evidence = {
            "tenant_name": tenant.name,
            "matched_name": listing.matched_name,
            "list": listing.list_code,
            "entry": listing.entry,
            "score": round(listing.score, 4),
        }
        yield _day_alert(
            "LISTED_TENANT",
            key,
            groups,
            evidence,
            f"Tenant {tenant.name!r} matches {listing.matched_name!r} ({listing.entry}, score "
            f"{listing.score:.2f}): SEC-ACCESS bars listed parties.",
        )


@check(
    "UNVERIFIED_TENANT",
    "SEC-KYC",
    Severity.MEDIUM,
    ("in_tenant_table", "kyc_verified"),
    ("15 CFR 7 (IaaS customer identification, 89 FR 5698)",),
)
def unverified_tenant(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """Usage by a tenant missing from the tenant table or whose identity is not verified:
    SEC-KYC asks that every user granted model or compute access be verified."""
    for key, groups in _days(facts, lambda g: RowFlag.UNVERIFIED in g.flags).items():
        tenant = context.tenants.get(key[1])
        evidence = {
            "in_tenant_table": tenant is not None,
            "kyc_verified": tenant.kyc_verified if tenant is not None else None,
        }
        why = "is not in the tenant table" if tenant is None else "has not passed KYC"
        yield _day_alert(
            "UNVERIFIED_TENANT",
            key,
            groups,
            evidence,
            f"Tenant {key[1]!r} {why}: SEC-KYC requires verified identities.",
        )


@check(
    "OFF_SITE_USE",
    "REEXPORT",
    Severity.HIGH,
    ("site", "site_country", "destination"),
    ("15 CFR 734.14 (reexport)", "15 CFR 734.16 (transfer in-country)"),
)
def off_site_use(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """Usage served from a site that is not one of the license's sites, or from a licensed
    site outside the license's destination: REEXPORT bars moving the items."""
    for key, groups in _days(facts, lambda g: RowFlag.OFF_SITE in g.flags).items():
        profile = context.profiles[key[0]]
        sites = Counter[str]()
        for group in groups:
            sites[group.site] += group.rows
        site = _most(sites)
        licensed = {s.id: s.country for s in profile.sites}
        evidence: dict[str, object] = {
            "site": site,
            "site_country": licensed.get(site),
            "destination": profile.destination,
        }
        if len(sites) > 1:
            evidence["sites"] = sorted(sites)
        why = (
            f"site {site!r} is not one of the license's sites"
            if site not in licensed
            else f"site {site!r} is in {licensed[site]}, not {profile.destination}"
        )
        yield _day_alert(
            "OFF_SITE_USE",
            key,
            groups,
            evidence,
            f"{why.capitalize()}: REEXPORT bars re-export or transfer without authorization.",
        )


@check(
    "LICENSE_NOT_VALID",
    LICENSE_TERMS,
    Severity.HIGH,
    ("reason", "valid_from", "valid_until"),
    ("15 CFR 750.7(g) (validity period)",),
)
def license_not_valid(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """Usage under a license the profiles do not name, or on a day outside its validity
    (valid_from to valid_until, both inclusive, UTC)."""
    for key, groups in _days(facts, lambda g: RowFlag.NOT_VALID in g.flags).items():
        profile = context.profiles.get(key[0])
        if profile is None:
            evidence: dict[str, object] = {"reason": "unknown license"}
            why = f"License {key[0]!r} is not known"
        else:
            before = key[2] < profile.valid_from
            evidence = {
                "reason": "before valid_from" if before else "after valid_until",
                "valid_from": profile.valid_from.isoformat(),
                "valid_until": profile.valid_until.isoformat(),
            }
            why = (
                f"Usage on {key[2]} is outside the license's validity "
                f"({profile.valid_from} to {profile.valid_until})"
            )
        yield _day_alert(
            "LICENSE_NOT_VALID", key, groups, evidence, f"{why}: no usage is authorised then."
        )


@check(
    "UNDECLARED_USE",
    LICENSE_END_USES,
    Severity.MEDIUM,
    ("declared_use", "end_uses"),
    ("15 CFR 750.7(a) (license terms and conditions)",),
)
def undeclared_use(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """A tenant declared an end use the license does not authorise."""
    for key, groups in _days(facts, lambda g: RowFlag.UNDECLARED in g.flags).items():
        profile = context.profiles[key[0]]
        uses = Counter[str]()
        for group in groups:
            uses[group.declared_use or ""] += group.rows
        use = _most(uses)
        evidence: dict[str, object] = {
            "declared_use": use,
            "end_uses": [str(u) for u in profile.end_uses],
        }
        if len(uses) > 1:
            evidence["declared_uses"] = sorted(uses)
        yield _day_alert(
            "UNDECLARED_USE",
            key,
            groups,
            evidence,
            f"Declared use {use!r} is not among the license's end uses "
            f"({', '.join(evidence['end_uses'])}).",  # type: ignore[arg-type]
        )


def _cap(limit: float) -> int:
    return round(limit * MICRO)


@check(
    "COMPUTE_CAP",
    LICENSE_LIMIT,
    Severity.MEDIUM,
    ("gpu_hours", "limit", "limit_kind"),
    ("15 CFR 750.7(a) (license terms and conditions)",),
)
def compute_cap(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """A license's GPU hours in a calendar month exceed its gpu_hours_per_month, or a
    tenant's GPU hours in a day exceed tenant_gpu_hours_per_day."""
    months: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    day_caps = {
        license_id: _cap(limit)
        for license_id, profile in context.profiles.items()
        if (limit := profile.limits.tenant_gpu_hours_per_day) is not None
    }
    for usage in facts.daily:
        profile = context.profiles.get(usage.license_id)
        if profile is None:
            continue
        per_day = profile.limits.tenant_gpu_hours_per_day
        if per_day is not None and usage.gpu_micro_hours > day_caps[usage.license_id]:
            start = day_start(usage.day)
            yield _alert(
                "COMPUTE_CAP",
                usage.license_id,
                usage.tenant_id,
                start,
                start + ONE_DAY,
                usage.rows,
                {
                    "gpu_hours": _hours(usage.gpu_micro_hours),
                    "limit": per_day,
                    "limit_kind": "tenant_gpu_hours_per_day",
                },
                f"Tenant {usage.tenant_id!r} used {_hours(usage.gpu_micro_hours):,} GPU hours "
                f"on {usage.day}, over the daily limit of {per_day:,}.",
            )
        if profile.limits.gpu_hours_per_month is not None:
            total = months[(usage.license_id, usage.day.replace(day=1))]
            total[0] += usage.gpu_micro_hours
            total[1] += usage.rows
    for (license_id, month), (micro_hours, rows) in months.items():
        limit = context.profiles[license_id].limits.gpu_hours_per_month
        assert limit is not None
        if micro_hours > _cap(limit):
            yield _alert(
                "COMPUTE_CAP",
                license_id,
                None,
                day_start(month),
                day_start(add_months(month, 1)),
                rows,
                {
                    "gpu_hours": _hours(micro_hours),
                    "limit": limit,
                    "limit_kind": "gpu_hours_per_month",
                },
                f"License {license_id!r} used {_hours(micro_hours):,} GPU hours in "
                f"{month:%Y-%m}, over its monthly limit of {limit:,}.",
            )


@check(
    "USAGE_SPIKE",
    "MON-REPORT",
    Severity.LOW,
    ("gpu_hours", "median", "mad", "z", "prior_days"),
    ("15 CFR 732 Supp. 3 (red flags)",),
)
def usage_spike(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """A tenant's GPU hours in a day stand far above its own trailing days: robust z-score
    (median and MAD × 1.4826 of the days with usage among the 28 before) above 6, with at
    least 7 such days. A change of pattern to report (MON-REPORT), not a violation by
    itself."""
    limits = context.thresholds
    # Daily totals come sorted by license, tenant and day (TelemetryFacts.canonical).
    for (license_id, tenant_id), days in groupby(facts.daily, key=_license_tenant):
        used = [d for d in days if d.gpu_micro_hours > 0]
        first = 0
        prior: list[int] = []  # the hours of the days in the window before today, sorted
        for today in used:
            earliest = today.day - dt.timedelta(days=limits.spike_window_days)
            while used[first].day < earliest:
                del prior[bisect_left(prior, used[first].gpu_micro_hours)]
                first += 1
            found = _robust_z(prior, today.gpu_micro_hours, limits)
            prior_days = len(prior)
            insort(prior, today.gpu_micro_hours)
            if found is None:
                continue
            middle, mad, z = found
            start = day_start(today.day)
            shown = f"{z:.1f}" if z is not None else "unbounded (no spread in prior days)"
            yield _alert(
                "USAGE_SPIKE",
                license_id,
                tenant_id,
                start,
                start + ONE_DAY,
                today.rows,
                {
                    "gpu_hours": _hours(today.gpu_micro_hours),
                    "median": _hours(round(middle)),
                    "mad": _hours(round(mad)),
                    "z": round(z, 2) if z is not None else None,
                    "prior_days": prior_days,
                },
                f"Tenant {tenant_id!r} used {_hours(today.gpu_micro_hours):,} GPU hours on "
                f"{today.day} against a median of {_hours(round(middle)):,} over "
                f"{prior_days} prior days (robust z {shown}, threshold "
                f"{limits.spike_z:g}).",
            )


def _robust_z(
    prior: Sequence[int], value: int, limits: Thresholds
) -> tuple[float, float, float | None] | None:
    """(median, MAD, z) of ``value`` against the sorted ``prior`` days when it is a spike
    (z None: no spread in the prior days), else None."""
    if len(prior) < limits.spike_min_prior_days:
        return None
    middle = _median_of_sorted(prior)
    excess = value - middle
    if excess <= 0:
        return None
    # z > spike_z needs MAD < excess / (scale × spike_z), so at least half the prior days
    # (n // 2 of n) within that distance of the median: counted by bisection, this rules
    # out nearly every day without sorting deviations (the bound is widened a little, so
    # rounding never rules out a spike).
    reach = excess / (limits.mad_scale * limits.spike_z) * (1 + 1e-9)
    near = bisect_left(prior, middle + reach) - bisect_right(prior, middle - reach)
    if near < len(prior) // 2:
        return None
    mad = _median_of_sorted(sorted(abs(v - middle) for v in prior))
    z = excess / (limits.mad_scale * mad) if mad > 0 else None
    if z is not None and z <= limits.spike_z:
        return None
    return middle, mad, z


def _median_of_sorted(values: Sequence[float]) -> float:
    """The median of sorted ``values``, as :func:`statistics.median` gives it."""
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


_SHIFT = 1074
_SCALE = 2**_SHIFT


def _exact(value: float) -> int:
    """``value`` × 2**1074 as an integer, exactly (every finite float is a multiple of
    2**-1074): sums of these do not depend on the order rows are added in."""
    numerator, denominator = value.as_integer_ratio()
    return numerator << (_SHIFT - (denominator.bit_length() - 1))


@check(
    "FRONTIER_TRAINING",
    "FRONTIER_TRAINING_D5",
    Severity.HIGH,
    ("training_ops", "cumulative_training_ops", "tenant_headquarters", "reason"),
    ("BIS guidance of 13 May 2025", "15 CFR 744.23"),
)
def frontier_training(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """A training job of more than 1e26 operations by a tenant headquartered in D:5 or
    Macau, or any tenant's training operations under one license adding up past 1e26 (the
    rows that take its running total over)."""
    limit = _exact(context.thresholds.frontier_training_ops)
    by_tenant: dict[tuple[str, str], list[tuple[dt.datetime, str, float]]] = defaultdict(list)
    for row in facts.training:
        by_tenant[(row.license_id, row.tenant_id)].append(
            (row.event_time, row.job_kind, row.training_ops)
        )
    for (license_id, tenant_id), rows in by_tenant.items():
        tenant = context.tenants.get(tenant_id)
        headquarters = tenant.headquarters if tenant is not None else None
        d5 = headquarters in context.frontier_headquarters
        rows.sort(key=lambda r: r[0])
        running = 0
        offending: dict[dt.date, list[tuple[float, bool, bool, int]]] = defaultdict(list)
        for moment, group in groupby(rows, key=lambda r: r[0]):
            same = list(group)
            before = running
            running += sum(_exact(ops) for _, _, ops in same)
            over = before <= limit < running  # the rows that take the total over
            for _, kind, ops in same:
                big = d5 and kind == "training" and _exact(ops) > limit
                if big or over:
                    offending[moment.date()].append((ops, big, over, running))
        for day, found in sorted(offending.items()):
            biggest = max(ops for ops, _, _, _ in found)
            reasons = []
            if any(big for _, big, _, _ in found):
                reasons.append("job over 1e26 by a D:5/MO-headquartered tenant")
            if any(over for _, _, over, _ in found):
                reasons.append("cumulative training over 1e26")
            cumulative = max(total for _, _, _, total in found) / _SCALE
            start = day_start(day)
            yield _alert(
                "FRONTIER_TRAINING",
                license_id,
                tenant_id,
                start,
                start + ONE_DAY,
                len(found),
                {
                    "training_ops": biggest,
                    "cumulative_training_ops": cumulative,
                    "tenant_headquarters": headquarters,
                    "reason": "; ".join(reasons),
                },
                f"Tenant {tenant_id!r} (headquarters {headquarters or 'unknown'}): "
                f"{'; '.join(reasons)} ({cumulative:.3g} operations so far).",
            )


@check(
    "LATE_REPORT",
    "MON-REPORT",
    Severity.MEDIUM,
    ("period_start", "period_end", "due", "report_every"),
    ("15 CFR 750.7(a) (license conditions)", "15 CFR 762 (recordkeeping)"),
)
def late_report(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """A report due for a period (monthly or quarterly from valid_from, due 15 days after
    the period ends) had not been received by the evaluation date."""
    grace = context.thresholds.report_grace_days
    for license_id, profile in context.profiles.items():
        for period in late(profile, grace, context.as_of):
            yield _alert(
                "LATE_REPORT",
                license_id,
                None,
                day_start(period.start),
                day_start(period.end + ONE_DAY),
                0,
                {
                    "period_start": period.start.isoformat(),
                    "period_end": period.end.isoformat(),
                    "due": period.due.isoformat(),
                    "report_every": str(profile.limits.report_every),
                },
                f"The {profile.limits.report_every} report for {period.start} to {period.end} "
                f"was due on {period.due} and had not been received by {context.as_of}.",
            )


def verify_all(
    attestations: Sequence[Attestation], keys: Mapping[str, Ed25519PublicKey]
) -> dict[Attestation, str]:
    """The attestations whose signature does not verify under their accelerator's key."""
    rejected: dict[Attestation, str] = {}
    for row in attestations:
        problem = verifies(row, keys)
        if problem is not None:
            rejected[row] = problem
    return rejected


def _licenses_of(site: str, context: MonitoringContext) -> list[str | None]:
    found = [
        license_id
        for license_id, profile in context.profiles.items()
        if any(s.id == site for s in profile.sites)
    ]
    return sorted(found) if found else [None]  # type: ignore[return-value]


@check(
    "LOCATION_INCONSISTENT",
    "MON-PSV",
    Severity.HIGH,
    ("accelerator_id", "site", "landmark", "rtt_ms", "min_rtt_ms"),
    ("Chip Security Act (location verification)", "15 CFR 750.7 (post-shipment verification)"),
)
def location_inconsistent(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """An accelerator answered a landmark faster than light in fibre could from its claimed
    site (round trip below 2 × great-circle distance ÷ 200 km/ms): it cannot be there.
    Verify-only: the check reads attestations and disables nothing."""
    usable = [row for row in attestations if row not in context.rejected]
    worst: dict[tuple[str, str], list[tuple[float, Attestation, float, float]]] = defaultdict(list)
    for row in usable:
        site, landmark = context.locations[row.site], context.locations[row.landmark]
        minimum = min_rtt_ms(site, landmark, context.thresholds)
        if row.rtt_ms < minimum:
            distance = great_circle_km(site, landmark, context.thresholds.earth_radius_km)
            worst[(row.accelerator_id, row.site)].append(
                (minimum - row.rtt_ms, row, minimum, distance)
            )
    signed = context.signed
    for (accelerator, site_id), found in worst.items():
        _shortfall, row, minimum, distance = max(
            found, key=lambda f: (f[0], -f[1].time.timestamp(), f[1].landmark)
        )
        times = [f[1].time for f in found]
        evidence = {
            "accelerator_id": accelerator,
            "site": site_id,
            "landmark": row.landmark,
            "rtt_ms": row.rtt_ms,
            "min_rtt_ms": round(minimum, 3),
            "distance_km": round(distance, 1),
            "attestations": len(found),
            "signatures_verified": signed,
        }
        note = "" if signed else " Signatures were not verified (no keys given)."
        for license_id in _licenses_of(site_id, context):
            yield _alert(
                "LOCATION_INCONSISTENT",
                license_id,
                None,
                min(times),
                max(times),
                len(found),
                evidence,
                f"Accelerator {accelerator!r} answered {row.landmark!r} in {row.rtt_ms} ms; from "
                f"{site_id!r}, {distance:,.0f} km away, light in fibre needs at least "
                f"{minimum:.3f} ms.{note}",
            )


@check(
    "ATTESTATION_UNVERIFIED",
    "MON-PSV",
    Severity.MEDIUM,
    ("accelerator_id", "site", "reason", "attestations"),
    ("Chip Security Act (location verification)",),
)
def attestation_unverified(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """With attestation keys: an attestation whose Ed25519 signature does not verify under
    its accelerator's key (or whose accelerator has no key) is not used, and is reported."""
    grouped: dict[tuple[str, str], list[tuple[Attestation, str]]] = defaultdict(list)
    for row, problem in context.rejected.items():
        grouped[(row.accelerator_id, row.site)].append((row, problem))
    for (accelerator, site), found in grouped.items():
        times = [row.time for row, _ in found]
        reasons = sorted({problem for _, problem in found})
        for license_id in _licenses_of(site, context):
            yield _alert(
                "ATTESTATION_UNVERIFIED",
                license_id,
                None,
                min(times),
                max(times),
                len(found),
                {
                    "accelerator_id": accelerator,
                    "site": site,
                    "reason": "; ".join(reasons),
                    "attestations": len(found),
                },
                f"{len(found)} attestation(s) of accelerator {accelerator!r} at {site!r} were "
                f"not used: {'; '.join(reasons)}.",
            )


# --- diversion red flags: signs to look into (15 CFR 732 Supp. 3, BIS guidance of 13 May
# 2025), each from data the telemetry and the tenant table hold ---------------------------


def _usage_windows(
    facts: TelemetryFacts, context: MonitoringContext, tenants: Container[str] | None = None
) -> dict[tuple[str, str], list[DailyUsage]]:
    """Each (license, tenant)'s days with usage, in order, under licenses the profiles name
    (of ``tenants`` only, when given)."""
    found: dict[tuple[str, str], list[DailyUsage]] = defaultdict(list)
    for usage in facts.daily:
        if tenants is not None and usage.tenant_id not in tenants:
            continue
        if usage.license_id in context.profiles and usage.rows:
            found[(usage.license_id, usage.tenant_id)].append(usage)
    return found


@check(
    "D5_TRAINING",
    RED_FLAGS,
    Severity.HIGH,
    ("tenant_headquarters", "job_kind", "gpu_hours"),
    (
        "BIS guidance of 13 May 2025 (IaaS training AI models for D:5 and Macau parties)",
        "15 CFR 744.23",
        "15 CFR 740 Supp. 1 (Country Group D:5)",
    ),
)
def d5_training(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """Training or fine-tuning, of any size, by a tenant headquartered in D:5 or Macau
    (Hong Kong counts as China): BIS warned in May 2025 that supplying compute to train AI
    models for such parties may need a license under Part 744."""
    for key, groups in _days(facts, lambda g: RowFlag.D5_TRAINING in g.flags).items():
        tenant = context.tenants.get(key[1])
        kinds = Counter[str]()
        micro = 0
        for group in groups:
            kinds[group.job_kind] += group.rows
            micro += group.gpu_micro_hours
        kind = _most(kinds)
        evidence: dict[str, object] = {
            "tenant_headquarters": tenant.headquarters if tenant is not None else None,
            "job_kind": kind,
            "gpu_hours": _hours(micro),
        }
        if len(kinds) > 1:
            evidence["job_kinds"] = sorted(kinds)
        yield _day_alert(
            "D5_TRAINING",
            key,
            groups,
            evidence,
            f"Tenant {key[1]!r}, headquartered in {evidence['tenant_headquarters']}, ran "
            f"{' and '.join(sorted(kinds)).replace('_', '-')} ({_hours(micro):,} GPU hours): "
            "compute for training models of D:5 and Macau parties is a red flag for Part 744.",
        )


@check(
    "NEW_TENANT_VOLUME",
    RED_FLAGS,
    Severity.MEDIUM,
    ("first_day", "gpu_hours", "license_gpu_hours", "share", "days_after_license_start"),
    (
        "15 CFR 732 Supp. 3 (red flags: a new customer, large orders)",
        "BIS guidance of 13 May 2025 (advanced computing red flags)",
    ),
)
def new_tenant_volume(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """A tenant new to a license (first seen at least new_tenant_history_days after the
    license's first usage, so the history shows it absent) whose first new_tenant_window_days
    take more than new_tenant_share of the license's GPU hours in those days: a first-time
    buyer of large volumes. Usage within the license's validity only; one alert per
    (license, tenant), its window those first days."""
    flags = context.thresholds.red_flags
    windows: dict[tuple[str, str], list[DailyUsage]] = {}
    for key, days in _usage_windows(facts, context).items():
        profile = context.profiles[key[0]]
        valid = [u for u in days if profile.valid_from <= u.day <= profile.valid_until]
        if valid:  # usage outside validity is LICENSE_NOT_VALID's, not a buyer's history
            windows[key] = valid
    per_license: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for (license_id, _tenant), days in windows.items():
        totals = per_license[license_id]
        for usage in days:
            totals[usage.day] += usage.gpu_micro_hours
    starts = {license_id: min(totals) for license_id, totals in per_license.items()}
    span = dt.timedelta(days=flags.new_tenant_window_days)
    for (license_id, tenant_id), days in windows.items():
        first = days[0].day
        waited = (first - starts[license_id]).days
        if waited < flags.new_tenant_history_days:
            continue
        inside = [u for u in days if u.day < first + span]
        mine = sum(u.gpu_micro_hours for u in inside)
        totals = per_license[license_id]
        theirs = sum(totals.get(first + dt.timedelta(days=d), 0) for d in range(span.days))
        if mine < _cap(flags.new_tenant_min_gpu_hours) or mine <= flags.new_tenant_share * theirs:
            continue
        share = mine / theirs
        start = day_start(first)
        yield _alert(
            "NEW_TENANT_VOLUME",
            license_id,
            tenant_id,
            start,
            start + span,
            sum(u.rows for u in inside),
            {
                "first_day": first.isoformat(),
                "gpu_hours": _hours(mine),
                "license_gpu_hours": _hours(theirs),
                "share": round(share, 4),
                "days_after_license_start": waited,
            },
            f"Tenant {tenant_id!r}, first seen on {first} ({waited} days after the license's "
            f"first usage), used {_hours(mine):,} GPU hours in its first {span.days} days: "
            f"{share:.0%} of the license's, over the {flags.new_tenant_share:.0%} red flag.",
        )


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[^\W_]+", text.casefold())) + " "


@check(
    "INTERMEDIARY_TENANT",
    RED_FLAGS,
    Severity.MEDIUM,
    ("tenant_name", "tenant_type", "matched"),
    (
        "15 CFR 732 Supp. 3 (red flags: a freight forwarding firm as the final destination)",
        "BIS guidance of 13 May 2025 (advanced computing red flags)",
    ),
)
def intermediary_tenant(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """Usage by a tenant whose type (reseller, distributor, freight forwarder…) or a word of
    whose name (freight, forwarding, trading, resale…) says it passes on what it buys: the
    end user of the compute is then someone the license never vetted. One alert per
    (license, tenant), its window the tenant's usage."""
    flags = context.thresholds.red_flags
    types = {t.casefold() for t in flags.intermediary_types}
    phrases = sorted(_words(w) for w in flags.intermediary_name_words)
    intermediaries: dict[str, list[str]] = {}
    for tenant_id, tenant in context.tenants.items():
        matched = []
        if tenant.type is not None and tenant.type.casefold() in types:
            matched.append(f"type {tenant.type}")
        name = _words(tenant.name)
        matched += [f"name {p.strip()!r}" for p in phrases if p in name]
        if matched:
            intermediaries[tenant_id] = matched
    if not intermediaries:
        return
    for (license_id, tenant_id), days in _usage_windows(facts, context, intermediaries).items():
        matched = intermediaries[tenant_id]
        tenant = context.tenants[tenant_id]
        yield _alert(
            "INTERMEDIARY_TENANT",
            license_id,
            tenant_id,
            day_start(days[0].day),
            day_start(days[-1].day) + ONE_DAY,
            sum(u.rows for u in days),
            {"tenant_name": tenant.name, "tenant_type": tenant.type, "matched": matched},
            f"Tenant {tenant.name!r} looks like an intermediary ({'; '.join(matched)}): "
            "who uses the compute it buys must be known before it is served.",
        )


@check(
    "USE_INCONSISTENT",
    RED_FLAGS,
    Severity.LOW,
    ("declared_use", "training_gpu_hours", "gpu_hours", "training_share", "training_uses"),
    (
        "15 CFR 732 Supp. 3 (red flags: capabilities that do not fit the buyer's line of business)",
        "BIS guidance of 13 May 2025 (advanced computing red flags)",
    ),
)
def use_inconsistent(
    facts: TelemetryFacts, attestations: Sequence[Attestation], context: MonitoringContext
) -> Iterator[Alert]:
    """A tenant whose rows declare an end use that involves no model training (anything
    but training_uses) while training takes more than inconsistent_training_share of
    their GPU hours: the usage does not fit the declared use. One alert per (license,
    tenant), its window the offending rows' days."""
    flags = context.thresholds.red_flags
    consistent = {str(use) for use in flags.training_uses}
    by_use: dict[tuple[str, str, str], list[DeclaredUsage]] = defaultdict(list)
    for usage in facts.declared:
        if usage.license_id in context.profiles and usage.declared_use not in consistent:
            by_use[(usage.license_id, usage.tenant_id, usage.declared_use)].append(usage)
    offending: dict[tuple[str, str], list[tuple[str, int, int, list[DeclaredUsage]]]] = defaultdict(
        list
    )
    for (license_id, tenant_id, use), kinds in by_use.items():
        total = sum(k.gpu_micro_hours for k in kinds)
        training = sum(k.gpu_micro_hours for k in kinds if k.job_kind == "training")
        if training >= _cap(flags.inconsistent_min_gpu_hours) and (
            training > flags.inconsistent_training_share * total
        ):
            offending[(license_id, tenant_id)].append((use, training, total, kinds))
    for (license_id, tenant_id), found in offending.items():
        use, training, total, _ = max(found, key=lambda f: (f[1], f[0]))
        every = [k for *_, kinds in found for k in kinds]
        evidence: dict[str, object] = {
            "declared_use": use,
            "training_gpu_hours": _hours(training),
            "gpu_hours": _hours(total),
            "training_share": round(training / total, 4),
            "training_uses": sorted(consistent),
        }
        if len(found) > 1:
            evidence["declared_uses"] = sorted(f[0] for f in found)
        yield _alert(
            "USE_INCONSISTENT",
            license_id,
            tenant_id,
            day_start(min(k.first_day for k in every)),
            day_start(max(k.last_day for k in every)) + ONE_DAY,
            sum(k.rows for k in every),
            evidence,
            f"Tenant {tenant_id!r} declared {use!r}, yet training took {training / total:.0%} "
            f"of those rows' {_hours(total):,} GPU hours: the usage does not fit the use.",
        )


CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        c.id: c
        for c in (
            restricted_access,
            listed_tenant,
            unverified_tenant,
            off_site_use,
            license_not_valid,
            undeclared_use,
            compute_cap,
            usage_spike,
            frontier_training,
            late_report,
            location_inconsistent,
            attestation_unverified,
            d5_training,
            new_tenant_volume,
            intermediary_tenant,
            use_inconsistent,
        )
    }
)
"""Every check by id: the contract's, in its order, then the diversion red flags."""


def run_checks(
    facts: TelemetryFacts,
    attestations: Sequence[Attestation],
    context: MonitoringContext,
    only: Iterable[str] | None = None,
) -> list[Alert]:
    """Every alert of every check (or of ``only``), for the licenses each applies to,
    sorted by check, license, tenant and window."""
    facts = facts.canonical()
    attestations = sorted(
        attestations, key=lambda a: (a.accelerator_id, a.site, a.time, a.landmark, a.rtt_ms)
    )
    chosen = [CHECKS[c] for c in only] if only is not None else list(CHECKS.values())
    alerts: list[Alert] = []
    for found in chosen:
        for alert in found.run(facts, attestations, context):
            profile = context.profiles.get(alert.license_id or "")
            if found.applies_to(profile):
                alerts.append(alert)
    alerts.sort(key=Alert.sort_key)
    return alerts

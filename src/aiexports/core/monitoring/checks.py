"""License conditions as code: one small function per check, its docstring its
explanation. Each reads the facts an engine extracted from telemetry (the same facts from
every engine) and yields alerts; the set a license gets follows from its conditions."""

from __future__ import annotations

import datetime as dt
import inspect
from bisect import bisect_left, bisect_right, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from types import MappingProxyType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from aiexports.core.monitoring.location import great_circle_km, min_rtt_ms, verifies
from aiexports.core.monitoring.model import (
    MICRO,
    Alert,
    Attestation,
    DailyUsage,
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
ALWAYS_CHECKED = frozenset({LICENSE_TERMS, LICENSE_LIMIT, LICENSE_END_USES, "FRONTIER_TRAINING_D5"})
"""Conditions every license is checked for, whatever its listed conditions: its own
terms, and the frontier-training rule of law (a finding's rule, not a license rider)."""


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
    for usage in facts.daily:
        profile = context.profiles.get(usage.license_id)
        if profile is None:
            continue
        per_day = profile.limits.tenant_gpu_hours_per_day
        if per_day is not None and usage.gpu_micro_hours > _cap(per_day):
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
    series: dict[tuple[str, str], list[DailyUsage]] = defaultdict(list)
    for usage in facts.daily:
        series[(usage.license_id, usage.tenant_id)].append(usage)
    for (license_id, tenant_id), days in series.items():
        used = sorted((d for d in days if d.gpu_micro_hours > 0), key=lambda d: d.day)
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
        )
    }
)
"""Every check by id, in the contract's order."""


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

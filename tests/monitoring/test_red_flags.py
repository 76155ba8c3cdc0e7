"""The diversion red flags at their edges, each case read off the rule in
``data/monitoring/thresholds.yaml`` (red_flags) and the checks' explanations: how new, how
large a share, which words, which uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from aiexports.core.monitoring.checks import CHECKS, MonitoringContext, run_checks
from aiexports.core.monitoring.model import (
    MICRO,
    Alert,
    DailyUsage,
    DeclaredUsage,
    MonitoringProfile,
    TelemetryFacts,
    Tenant,
    Thresholds,
)
from aiexports.runtime import Runtime
from aiexports.services.monitoring import MonitorInputs, run_monitor
from aiexports.sources.reference import monitoring_thresholds

START = dt.date(2026, 1, 1)
THRESHOLDS: Thresholds = monitoring_thresholds().on(dt.date(2026, 12, 1))
PROFILE = MonitoringProfile.model_validate(
    {
        "license_id": "L-1",
        "destination": "DE",
        "end_uses": ["healthcare", "research"],
        "sites": [{"id": "de-fra-1", "country": "DE"}],
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
    }
)


def _tenant(tenant_id: str, name: str = "Aspen Ridge Analytics GmbH", **more: object) -> Tenant:
    fields: dict[str, object] = {
        "tenant_id": tenant_id,
        "name": name,
        "country": "DE",
        "headquarters": "DE",
        "type": "private",
        "kyc_verified": True,
    }
    return Tenant.model_validate(fields | more)


def _context(*tenants: Tenant, profile: MonitoringProfile = PROFILE) -> MonitoringContext:
    return MonitoringContext(
        {"L-1": profile},
        {t.tenant_id: t for t in tenants},
        {},
        frozenset({"CN", "HK", "MO", "RU", "IR"}),
        frozenset({"CN", "HK", "MO", "RU"}),
        THRESHOLDS,
        dt.date(2026, 12, 1),
        {},
    )


def _day(tenant: str, day: int, hours: float, rows: int = 1) -> DailyUsage:
    return DailyUsage("L-1", tenant, START + dt.timedelta(days=day), round(hours * MICRO), rows)


def _run(
    context: MonitoringContext,
    daily: Sequence[DailyUsage] = (),
    declared: Sequence[DeclaredUsage] = (),
    check: str = "NEW_TENANT_VOLUME",
) -> list[Alert]:
    facts = TelemetryFacts((), daily, (), sum(d.rows for d in daily), declared)
    return run_checks(facts, (), context, only=[check])


def _steady(days: int = 120, hours: float = 100.0) -> list[DailyUsage]:
    """An incumbent tenant using the license every day from its start."""
    return [_day("incumbent", d, hours) for d in range(days)]


# --- NEW_TENANT_VOLUME ------------------------------------------------------------------


def _newcomer(first: int, hours: float, days: int = 10) -> list[DailyUsage]:
    return [_day("newcomer", first + d, hours) for d in range(days)]


def test_a_new_tenant_taking_over_a_quarter_of_its_first_30_days_is_flagged() -> None:
    # 30 days of the incumbent: 3,000 h; ten days of 40 h: 400 h, 11.8% -> quiet;
    # ten days of 110 h: 1,100 h of 4,100 h, 26.8% -> flagged.
    context = _context(_tenant("incumbent"), _tenant("newcomer"))
    assert _run(context, _steady() + _newcomer(40, 40)) == []
    [alert] = _run(context, _steady() + _newcomer(40, 110))
    assert (alert.tenant_id, alert.window_start, alert.window_end) == (
        "newcomer",
        dt.datetime(2026, 2, 10),
        dt.datetime(2026, 3, 12),
    )
    assert alert.evidence["share"] == round(1100 / 4100, 4)
    assert alert.evidence["days_after_license_start"] == 40


def test_exactly_a_quarter_is_not_over_it() -> None:
    # 1,000 h of 4,000 h in the window.
    context = _context(_tenant("incumbent"), _tenant("newcomer"))
    assert _run(context, _steady() + _newcomer(40, 100)) == []


def test_a_tenant_there_from_the_start_has_no_history_to_be_new_against() -> None:
    # First seen 27 days after the license's first usage: too soon to call it new; 28: new.
    context = _context(_tenant("incumbent"), _tenant("newcomer"))
    assert _run(context, _steady() + _newcomer(27, 500)) == []
    assert len(_run(context, _steady() + _newcomer(28, 500))) == 1


def test_a_small_newcomer_is_not_a_large_volume_however_quiet_the_license() -> None:
    # 99 h is under the 100 h floor even though it is nearly all the license's usage.
    context = _context(_tenant("incumbent"), _tenant("newcomer"))
    quiet = _steady(hours=0.1)
    assert _run(context, quiet + _newcomer(40, 9.9)) == []
    assert len(_run(context, quiet + _newcomer(40, 10.1))) == 1


def test_usage_outside_the_license_validity_is_not_a_buyer_history() -> None:
    ended = PROFILE.model_copy(update={"valid_until": dt.date(2026, 3, 1)})
    context = _context(_tenant("incumbent"), _tenant("newcomer"), profile=ended)
    # The newcomer's days all fall after valid_until (2026-03-01 is day 59).
    assert _run(context, _steady(days=59) + _newcomer(70, 500)) == []


# --- INTERMEDIARY_TENANT ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "matched"),
    [
        (
            "Harbor Vale FREIGHT-FORWARDING 0042 Ltd",
            "private",
            ["name 'forwarding'", "name 'freight'"],
        ),
        ("Cedar Glen Trading Co Ltd", "private", ["name 'trading'"]),
        ("Quartz Bay Import/Export FZ LLC", "private", ["name 'import export'"]),
        ("Aspen Ridge Analytics GmbH", "Reseller", ["type Reseller"]),
    ],
)
def test_an_intermediary_is_known_by_its_type_or_a_whole_word_of_its_name(
    name: str, kind: str, matched: list[str]
) -> None:
    context = _context(_tenant("t-1", name, type=kind))
    [alert] = _run(
        context,
        [_day("t-1", 3, 2.0, rows=4), _day("t-1", 9, 1.0, rows=2)],
        check="INTERMEDIARY_TENANT",
    )
    assert alert.evidence["matched"] == matched
    assert (alert.window_start, alert.window_end, alert.rows) == (
        dt.datetime(2026, 1, 4),
        dt.datetime(2026, 1, 11),
        6,
    )


@pytest.mark.parametrize(
    "name", ["Tradewinds Analytics Ltd", "Freightliner Data Systems Inc", "Importa Exportadora SA"]
)
def test_a_word_inside_another_is_no_intermediary(name: str) -> None:
    context = _context(_tenant("t-1", name))
    assert _run(context, [_day("t-1", 3, 2.0)], check="INTERMEDIARY_TENANT") == []


# --- USE_INCONSISTENT -------------------------------------------------------------------


def _declared(use: str, kind: str, hours: float, first: int = 5, last: int = 9) -> DeclaredUsage:
    return DeclaredUsage(
        "L-1",
        "t-1",
        use,
        kind,
        round(hours * MICRO),
        3,
        START + dt.timedelta(days=first),
        START + dt.timedelta(days=last),
    )


def test_training_over_half_of_a_use_that_involves_none_is_flagged() -> None:
    context = _context(_tenant("t-1"))
    mostly = [_declared("healthcare", "training", 60), _declared("healthcare", "inference", 40)]
    [alert] = _run(context, declared=mostly, check="USE_INCONSISTENT")
    assert alert.evidence["training_share"] == 0.6
    half = [_declared("healthcare", "training", 50), _declared("healthcare", "inference", 50)]
    assert _run(context, declared=half, check="USE_INCONSISTENT") == []


def test_training_under_research_or_fine_tuning_is_consistent() -> None:
    context = _context(_tenant("t-1"))
    research = [_declared("research", "training", 90), _declared("research", "inference", 10)]
    assert _run(context, declared=research, check="USE_INCONSISTENT") == []
    tuned = [_declared("healthcare", "fine_tuning", 90), _declared("healthcare", "inference", 10)]
    assert _run(context, declared=tuned, check="USE_INCONSISTENT") == []


def test_a_few_training_hours_are_no_pattern() -> None:
    context = _context(_tenant("t-1"))
    assert (
        _run(context, declared=[_declared("healthcare", "training", 9.9)], check="USE_INCONSISTENT")
        == []
    )


# --- D5_TRAINING, through the engine's SQL ----------------------------------------------

TELEMETRY = """event_time,license_id,tenant_id,source_country,site,component,job_kind,gpu_hours
2026-03-02 10:00:00,L-1,t-hk,DE,de-fra-1,gpu,fine_tuning,2.5
2026-03-02 11:00:00,L-1,t-hk,DE,de-fra-1,gpu,training,1.5
2026-03-03 10:00:00,L-1,t-hk,DE,de-fra-1,gpu,inference,4
2026-03-02 10:00:00,L-1,t-de,DE,de-fra-1,gpu,training,9
"""
TENANTS = """tenant_id,name,country,headquarters,type,kyc_verified
t-hk,Kestrel Brook Learning Ltd,SG,HK,private,true
t-de,Aspen Ridge Analytics GmbH,DE,DE,private,true
"""
PROFILES = """- license_id: L-1
  destination: DE
  end_uses: [healthcare]
  sites: [{id: de-fra-1, country: DE}]
  valid_from: 2026-01-01
  valid_until: 2026-12-31
"""


def test_training_by_a_tenant_headquartered_in_hong_kong_is_flagged_per_day(
    tmp_path: Path,
) -> None:
    (tmp_path / "telemetry.csv").write_text(TELEMETRY)
    (tmp_path / "tenants.csv").write_text(TENANTS)
    (tmp_path / "profiles.yaml").write_text(PROFILES)
    inputs = MonitorInputs(
        tmp_path / "telemetry.csv",
        tmp_path / "tenants.csv",
        tmp_path / "profiles.yaml",
        as_of=dt.date(2026, 3, 10),
    )
    run = run_monitor(Runtime.from_environment(), inputs)
    found = [a for a in run.alerts if a.check == "D5_TRAINING"]
    assert [(a.tenant_id, a.window_start, a.rows) for a in found] == [
        ("t-hk", dt.datetime(2026, 3, 2), 2)
    ]
    assert found[0].evidence == {
        "tenant_headquarters": "HK",
        "job_kind": "fine_tuning",  # ties go to the first in order
        "gpu_hours": 4.0,
        "job_kinds": ["fine_tuning", "training"],
    }
    assert CHECKS["D5_TRAINING"].applies_to(PROFILE.model_copy(update={"conditions": ("HRDD",)}))

"""The use cases every edge calls, tested directly with a runtime built from settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aiexports.core.vocabulary import Outcome, PackageStatus
from aiexports.errors import InputError, NotFoundError
from aiexports.runtime import IndexCache, Runtime
from aiexports.services import catalog, lists, policies
from aiexports.services.deals import read_deal
from aiexports.settings import Settings
from tests.conftest import FIXTURES, ROOT

INDEXES = IndexCache()
DEALS = ROOT / "examples" / "deals"
DPL = FIXTURES / "lists" / "download" / "bis-dpl.txt"
MOMENT = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return Runtime(Settings(home=tmp_path / "home"), clock=lambda: MOMENT, indexes=INDEXES)


def test_the_menu_listing_and_its_contract(runtime: Runtime) -> None:
    listing = catalog.list_menu(runtime)
    assert listing.version == runtime.reference.menu.version
    assert len(listing.packages) == len(runtime.reference.menu.packages)
    rows = listing.contract()
    assert {row["id"] for row in rows} == {p.id for p in listing.packages}
    assert set(rows[0]) >= {"id", "title", "status", "tier", "sectors", "consortium"}
    designated = catalog.list_menu(runtime, PackageStatus.DESIGNATED)
    assert all(p.status is PackageStatus.DESIGNATED for p in designated.packages)


def test_a_partner_profile_names_the_packages_targeting_it(runtime: Runtime) -> None:
    found = catalog.partner_profile(runtime, "sa")
    assert found.profile.code == "SA"
    expected = {
        p.id for p in runtime.reference.menu.packages.values() if "SA" in p.target_countries
    }
    assert set(found.packages) == expected
    assert found.contract()["countries_version"] == runtime.countries.version
    with pytest.raises(NotFoundError):
        catalog.partner_profile(runtime, "QQ")


def test_validating_the_bundled_packages_passes(runtime: Runtime) -> None:
    folder = ROOT / "src" / "aiexports" / "data" / "menu"
    checks = catalog.validate_packages(runtime, [folder])
    assert checks
    assert all(check.passed for check in checks), [c.findings for c in checks]
    with pytest.raises(InputError):
        catalog.validate_packages(runtime, [folder / "missing.yaml"])


def test_a_policy_view_explains_rules_with_the_parameters_on_its_date(
    runtime: Runtime,
) -> None:
    view = policies.show_policy(runtime, "us-baseline", dt.date(2026, 3, 1))
    program = next(r for r in view.rules if r.id == "PROGRAM_CONDITIONS")
    psv = view.parameters["psv_min_accelerators"]
    assert f"{psv:,} or more accelerators" in program.explanation
    assert "psv_min_accelerators" in program.reads
    contract = view.contract()
    assert contract["parameters_on"] == "2026-03-01"
    assert contract["parameter_declarations"]["psv_min_accelerators"]["unit"] == "accelerators"
    today = policies.show_policy(runtime, "us-baseline")
    assert today.day == MOMENT.date()  # the runtime's clock, not the machine's


def test_assessing_through_the_runtime(runtime: Runtime) -> None:
    sourced = read_deal(DEALS / "sovereign-cloud-saudi-arabia.yaml", runtime.countries)
    assessor = runtime.assessor()
    determination = assessor.decide(sourced)
    assert determination.outcome is Outcome.LICENSE_REQUIRED
    assert determination.data_versions["lists"] == lists.active_lists(runtime).snapshot.version
    explained = assessor.explanations(sourced.deal)
    assert set(explained) >= {f.rule for f in determination.findings}


def test_installing_lists_then_history_and_rollback(runtime: Runtime) -> None:
    assert lists.active_lists(runtime).origin == "bundled"
    assert lists.list_history(runtime).versions == ()
    update = lists.install_lists(runtime, [DPL], force=True)
    assert update.installed is not None
    assert update.installed.installed_at == MOMENT
    active = lists.active_lists(runtime)
    assert active.origin == "installed"
    assert active.contract()["version"] == update.new_version
    history = lists.list_history(runtime)
    assert [v.active for v in history.versions] == [True]
    with pytest.raises(NotFoundError):
        lists.activate_version(runtime, 99)


def test_the_runtime_builds_each_index_once(runtime: Runtime, tmp_path: Path) -> None:
    snapshot = lists.active_lists(runtime).snapshot
    first = runtime.screener(snapshot)
    other = Runtime(Settings(home=tmp_path / "other"), indexes=INDEXES)
    assert other.screener(snapshot) is first
    alone = Runtime(Settings(home=tmp_path / "alone"))
    assert alone.indexes is not INDEXES


def test_a_runtime_screens_with_lists_installed_after_it_first_loaded_them(
    runtime: Runtime,
) -> None:
    """A long-lived runtime (the service's) sees a `lists update` made meanwhile."""
    before = runtime.lists()
    assert before.origin == "bundled"
    update = lists.install_lists(runtime, [DPL], force=True)
    after = runtime.lists()
    assert after.origin == "installed"
    assert after.snapshot is not None
    assert after.snapshot.version == update.new_version != before.snapshot.version  # type: ignore[union-attr]
    assert runtime.list_ages(after)[0].feed in {f.provenance.feed for f in after.snapshot.feeds}

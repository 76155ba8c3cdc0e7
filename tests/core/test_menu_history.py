"""The menu as it stood on a date, and what changed between two dates, rebuilt from the
menu's ordered record (every designation, suspension, reinstatement and retirement)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aiexports.core.differences import changed_fields
from aiexports.core.proposals import (
    MenuEntry,
    MenuStatus,
    ProposalState,
    menu_as_of,
    menu_diff,
    menu_move,
    proposal_move,
)
from aiexports.errors import ConflictError

D = dt.date.fromisoformat


def _package(package_id: str, version: int, **fields: Any) -> dict[str, Any]:
    return {"id": package_id, "version": version, "title": package_id.title(), **fields}


def _record() -> list[MenuEntry]:
    rows = [
        ("alpha", 1, MenuStatus.DESIGNATED, "2026-01-10", {"targets": ["IN"]}),
        ("beta", 1, MenuStatus.DESIGNATED, "2026-02-01", {"targets": ["BR"]}),
        ("alpha", 1, MenuStatus.SUSPENDED, "2026-03-01", {"targets": ["IN"]}),
        ("alpha", 1, MenuStatus.DESIGNATED, "2026-03-15", {"targets": ["IN"]}),
        ("beta", 2, MenuStatus.DESIGNATED, "2026-04-01", {"targets": ["BR", "PE"]}),
        ("alpha", 1, MenuStatus.RETIRED, "2026-05-01", {"targets": ["IN"]}),
    ]
    return [
        MenuEntry(seq, pid, version, status, D(day), _package(pid, version, **extra), "why")
        for seq, (pid, version, status, day, extra) in enumerate(rows, start=1)
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-01-09", {}),
        ("2026-01-10", {"alpha": (1, "designated")}),
        ("2026-02-01", {"alpha": (1, "designated"), "beta": (1, "designated")}),
        ("2026-03-01", {"alpha": (1, "suspended"), "beta": (1, "designated")}),
        ("2026-03-14", {"alpha": (1, "suspended"), "beta": (1, "designated")}),
        ("2026-03-15", {"alpha": (1, "designated"), "beta": (1, "designated")}),
        ("2026-04-01", {"alpha": (1, "designated"), "beta": (2, "designated")}),
        ("2026-05-01", {"beta": (2, "designated")}),
    ],
)
def test_the_menu_on_each_date_is_exactly_as_recorded(day: str, expected: dict[str, Any]) -> None:
    found = menu_as_of(_record(), D(day))
    assert {k: (e.package_version, str(e.status)) for k, e in found.items()} == expected


def test_entries_recorded_out_of_date_order_count_by_their_effective_date() -> None:
    record = _record()
    late = MenuEntry(
        99, "gamma", 1, MenuStatus.DESIGNATED, D("2026-01-01"), _package("gamma", 1), "x"
    )
    assert "gamma" in menu_as_of([*record, late], D("2026-01-05"))


def test_the_diff_lists_added_removed_and_changed_with_their_fields() -> None:
    diff = menu_diff(_record(), D("2026-02-15"), D("2026-05-01"))
    assert [e.package_id for e in diff.added] == []
    assert [e.package_id for e in diff.removed] == ["alpha"]
    (change,) = diff.changed
    assert change.package_id == "beta"
    assert change.fields == ("targets", "version")
    diff = menu_diff(_record(), D("2026-01-01"), D("2026-02-15"))
    assert [e.package_id for e in diff.added] == ["alpha", "beta"]
    assert diff.removed == ()
    assert diff.changed == ()


def test_a_suspension_shows_as_a_changed_status() -> None:
    record = _record()
    # Status lives in the stored document too, as the service stores it.
    suspended = [
        MenuEntry(
            e.seq,
            e.package_id,
            e.package_version,
            e.status,
            e.effective,
            {**e.package, "status": str(e.status)},
            e.reason,
        )
        for e in record
    ]
    (change,) = menu_diff(suspended, D("2026-02-15"), D("2026-03-01")).changed
    assert change.package_id == "alpha"
    assert change.fields == ("status",)


def test_changed_fields_names_nested_paths() -> None:
    a = {"layers": {"hardware": {"share": 0.6, "parts": [1, 2]}}, "title": "x"}
    b = {"layers": {"hardware": {"share": 0.7, "parts": [1, 3]}}, "title": "x", "new": 1}
    assert changed_fields(a, b) == ("layers.hardware.parts[1]", "layers.hardware.share", "new")
    assert changed_fields({"l": [1]}, {"l": [1, 2]}) == ("l",)
    assert changed_fields(a, a) == ()


def test_the_state_machines_refuse_moves_from_the_wrong_state() -> None:
    assert proposal_move(ProposalState.DRAFT, "submit") is ProposalState.SUBMITTED
    assert proposal_move(ProposalState.UNDER_EVALUATION, "return") is ProposalState.RETURNED
    assert proposal_move(ProposalState.RETURNED, "submit") is ProposalState.SUBMITTED
    with pytest.raises(ConflictError, match="cannot designate a proposal that is submitted"):
        proposal_move(ProposalState.SUBMITTED, "designate")
    with pytest.raises(ConflictError):
        proposal_move(ProposalState.DESIGNATED, "edit")
    assert menu_move(None, "designate", "p") is MenuStatus.DESIGNATED
    assert menu_move(MenuStatus.SUSPENDED, "reinstate", "p") is MenuStatus.DESIGNATED
    with pytest.raises(ConflictError, match="not on the menu"):
        menu_move(None, "suspend", "p")
    with pytest.raises(ConflictError):
        menu_move(MenuStatus.RETIRED, "reinstate", "p")

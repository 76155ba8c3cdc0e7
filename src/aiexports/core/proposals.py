"""Package proposals and the versioned menu: the proposal state machine, and the menu as
it stood on any date, rebuilt from the ordered record of every change to it.

The menu's record is append-only: each entry says that from ``effective`` on, package
``package_id`` (at ``package_version``, with its full document) has ``status``. The menu on
a date holds, for each package, its newest entry effective on or before that date, when
that entry's status keeps it on the menu (designated, or suspended — a suspended package is
shown as such so that buyers see it, and cannot be dealt under the program until
reinstated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from aiexports.core.differences import changed_fields
from aiexports.errors import ConflictError


class ProposalState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_EVALUATION = "under_evaluation"
    DESIGNATED = "designated"
    REJECTED = "rejected"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


P = ProposalState
PROPOSAL_MOVES: Mapping[str, tuple[frozenset[ProposalState], ProposalState | None]] = (
    MappingProxyType(
        {
            "edit": (frozenset({P.DRAFT, P.RETURNED}), None),
            "submit": (frozenset({P.DRAFT, P.RETURNED}), P.SUBMITTED),
            "evaluate": (frozenset({P.SUBMITTED}), P.UNDER_EVALUATION),
            "score": (frozenset({P.UNDER_EVALUATION}), None),
            "designate": (frozenset({P.UNDER_EVALUATION}), P.DESIGNATED),
            "reject": (frozenset({P.SUBMITTED, P.UNDER_EVALUATION}), P.REJECTED),
            "return": (frozenset({P.SUBMITTED, P.UNDER_EVALUATION}), P.RETURNED),
            "withdraw": (frozenset({P.DRAFT, P.SUBMITTED, P.RETURNED}), P.WITHDRAWN),
        }
    )
)
"""action → (the states it may be taken from, the state it leads to; None: unchanged)."""

DECISIONS = ("designate", "reject", "return")
"""What the program office decides on a proposal under evaluation."""


def proposal_move(state: ProposalState, action: str) -> ProposalState:
    allowed, to = PROPOSAL_MOVES[action]
    if state not in allowed:
        words = ", ".join(sorted(allowed))
        raise ConflictError(f"cannot {action} a proposal that is {state} (only when {words})")
    return to or state


class MenuStatus(StrEnum):
    DESIGNATED = "designated"
    SUSPENDED = "suspended"
    RETIRED = "retired"


ON_MENU = frozenset({MenuStatus.DESIGNATED, MenuStatus.SUSPENDED})

MENU_MOVES: Mapping[str, tuple[frozenset[MenuStatus | None], MenuStatus]] = MappingProxyType(
    {
        # None: not on the menu (never designated, or retired and proposed again).
        "designate": (
            frozenset({None, MenuStatus.DESIGNATED, MenuStatus.RETIRED}),
            MenuStatus.DESIGNATED,
        ),
        "suspend": (frozenset({MenuStatus.DESIGNATED}), MenuStatus.SUSPENDED),
        "reinstate": (frozenset({MenuStatus.SUSPENDED}), MenuStatus.DESIGNATED),
        "retire": (frozenset({MenuStatus.DESIGNATED, MenuStatus.SUSPENDED}), MenuStatus.RETIRED),
    }
)


def menu_move(status: MenuStatus | None, action: str, package_id: str) -> MenuStatus:
    allowed, to = MENU_MOVES[action]
    if status not in allowed:
        now = str(status) if status is not None else "not on the menu"
        raise ConflictError(f"cannot {action} package {package_id!r}: it is {now}")
    return to


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """One change to the menu, in the order it was recorded (``seq``)."""

    seq: int
    package_id: str
    package_version: int
    status: MenuStatus
    effective: dt.date
    package: Mapping[str, Any]
    """The package document as designated (its ``status`` and ``status_date`` set)."""
    reason: str
    proposal_id: str | None = None


def menu_as_of(entries: Iterable[MenuEntry], day: dt.date) -> dict[str, MenuEntry]:
    """Package id → its entry on the menu as it stood at the end of ``day``."""
    newest: dict[str, MenuEntry] = {}
    for entry in sorted(entries, key=lambda e: (e.effective, e.seq)):
        if entry.effective > day:
            break
        newest[entry.package_id] = entry
    return {k: e for k, e in sorted(newest.items()) if e.status in ON_MENU}


@dataclass(frozen=True, slots=True)
class PackageChange:
    package_id: str
    before: MenuEntry
    after: MenuEntry
    fields: tuple[str, ...]
    """The dotted paths of the package document that differ (``status`` among them)."""


@dataclass(frozen=True, slots=True)
class MenuDiff:
    start: dt.date
    end: dt.date
    added: tuple[MenuEntry, ...]
    removed: tuple[MenuEntry, ...]
    changed: tuple[PackageChange, ...]


def menu_diff(entries: Iterable[MenuEntry], start: dt.date, end: dt.date) -> MenuDiff:
    """What changed on the menu between the end of ``start`` and the end of ``end``."""
    kept = list(entries)
    before, after = menu_as_of(kept, start), menu_as_of(kept, end)
    changed = []
    for package_id in sorted(set(before) & set(after)):
        fields = changed_fields(before[package_id].package, after[package_id].package)
        if fields:
            changed.append(PackageChange(package_id, before[package_id], after[package_id], fields))
    return MenuDiff(
        start,
        end,
        added=tuple(after[k] for k in sorted(set(after) - set(before))),
        removed=tuple(before[k] for k in sorted(set(before) - set(after))),
        changed=tuple(changed),
    )

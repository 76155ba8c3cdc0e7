"""Reads of the menu's record shared by the program office's and the licensing use
cases: what a package's standing on the menu is now."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from aiexports.core.proposals import MenuEntry, MenuStatus
from aiexports.core.vocabulary import PackageStatus
from aiexports.errors import ConflictError
from aiexports.storage.service_store import Transaction
from aiexports.storage.tables import menu_entries


def entry_of(row: Any) -> MenuEntry:
    return MenuEntry(
        seq=int(row.seq),
        package_id=row.package_id,
        package_version=int(row.package_version),
        status=MenuStatus(row.status),
        effective=row.effective,
        package=row.package,
        reason=row.reason,
        proposal_id=row.proposal_id,
    )


def current_entry(tx: Transaction, package_id: str) -> MenuEntry | None:
    """The package's newest entry (whatever its effective date): what it is now."""
    row = tx.one(_NEWEST_ENTRY, {"package_id": package_id})
    return entry_of(row) if row is not None else None


# Built once: every submission and approval reads it (see ``service_store``).
_NEWEST_ENTRY = (
    select(menu_entries)
    .where(menu_entries.c.package_id == bindparam("package_id"))
    .order_by(menu_entries.c.seq.desc())
    .limit(1)
)


def require_designated(
    tx: Transaction, package_id: str, doing: str, bundled: PackageStatus | None
) -> None:
    """A deal under a package gets the program's treatment only while the package is
    designated: a suspended, retired or never-designated package refuses ``doing`` (an
    export of the same items can still be applied for without naming the package). A
    record not yet seeded is read as the bundled menu (``bundled``: the package's status
    there)."""
    entry = current_entry(tx, package_id)
    if entry is None:
        seeded = tx.one(select(menu_entries.c.seq).limit(1)) is not None
        if not seeded and bundled in (None, PackageStatus.DESIGNATED):
            return  # an unknown package is the engine's to refuse, with the field named
        raise ConflictError(
            f"package {package_id[:100]!r} is not designated on the menu: {doing} refused"
        )
    if entry.status is not MenuStatus.DESIGNATED:
        raise ConflictError(
            f"package {package_id!r} is {entry.status} on the menu since "
            f"{entry.effective.isoformat()} ({entry.reason}): {doing} refused until it is "
            "reinstated; the items can be applied for without naming the package"
        )

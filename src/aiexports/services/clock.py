"""The licensing clock of each application and the officers' queue, most urgent first
(how days are counted: :mod:`aiexports.core.clock`). Both are read from the audit trail,
where every state change is recorded with its time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select

from aiexports.core.clock import LicensingClock, StateChange, licensing_clock
from aiexports.errors import InputError, Issue
from aiexports.services.access import Principal, require
from aiexports.services.request_fields import Page, decode_cursor, encode_cursor
from aiexports.storage.service_store import Transaction, applications
from aiexports.storage.tables import audit_log

if TYPE_CHECKING:
    from aiexports.services.licensing import Licensing

OPEN_STATES = ("submitted", "under_review")
ASSIGNED = ("any", "me", "none")


def application_clock(licensing: Licensing, who: Principal, app_id: str) -> dict[str, Any]:
    with licensing.store.reading() as tx:
        row = licensing.visible_application(tx, who, app_id, "application.read")
        changes = _changes(tx, [row.id])[row.id]
    found = licensing_clock(changes, row.state, row.assigned_to, licensing.clock())
    return {"application": row.id, **found.contract()}


def queue(
    licensing: Licensing,
    who: Principal,
    assigned: str = "any",
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """Submitted and under-review applications, fewest days left against the target
    first (overdue ones at the top), then the oldest submission."""
    require(who, "queue.read")
    if assigned not in ASSIGNED:
        error = InputError(Issue(f"one of {', '.join(ASSIGNED)}", field="assigned"))
        error.root = "query"  # type: ignore[attr-defined]
        raise error
    c = applications.c
    statement = select(applications).where(c.state.in_(OPEN_STATES))
    if assigned == "me":
        statement = statement.where(c.assigned_to == who.user_id)
    elif assigned == "none":
        statement = statement.where(c.assigned_to.is_(None))
    now = licensing.clock()
    with licensing.store.reading() as tx:
        rows = list(tx.all(statement))
        changes = _changes(tx, [r.id for r in rows])
    clocks = [
        (row, licensing_clock(changes[row.id], row.state, row.assigned_to, now)) for row in rows
    ]
    clocks.sort(key=lambda pair: (*pair[1].urgency(), pair[0].seq))
    start = decode_cursor(cursor) or 0
    page = clocks[start : start + limit]
    more = start + limit < len(clocks)
    return Page(
        [_queue_item(row, found) for row, found in page],
        encode_cursor(start + limit) if more else None,
    )


def _queue_item(row: Any, found: LicensingClock) -> dict[str, Any]:
    return {
        "application": row.id,
        "reference": row.document.get("reference"),
        "organization": row.organization_id,
        "destination": row.destination,
        "state": row.state,
        "assigned_to": row.assigned_to,
        "submitted_on": found.submitted_on.isoformat() if found.submitted_on else None,
        "agency_days": found.agency_days,
        "days_remaining": found.days_remaining,
        "overdue": found.overdue,
        "expected_decision": found.expected_decision.isoformat()
        if found.expected_decision
        else None,
        "holder": found.holder,
        "held_by": found.held_by,
    }


def _changes(tx: Transaction, app_ids: Iterable[str]) -> dict[str, list[StateChange]]:
    ids = list(app_ids)
    found: dict[str, list[StateChange]] = defaultdict(list)
    for start in range(0, len(ids), 500):  # bounded IN lists
        rows = tx.all(
            select(audit_log.c.object_id, audit_log.c.at, audit_log.c.actor, audit_log.c.after)
            .where(
                and_(
                    audit_log.c.object_type == "application",
                    audit_log.c.object_id.in_(ids[start : start + 500]),
                )
            )
            .order_by(audit_log.c.seq)
        )
        for r in rows:
            state = r.after.get("state") if isinstance(r.after, dict) else None
            if state is None:
                continue
            at = dt.datetime.fromisoformat(r.at.replace("Z", "+00:00"))
            by = r.actor.get("user") if isinstance(r.actor, dict) else None
            found[r.object_id].append(StateChange(at, state, by))
    return found

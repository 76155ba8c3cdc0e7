"""Reading, verifying and exporting the audit trail (service spec §6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, or_, select

from aiexports.core.audit import ChainVerdict, verify_chain
from aiexports.errors import InputError, Issue
from aiexports.services.access import Principal, Role, require
from aiexports.services.request_fields import Page, decode_cursor, encode_cursor
from aiexports.storage.service_store import ServiceStore, applications, audit_entry, rfc3339
from aiexports.storage.tables import audit_log, proposals


def verify(store: ServiceStore) -> ChainVerdict:
    """Walk the whole chain against the count its head records."""
    entries = store.audit_entries()
    try:
        return verify_chain(entries, store.audit_count())
    finally:
        entries.close()  # a walk that stops early still releases its cursor


def verify_for(store: ServiceStore, who: Principal) -> ChainVerdict:
    require(who, "audit.read")
    return verify(store)


def export(store: ServiceStore, since: str | None = None) -> Iterator[dict[str, Any]]:
    """The entries, in order, as JSON objects a third party checks with the hash rule."""
    return store.audit_entries(since_text(since) if since is not None else None)


def list_entries(
    store: ServiceStore,
    who: Principal,
    object_id: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """The trail, newest first. An analyst sees no entry about another organisation's
    application or proposal that was never submitted (spec §2: its drafts are not theirs
    to read)."""
    require(who, "audit.read")
    c = audit_log.c
    conditions = []
    if object_id is not None:
        conditions.append(c.object_id == object_id)
    if since is not None:
        conditions.append(c.at >= since_text(since))
    after = decode_cursor(cursor)
    if after is not None:
        conditions.append(c.seq < after)
    if who.role is Role.ANALYST:
        hidden = select(applications.c.id).where(
            and_(
                applications.c.submitted_at.is_(None),
                applications.c.organization_id != who.organization_id,
            )
        )
        conditions.append(or_(c.object_type != "application", c.object_id.not_in(hidden)))
        drafts = select(proposals.c.id).where(
            and_(
                proposals.c.submitted_at.is_(None),
                proposals.c.organization_id != who.organization_id,
            )
        )
        conditions.append(or_(c.object_type != "proposal", c.object_id.not_in(drafts)))
    statement = select(audit_log).order_by(c.seq.desc())
    if conditions:
        statement = statement.where(and_(*conditions))
    entries: list[dict[str, Any]] = []
    last_seq: int | None = None
    more = False
    with store.reading() as tx:
        # The actor is a JSON object, filtered here on every database: read in batches
        # until the page is full, so the page is as long as asked.
        result = tx.connection.execute(statement.execution_options(yield_per=500))
        try:
            for row in result:
                entry = audit_entry(row)
                if actor is not None and actor not in _actor_names(entry["actor"]):
                    continue
                if len(entries) == limit:
                    more = True
                    break
                entries.append(entry)
                last_seq = entry["seq"]
        finally:
            result.close()
    return Page(entries, encode_cursor(last_seq) if more and last_seq is not None else None)


def since_text(since: str) -> str:
    """A date or an RFC 3339 time as the trail writes its times (UTC, microseconds, Z),
    so that comparing the texts compares the moments."""
    import datetime as dt  # noqa: PLC0415

    try:
        if len(since) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError(since)
        return rfc3339(moment)
    except (ValueError, OverflowError):
        error = InputError(
            Issue(f"{since[:40]!r} is not a date or a time with its offset", field="since")
        )
        error.root = "query"  # type: ignore[attr-defined]
        raise error from None


def _actor_names(actor: dict[str, Any]) -> tuple[str, ...]:
    """How an entry's actor may be asked for: by user id, or as ``organization/user``."""
    return (str(actor.get("user")), f"{actor.get('organization')}/{actor.get('name')}")

"""Reading, verifying and exporting the audit trail (service spec §6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, select

from aiexports.core.audit import ChainVerdict, verify_chain
from aiexports.errors import InputError, Issue
from aiexports.services.access import Principal, require
from aiexports.services.licensing import Page, decode_cursor, encode_cursor
from aiexports.storage.service_store import ServiceStore, audit_entry
from aiexports.storage.tables import audit_log


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
    if since is not None and not _is_day(since):
        raise InputError(Issue(f"{since!r} is not a date (YYYY-MM-DD)", field="since"))
    return store.audit_entries(since)


def list_entries(
    store: ServiceStore,
    who: Principal,
    object_id: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    require(who, "audit.read")
    c = audit_log.c
    statement = select(audit_log).order_by(c.seq.desc()).limit(limit + 1)
    conditions = []
    if object_id is not None:
        conditions.append(c.object_id == object_id)
    if since is not None:
        if not _is_day(since) and "T" not in since:
            raise InputError(Issue(f"{since!r} is not a date or time", field="since"))
        conditions.append(c.at >= since)
    after = decode_cursor(cursor)
    if after is not None:
        conditions.append(c.seq < after)
    if conditions:
        statement = statement.where(and_(*conditions))
    with store.reading() as tx:
        rows = list(tx.all(statement))
    entries = [audit_entry(row) for row in rows]
    if actor is not None:  # the actor is a JSON object: filtered here, on every database
        entries = [e for e in entries if actor in (e["actor"].get("user"), e["actor"].get("name"))]
    more = len(rows) > limit
    return Page(entries[:limit], encode_cursor(rows[limit - 1].seq) if more else None)


def _is_day(text: str) -> bool:
    import datetime as dt  # noqa: PLC0415

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10

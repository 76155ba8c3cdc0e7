"""Idempotency keys (service spec §1): a creating request repeated with the same key by
the same user within 24 hours answers the first response, and creates nothing twice.

The key is claimed in a transaction of its own before the work starts, so a repeat that
arrives while the first is still at work finds the claim and gets 409; the first's
response is stored when it is done. A request that fails with a server error releases its
claim (it created nothing; a retry may try again)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.exc import IntegrityError

from aiexports.core.audit import canonical_json
from aiexports.errors import ConflictError, InputError, Issue
from aiexports.storage.service_store import ServiceStore, idempotency_keys

WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    headers: dict[str, str]


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(canonical_json([method, path]).encode() + b"\n" + body).hexdigest()


def once(
    store: ServiceStore,
    user_id: str,
    key: str,
    fingerprint: str,
    now: dt.datetime,
    perform: Callable[[], Response],
) -> Response:
    """``perform`` run at most once for (user, key)."""
    if not 1 <= len(key) <= 255:
        raise InputError(Issue("an Idempotency-Key is 1–255 characters", field="Idempotency-Key"))
    c = idempotency_keys.c
    where = and_(c.user_id == user_id, c.key == key)
    with store.transaction(now) as tx:
        found = tx.one(select(idempotency_keys).where(where))
        if found is not None and _as_utc(found.created_at) < now - WINDOW:
            tx.connection.execute(delete(idempotency_keys).where(where))
            found = None
        if found is None:
            try:
                with tx.connection.begin_nested():
                    tx.insert(
                        idempotency_keys,
                        user_id=user_id,
                        key=key,
                        request_hash=fingerprint,
                        created_at=now,
                    )
            except IntegrityError:
                found = tx.one(select(idempotency_keys).where(where))
    if found is not None:
        if found.request_hash != fingerprint:
            error = InputError(
                Issue("this Idempotency-Key was used with another request", field="Idempotency-Key")
            )
            error.root = "header"  # type: ignore[attr-defined]
            raise error
        if found.status is None:
            raise ConflictError("a request with this Idempotency-Key is still being processed")
        return Response(int(found.status), found.response, dict(found.headers or {}))
    try:
        response = perform()
    except BaseException:
        with store.transaction(now) as tx:
            tx.connection.execute(delete(idempotency_keys).where(where))
        raise
    with store.transaction(now) as tx:
        tx.connection.execute(
            update(idempotency_keys)
            .where(where)
            .values(status=response.status, response=response.body, headers=response.headers)
        )
    return response


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)

"""Web sign-in (service spec §7): a password checked with Argon2id, a session whose
random token only the browser holds (the database keeps its hash), a CSRF token per
session, and failed sign-ins slowed down per user and per address.

Slowing down: after ``FREE_FAILURES`` failures in a row, the next attempt for that user or
from that address must wait ``2 ** (failures - FREE_FAILURES)`` seconds (at most
``MAX_WAIT``); an attempt during the wait is refused without checking the password. A
success clears the user's count."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from aiexports.errors import ServiceError
from aiexports.services.access import Principal
from aiexports.services.accounts import hash_password, password_matches, principal_of
from aiexports.storage.service_store import ServiceStore, as_utc, organizations, users
from aiexports.storage.tables import sign_in_failures, web_sessions

SESSION_HOURS = 8
FREE_FAILURES = 5
MAX_WAIT = dt.timedelta(minutes=15)
_DECOY = hash_password(secrets.token_urlsafe(16))
"""Checked when the user does not exist, so that an unknown name takes as long as a wrong
password (the answer never tells which)."""


class TooManyAttemptsError(ServiceError):
    status = 429
    title = "Too many requests"

    def __init__(self, wait: dt.timedelta) -> None:
        seconds = max(1, int(wait.total_seconds()))
        super().__init__(f"too many failed sign-ins: try again in {seconds} s")
        self.retry_after = seconds


@dataclass(frozen=True)
class Session:
    token: str
    """For the cookie only: never stored."""
    csrf: str
    principal: Principal
    expires_at: dt.datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _wait(failures: int, last: dt.datetime, now: dt.datetime) -> dt.timedelta:
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    wait = min(dt.timedelta(seconds=2 ** (failures - FREE_FAILURES)), MAX_WAIT)
    return max(dt.timedelta(0), as_utc(last) + wait - now)


def sign_in(
    store: ServiceStore, username: str, password: str, address: str, now: dt.datetime
) -> Session | None:
    """A new session for ``<organization>/<user>`` if the password is theirs; None when it
    is not (or the user is unknown); 429 while failures are being slowed down."""
    keys = (f"user:{username[:200]}", f"address:{address[:200]}")
    with store.reading() as tx:
        counts = tx.all(select(sign_in_failures).where(sign_in_failures.c.key.in_(keys)))
    waits = [_wait(row.failures, row.last_at, now) for row in counts]
    if waits and max(waits) > dt.timedelta(0):
        raise TooManyAttemptsError(max(waits))
    slug, _, name = username.partition("/")
    with store.reading() as tx:
        row = tx.one(
            select(users, organizations.c.slug, organizations.c.kind, organizations.c.country)
            .join(organizations, organizations.c.id == users.c.organization_id)
            .where((organizations.c.slug == slug) & (users.c.name == name))
        )
    matches = password_matches(row.password_hash if row is not None else _DECOY, password)
    if row is None or not matches:
        _failed(store, keys, now)
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=SESSION_HOURS)
    principal = principal_of(row)
    with store.transaction(now) as tx:
        tx.connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key == keys[0]))
        tx.connection.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
        tx.insert(
            web_sessions,
            token_hash=_hash(token),
            user_id=principal.user_id,
            csrf=csrf,
            created_at=now,
            expires_at=expires,
        )
        tx.record(principal.actor(), "session.create", "user", principal.user_id)
    return Session(token, csrf, principal, expires)


def _failed(store: ServiceStore, keys: tuple[str, ...], now: dt.datetime) -> None:
    with store.transaction(now) as tx:
        for key in keys:
            found = tx.one(select(sign_in_failures.c.failures).where(sign_in_failures.c.key == key))
            if found is None:
                tx.insert(sign_in_failures, key=key, failures=1, last_at=now)
            else:
                tx.connection.execute(
                    update(sign_in_failures)
                    .where(sign_in_failures.c.key == key)
                    .values(failures=sign_in_failures.c.failures + 1, last_at=now)
                )


def session_of(store: ServiceStore, token: str | None, now: dt.datetime) -> Session | None:
    """The live session a cookie's token names, if any."""
    if not token or len(token) > 200:
        return None
    statement = (
        select(
            web_sessions.c.csrf,
            web_sessions.c.expires_at,
            users,
            organizations.c.slug,
            organizations.c.kind,
            organizations.c.country,
        )
        .join(users, users.c.id == web_sessions.c.user_id)
        .join(organizations, organizations.c.id == users.c.organization_id)
        .where(web_sessions.c.token_hash == _hash(token))
    )
    with store.reading() as tx:
        row = tx.one(statement)
    if row is None or as_utc(row.expires_at) <= now:
        return None
    return Session(token, row.csrf, principal_of(row), as_utc(row.expires_at))


def sign_out(store: ServiceStore, session: Session, now: dt.datetime) -> None:
    with store.transaction(now) as tx:
        tx.connection.execute(
            delete(web_sessions).where(web_sessions.c.token_hash == _hash(session.token))
        )
        tx.record(session.principal.actor(), "session.end", "user", session.principal.user_id)

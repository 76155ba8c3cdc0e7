"""Web sign-in (service spec §7): a password checked with Argon2id, a session whose
random token only the browser holds (the database keeps its hash), a CSRF token per
session, and failed sign-ins slowed down per user and per address.

Slowing down: every attempt is counted against the user from that address, and against
the address (see :func:`attempt_keys`); past the free attempts of a key, the next must wait
``2 ** (attempts - free)`` seconds (at most ``MAX_WAIT``), and an attempt during the wait is
refused without checking the password or counting. A success clears its user's count; a
run of attempts is forgotten an hour after its last."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from aiexports.errors import ConflictError, ServiceError
from aiexports.services.access import Principal
from aiexports.services.accounts import hash_password, password_matches, principal_of
from aiexports.storage.service_store import ServiceStore, as_utc, organizations, users
from aiexports.storage.tables import sign_in_failures, web_sessions

SESSION_HOURS = 8
FREE_FAILURES = 5
ADDRESS_FACTOR = 4
MAX_WAIT = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=1)
"""A run of failures older than this (since its last failure) counts no more."""
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


def _wait(failures: int, last: dt.datetime, now: dt.datetime, free: int) -> dt.timedelta:
    if failures < free:
        return dt.timedelta(0)
    wait = min(dt.timedelta(seconds=2 ** min(failures - free, 20)), MAX_WAIT)
    return max(dt.timedelta(0), as_utc(last) + wait - now)


def attempt_keys(username: str, address: str) -> tuple[tuple[str, int], ...]:
    """What failures are counted against, each with the failures it allows before the
    waits start: the user *from this address* (so that nobody elsewhere can lock a user
    out by guessing wrong on purpose), and the address itself, more loosely (one address
    guessing at many users; an office behind one address makes honest typos too)."""
    return (
        (f"user:{username[:200]}|address:{address[:80]}", FREE_FAILURES),
        (f"address:{address[:200]}", FREE_FAILURES * ADDRESS_FACTOR),
    )


def sign_in(
    store: ServiceStore, username: str, password: str, address: str, now: dt.datetime
) -> Session | None:
    """A new session for ``<organization>/<user>`` if the password is theirs; None when it
    is not (or the user is unknown); 429 while failures are being slowed down.

    The attempt is counted before the password is checked, in one transaction holding the
    counters' rows: parallel guesses queue on them and cannot all pass the check."""
    keys = attempt_keys(username, address)
    _count_attempt(store, keys, now)
    slug, _, name = username.partition("/")
    with store.reading() as tx:
        row = tx.one(
            select(users, organizations.c.slug, organizations.c.kind, organizations.c.country)
            .join(organizations, organizations.c.id == users.c.organization_id)
            .where((organizations.c.slug == slug) & (users.c.name == name))
        )
    stored = row.password_hash if row is not None else None
    # Argon2 runs whatever the user: an unknown name, or a user without a password,
    # takes as long as a wrong password.
    matches = password_matches(stored or _DECOY, password) and stored is not None
    if row is None or not matches:
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=SESSION_HOURS)
    principal = principal_of(row)
    with store.transaction(now) as tx:
        tx.connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key == keys[0][0]))
        # This attempt was counted against the address too; a success takes it back, so
        # an office signing in all day through one address is never slowed down.
        tx.connection.execute(
            update(sign_in_failures)
            .where((sign_in_failures.c.key == keys[1][0]) & (sign_in_failures.c.failures > 0))
            .values(failures=sign_in_failures.c.failures - 1)
        )
        tx.connection.execute(
            delete(sign_in_failures).where(sign_in_failures.c.last_at < now - FORGET_AFTER)
        )
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


def _count_attempt(
    store: ServiceStore, keys: tuple[tuple[str, int], ...], now: dt.datetime
) -> None:
    """Refuse the attempt while a wait runs (counting nothing); otherwise count it."""
    for _ in range(3):  # two first attempts may both insert a key: the loser counts again
        try:
            with store.transaction(now) as tx:
                waits = []
                for key, free in keys:
                    found = tx.one(
                        select(sign_in_failures)
                        .where(sign_in_failures.c.key == key)
                        .with_for_update()
                    )
                    if found is None:
                        tx.insert(sign_in_failures, key=key, failures=1, last_at=now)
                        continue
                    failures = int(found.failures)
                    if as_utc(found.last_at) < now - FORGET_AFTER:
                        failures = 0  # an old run of failures is forgotten
                    wait = _wait(failures, found.last_at, now, free)
                    if wait > dt.timedelta(0):
                        waits.append(wait)
                        continue
                    tx.connection.execute(
                        update(sign_in_failures)
                        .where(sign_in_failures.c.key == key)
                        .values(failures=failures + 1, last_at=now)
                    )
                if waits:
                    raise TooManyAttemptsError(max(waits))
            return
        except ConflictError:
            continue
    raise TooManyAttemptsError(dt.timedelta(seconds=1))


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

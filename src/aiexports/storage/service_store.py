"""The service's records in the database: the repository the use cases work through.

Every change happens inside :meth:`ServiceStore.transaction`, which appends the change's
audit entries in the same transaction: a request is all or nothing, and no change is ever
without its entry. Races are settled by the database, never by a read followed by a
write: state changes update the row only at the version the caller saw, depletion adds a
shipment only while it stays within the license, and audit entries are numbered under the
lock of the chain's head row."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import threading
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from functools import cache
from typing import Any

try:  # advisory file locks (POSIX); elsewhere only the in-process lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import (
    Connection,
    Engine,
    LargeBinary,
    Row,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError

from aiexports.core.audit import GENESIS, canonical_json, entry_hash
from aiexports.errors import ConflictError, InputError, StorageError
from aiexports.storage.database import WRITE, describe, reason
from aiexports.storage.tables import (
    applications,
    audit_head,
    audit_log,
    determinations,
    documents,
    idempotency_keys,
    license_conditions,
    license_items,
    license_revisions,
    licenses,
    organizations,
    shipments,
    tokens,
    users,
)

SYSTEM_ACTOR = {"user": "system", "name": "aiexports", "organization": "system"}
"""The actor of changes made from the command line or by the service itself."""


def new_id(prefix: str) -> str:
    """An opaque id: a prefix saying what it names, and 80 random bits."""
    return f"{prefix}_{secrets.token_hex(10)}"


def rfc3339(moment: dt.datetime) -> str:
    """UTC, to the microsecond, with a ``Z``: the one text form of a time."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive times; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class Transaction:
    """One unit of work on the service's tables."""

    def __init__(self, connection: Connection, now: dt.datetime) -> None:
        self.connection = connection
        self.now = now
        self._pending: list[dict[str, Any]] = []
        self.chained: list[dict[str, Any]] = []
        """The entries this transaction appended to the chain, as hashed."""

    # --- audit ---------------------------------------------------------------------------

    def record(
        self,
        actor: Mapping[str, str],
        action: str,
        object_type: str,
        object_id: str,
        before: object = None,
        after: object = None,
    ) -> None:
        """Queue an audit entry; entries are chained when the transaction commits (the
        head's lock is held only for the end of the transaction)."""
        self._pending.append(
            {
                "at": rfc3339(self.now),
                "actor": dict(actor),
                "action": action,
                "object": {"type": object_type, "id": object_id},
                "before": _plain(before),
                "after": _plain(after),
            }
        )

    def chain_pending(self) -> None:
        if not self._pending:
            return
        if (
            len(self._pending) == 1
            and self.connection.dialect.name == "postgresql"
            and max(self._pending[0]) < "prev_hash"  # the rule's text ends prev_hash, seq
        ):
            self._append_one_in_sql(self._pending.pop())
            return
        head = self.connection.execute(_HEAD_FOR_UPDATE).one()
        seq, previous = int(head.seq), str(head.hash)
        rows = []
        for entry in self._pending:
            seq += 1
            full = {"seq": seq, **entry, "prev_hash": previous}
            full["hash"] = entry_hash(full)
            rows.append({**_columns(full), "seq": seq, "prev_hash": previous, "hash": full["hash"]})
            previous = full["hash"]
            self.chained.append(full)
        self.connection.execute(_inserting(audit_log), rows)
        self.connection.execute(_HEAD_MOVE, {"seq": seq, "hash": previous})
        self._pending.clear()

    def _append_one_in_sql(self, entry: dict[str, Any]) -> None:
        """One entry appended in one statement, the head locked, read and moved in it and
        the entry's hash computed by the database: the head's lock is what every writer
        queues on, held here from this statement to the commit. The hash rule's text is
        the entry's canonical JSON, whose last fields (in key order) are ``prev_hash`` and
        ``seq``: the text before them is made here, the rest from the head."""
        body = canonical_json(entry)
        prefix = body[:-1] + ',"prev_hash":"'

        appended = self.connection.execute(
            _APPEND_HASHED_IN_SQL, {**_columns(entry), "prefix": prefix.encode("utf-8")}
        ).one()
        full = {"seq": int(appended.seq), **entry, "prev_hash": appended.prev_hash}
        full["hash"] = appended.hash
        self.chained.append(full)

    # --- organisations and users -----------------------------------------------------------

    def insert(self, table: Table, **values: object) -> None:
        self.connection.execute(_inserting(table), values)

    def one(
        self, statement: Any, parameters: Mapping[str, object] | None = None
    ) -> Row[Any] | None:
        return self.connection.execute(statement, parameters).first()

    def all(
        self, statement: Any, parameters: Mapping[str, object] | None = None
    ) -> Sequence[Row[Any]]:
        return self.connection.execute(statement, parameters).all()

    def update_at_version(self, table: Any, row_id: str, version: int, **values: object) -> bool:
        """Update the row ``row_id`` only if it is still at ``version`` (and step the
        version): the second of two writers that saw one version changes nothing."""
        done = self.connection.execute(
            _updating_at_version(table),
            {"row_id": row_id, "seen_version": version, "version": version + 1, **values},
        )
        return done.rowcount == 1

    def deplete(self, license_id: str, component: str, quantity: int, value_cents: int) -> bool:
        """Add a shipment's item to what is shipped, only if it stays within the license."""
        items = license_items.c
        done = self.connection.execute(
            update(license_items)
            .where(
                and_(
                    items.license_id == license_id,
                    items.component == component,
                    items.shipped_quantity + quantity <= items.quantity,
                    items.shipped_value_cents + value_cents <= items.value_cents,
                )
            )
            .values(
                shipped_quantity=items.shipped_quantity + quantity,
                shipped_value_cents=items.shipped_value_cents + value_cents,
            )
        )
        return done.rowcount == 1


def _columns(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry's fields as the audit log's columns (but for the chain's own)."""
    return {
        "at": entry["at"],
        "actor": entry["actor"],
        "action": entry["action"],
        "object_type": entry["object"]["type"],
        "object_id": entry["object"]["id"],
        "before": entry["before"],
        "after": entry["after"],
    }


# Statements built once and executed with parameters: building a statement and its cache
# key costs more than running it on the hot paths (every submission runs several).
_HEAD_FOR_UPDATE = select(audit_head.c.seq, audit_head.c.hash).with_for_update()
_HEAD_MOVE = update(audit_head).values(seq=bindparam("seq"), hash=bindparam("hash"))


def _append_hashed_in_sql() -> Any:
    """PostgreSQL only (data-modifying CTEs): the head locked; the entry inserted after
    it, hashed by the rule (``prefix`` is the canonical JSON up to the previous hash's
    text); the head moved to it; the entry's seq, prev_hash and hash returned."""
    head = select(audit_head.c.seq, audit_head.c.hash).with_for_update().cte("head")
    seq = head.c.seq + 1
    rest = head.c.hash + literal('","seq":') + cast(seq, Text) + literal("}")
    digest = func.encode(
        func.sha256(bindparam("prefix", type_=LargeBinary).op("||")(func.convert_to(rest, "UTF8"))),
        "hex",
    )
    given = [c for c in audit_log.columns if c.name not in ("seq", "prev_hash", "hash")]
    appended = (
        insert(audit_log)
        .from_select(
            ["seq", *(c.name for c in given), "prev_hash", "hash"],
            select(seq, *(bindparam(c.name, type_=c.type) for c in given), head.c.hash, digest),
        )
        .returning(audit_log.c.seq, audit_log.c.prev_hash, audit_log.c.hash)
        .cte("appended")
    )
    # The head is set from scalar subqueries, with no condition on the row: the statement
    # reads from its start's snapshot, and a condition on the head's old values would
    # skip the row a writer before this one has moved (the lock taken in ``head``
    # waits for that writer, and the update then applies to the row it left).
    return (
        update(audit_head)
        .values(
            seq=select(appended.c.seq).scalar_subquery(),
            hash=select(appended.c.hash).scalar_subquery(),
        )
        .returning(
            audit_head.c.seq,
            select(appended.c.prev_hash).scalar_subquery().label("prev_hash"),
            audit_head.c.hash,
        )
    )


_APPEND_HASHED_IN_SQL = _append_hashed_in_sql()


@cache
def _inserting(table: Table) -> Any:
    """An insert into ``table`` whose columns are the keys of the parameters given."""
    return insert(table)


@cache
def _updating_at_version(table: Table) -> Any:
    """An update of one row at the version its writer saw; the columns set are the keys
    of the parameters given (other than ``row_id`` and ``seen_version``)."""
    return update(table).where(
        and_(table.c.id == bindparam("row_id"), table.c.version == bindparam("seen_version"))
    )


def _plain(value: object) -> object:
    """A JSON value (what the chain hashes must read back identically): times as RFC
    3339 text, dates as ISO dates."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_json_default, allow_nan=False))


def _json_default(value: object) -> object:
    if isinstance(value, dt.datetime):
        return rfc3339(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not recorded in the audit trail")


class SqliteWriters:
    """SQLite has one writer at a time. Writers queue here rather than in SQLite's busy
    handler, which sleeps and retries (a long tail under load): the threads of a process
    on a lock, the processes (``serve --workers``) on an advisory lock of a file beside
    the database, which the kernel hands to the next waiter at once."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        self._file: int | None = None
        self._path = f"{database}.writer" if database not in (None, "", ":memory:") else None

    def __enter__(self) -> None:
        self._threads.acquire()
        if self._path is not None and fcntl is not None:
            try:
                if self._file is None:
                    self._file = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._file, fcntl.LOCK_EX)
            except OSError:
                pass  # no lock file (a read-only folder): SQLite's own locking still holds

    def __exit__(self, *_: object) -> None:
        if self._file is not None and fcntl is not None:
            with suppress(OSError):
                fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()


@dataclass(frozen=True)
class Stages:
    """The two stages of :meth:`ServiceStore.read_then_write`, each a transaction's
    context (entered one after the other, never nested)."""

    reading: Callable[[], AbstractContextManager[Transaction]]
    writing: Callable[[], AbstractContextManager[Transaction]]


class ServiceStore:
    """The service's database (the list store shares it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer: AbstractContextManager[Any] = nullcontext()
        if engine.dialect.name == "sqlite":
            self._writer = SqliteWriters(engine.url.database)

    @contextmanager
    def transaction(self, now: dt.datetime) -> Iterator[Transaction]:
        """A writing transaction: committed with its audit entries, or rolled back whole."""
        yield from self._transaction(now)

    def _transaction(self, now: dt.datetime) -> Iterator[Transaction]:
        try:
            # The writers' queue (SQLite's one writer at a time) is joined before a
            # connection is taken: a writer waiting its turn holds none of the pool's.
            with (
                self._writer,
                self.engine.connect().execution_options(**WRITE) as connection,
                connection.begin(),
            ):
                tx = Transaction(connection, now)
                yield tx
                tx.chain_pending()
        except IntegrityError as error:
            # A constraint refused the change (a concurrent writer got there first, or a
            # depletion past the license): the request conflicts, nothing was written.
            raise ConflictError(
                f"the change conflicts with what is stored: {reason(error)}"
            ) from None
        except DataError as error:
            raise InputError(f"a value the database cannot store: {reason(error)}") from None
        except (OperationalError, SQLAlchemyError) as error:
            raise StorageError(
                f"the database {describe(self.engine.url)} failed: {reason(error)}"
            ) from None

    @contextmanager
    def read_then_write(self, now: dt.datetime) -> Iterator[Stages]:
        """A change that reads, works without the database, then writes (a submission:
        read, screen and decide, store). Where a transaction that has only read holds
        no lock (PostgreSQL) both stages are one transaction, committed when this ends:
        two round trips fewer. On SQLite a writing transaction holds the one writer's
        lock from its start, so the stages are a reading transaction, then a writing one.
        Either way the writing stage must check what it relies on (a version)."""
        if self.engine.dialect.name == "sqlite":
            yield Stages(self.reading, lambda: self.transaction(now))
            return
        with self.transaction(now) as tx:
            yield Stages(lambda: nullcontext(tx), lambda: nullcontext(tx))

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        """A read-only transaction (one consistent view; takes no write lock)."""
        try:
            with self.engine.connect() as connection, connection.begin():
                yield Transaction(connection, dt.datetime.now(dt.UTC))
        except DataError as error:
            raise InputError(f"a value the database cannot read: {reason(error)}") from None
        except SQLAlchemyError as error:
            raise StorageError(
                f"the database {describe(self.engine.url)} failed: {reason(error)}"
            ) from None

    def healthy(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(func.count()).select_from(audit_head)).scalar()
        except SQLAlchemyError:
            return False
        return True

    def audit_entries(self, since: str | None = None) -> Generator[dict[str, Any], None, None]:
        """The chain in order, as the hash rule reads it."""
        statement = select(audit_log).order_by(audit_log.c.seq)
        if since is not None:
            statement = statement.where(audit_log.c.at >= since)
        with self.engine.connect() as connection:
            result = connection.execute(statement.execution_options(yield_per=1000))
            try:
                for row in result:
                    yield audit_entry(row)
            finally:
                result.close()  # a reader that stops early releases the server cursor

    def audit_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(audit_head.c.seq)).scalar_one())


def audit_entry(row: Row[Any]) -> dict[str, Any]:
    return {
        "seq": int(row.seq),
        "at": row.at,
        "actor": row.actor,
        "action": row.action,
        "object": {"type": row.object_type, "id": row.object_id},
        "before": row.before,
        "after": row.after,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


__all__ = [
    "GENESIS",
    "ServiceStore",
    "Transaction",
    "applications",
    "as_utc",
    "determinations",
    "documents",
    "idempotency_keys",
    "license_conditions",
    "license_items",
    "license_revisions",
    "licenses",
    "new_id",
    "organizations",
    "rfc3339",
    "shipments",
    "tokens",
    "users",
]

"""Installed restricted-party list versions, kept in the database.

Installing a version is one transaction: the new row and the switch of the active
version commit together, so a crash at any point leaves the previous version active.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from aiexports.core.screening.snapshot import ListSnapshot
from aiexports.errors import NotFoundError, StorageError
from aiexports.storage.database import WRITE
from aiexports.storage.service_store import SYSTEM_ACTOR, Transaction
from aiexports.storage.tables import list_activation, list_versions


@dataclass(frozen=True)
class InstalledVersion:
    id: int
    version: str
    sha256: str
    installed_at: dt.datetime
    entry_count: int
    feeds: list[dict[str, Any]]
    report: dict[str, Any]
    active: bool


def _utc(moment: dt.datetime) -> dt.datetime:
    """Times are stored in UTC; SQLite hands them back without a zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def encode_snapshot(snapshot: ListSnapshot) -> bytes:
    return gzip.compress(snapshot.model_dump_json().encode(), mtime=0)


def decode_snapshot(blob: bytes) -> ListSnapshot:
    return ListSnapshot.model_validate_json(gzip.decompress(blob))


_SUMMARY = (
    list_versions.c.id,
    list_versions.c.version,
    list_versions.c.sha256,
    list_versions.c.installed_at,
    list_versions.c.entry_count,
    list_versions.c.feeds,
    list_versions.c.report,
)


class ListStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _active_id(self) -> int | None:
        with self.engine.connect() as connection:
            return connection.execute(select(list_activation.c.version_id)).scalar()

    def active_id(self) -> int | None:
        """The id of the active version (one small read: callers cache snapshots by it)."""
        try:
            return self._active_id()
        except SQLAlchemyError as error:
            raise StorageError(f"cannot read the installed lists: {error}") from None

    def snapshot(self, version_id: int) -> ListSnapshot | None:
        """The snapshot of one installed version."""
        try:
            with self.engine.connect() as connection:
                blob = connection.execute(
                    select(list_versions.c.snapshot).where(list_versions.c.id == version_id)
                ).scalar()
        except SQLAlchemyError as error:
            raise StorageError(f"cannot read the installed lists: {error}") from None
        return decode_snapshot(blob) if blob is not None else None

    def active_snapshot(self) -> ListSnapshot | None:
        try:
            with self.engine.connect() as connection:
                blob = connection.execute(
                    select(list_versions.c.snapshot).join(
                        list_activation, list_activation.c.version_id == list_versions.c.id
                    )
                ).scalar()
        except SQLAlchemyError as error:
            raise StorageError(f"cannot read the installed lists: {error}") from None
        return decode_snapshot(blob) if blob is not None else None

    def history(self) -> list[InstalledVersion]:
        active = self._active_id()
        with self.engine.connect() as connection:
            rows = connection.execute(select(*_SUMMARY).order_by(list_versions.c.id)).all()
        return [
            InstalledVersion(
                row.id,
                row.version,
                row.sha256,
                _utc(row.installed_at),
                row.entry_count,
                row.feeds,
                row.report,
                active=row.id == active,
            )
            for row in rows
        ]

    def close(self) -> None:
        self.engine.dispose()

    def active(self) -> InstalledVersion | None:
        return next((v for v in self.history() if v.active), None)

    def install(
        self,
        snapshot: ListSnapshot,
        report: dict[str, Any],
        installed_at: dt.datetime,
        before_commit: Callable[[], None] | None = None,
    ) -> InstalledVersion:
        """Store ``snapshot`` and make it the active version, all or nothing.

        ``before_commit`` runs inside the transaction after both writes (a seam for
        crash tests)."""
        blob = encode_snapshot(snapshot)
        feeds = [feed.provenance.model_dump(mode="json") for feed in snapshot.feeds]
        try:
            with self._writing() as connection:
                version_id = connection.execute(
                    insert(list_versions)
                    .values(
                        version=snapshot.version,
                        sha256=hashlib.sha256(blob).hexdigest(),
                        installed_at=installed_at.astimezone(dt.UTC),
                        entry_count=len(snapshot.entries),
                        feeds=feeds,
                        report=report,
                        snapshot=blob,
                    )
                    .returning(list_versions.c.id)
                ).scalar_one()
                self._point_at(connection, version_id, installed_at, snapshot.version, "install")
                if before_commit is not None:
                    before_commit()
        except SQLAlchemyError as error:
            raise StorageError(f"cannot install the lists: {error}") from None
        return next(v for v in self.history() if v.id == version_id)

    def activate(self, version_id: int, at: dt.datetime) -> InstalledVersion:
        """Make an earlier installed version the active one again."""
        with self._writing() as connection:
            version = connection.execute(
                select(list_versions.c.version).where(list_versions.c.id == version_id)
            ).scalar()
            if version is None:
                raise NotFoundError(f"no installed list version {version_id}")
            self._point_at(connection, version_id, at, version, "activate")
        return next(v for v in self.history() if v.id == version_id)

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            yield connection

    @staticmethod
    def _point_at(
        connection: Any, version_id: int, at: dt.datetime, version: str, how: str
    ) -> None:
        """Make ``version_id`` the active version, with its audit entry in the same
        transaction (spec §6: every list-version switch is on the trail)."""
        before = connection.execute(select(list_activation.c.version_id)).scalar()
        moved = connection.execute(
            update(list_activation).values(version_id=version_id, activated_at=at)
        ).rowcount
        if not moved:
            connection.execute(
                insert(list_activation).values(
                    singleton=True, version_id=version_id, activated_at=at
                )
            )
        trail = Transaction(connection, at)
        trail.record(
            SYSTEM_ACTOR,
            f"lists.{how}",
            "list_version",
            str(version_id),
            {"active": before},
            {"active": version_id, "version": version},
        )
        trail.chain_pending()

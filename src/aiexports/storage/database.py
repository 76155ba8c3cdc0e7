"""Opening the database and bringing its schema up to date with Alembic."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from aiexports.errors import Issue, StorageError


def normalize_url(url: str) -> str:
    """``postgresql://`` means the psycopg 3 driver this package installs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def describe(url: URL) -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True)


def reason(error: BaseException) -> str:
    """The first line of a driver's message (the rest is SQL and links)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def parse_url(url: str) -> URL:
    try:
        return make_url(normalize_url(url))
    except (ArgumentError, ValueError) as error:
        raise StorageError(
            Issue(
                f"not a database URL: {reason(error)}",
                "environment",
                field="AIEXPORTS_DATABASE_URL",
            )
        ) from None


def open_engine(url: str, make_folder: bool = False) -> Engine:
    """An engine for ``url``. A SQLite file's folder is created only with ``make_folder``
    (the home folder of the embedded default); a configured URL naming a folder that
    does not exist is an error, not a new folder somewhere unexpected."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        if not make_folder and not folder.is_dir():
            raise StorageError(
                Issue(
                    f"the database folder {folder} does not exist",
                    "environment",
                    field="AIEXPORTS_DATABASE_URL",
                )
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(
                f"cannot create the database folder {folder}: {error.strerror or error}"
            ) from None
    try:
        # A server database's pool is as large as the service's thread pool (40), so that
        # no request waits for a connection another request holds.
        pooled = (
            {} if parsed.get_backend_name() == "sqlite" else {"pool_size": 20, "max_overflow": 20}
        )
        engine = create_engine(parsed, future=True, **pooled)
    except (SQLAlchemyError, ImportError) as error:
        raise StorageError(
            f"cannot open the database {describe(parsed)}: {reason(error)}"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


WRITE = {"aiexports_write": True}
"""Execution options of a connection that will write: on SQLite its transaction takes
the write lock when it begins (``BEGIN IMMEDIATE``), so two writers queue instead of
both reading and then failing to upgrade their locks."""


def _sqlite_pragmas(connection: object, _record: object) -> None:
    # The driver's own transaction handling is turned off: the "begin" listener below
    # starts each transaction itself (SQLAlchemy's recipe for pysqlite).
    connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get("aiexports_write", False)
    # On the driver's connection: a statement without parameters or rows needs none of
    # the statement machinery, and every request begins at least one transaction.
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("aiexports.storage") / "migrations")
    )
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration."""
    try:
        command.upgrade(_alembic_config(engine), "head")
    except SQLAlchemyError as error:
        raise StorageError(
            f"cannot migrate the database {describe(engine.url)}: {reason(error)}"
        ) from None


def is_current(engine: Engine) -> bool:
    """Whether the schema exists and is at the newest migration."""
    script = ScriptDirectory.from_config(_alembic_config(engine))
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    except SQLAlchemyError as error:
        raise StorageError(
            f"cannot use the database {describe(engine.url)}: {reason(error)}"
        ) from None
    return set(current) == set(script.get_heads())

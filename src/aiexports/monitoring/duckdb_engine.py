"""The embedded engine: DuckDB scans Parquet or CSV folders out of core (memory-limited,
spilling to a temporary folder), joined with the small reference tables."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from aiexports.errors import InputError, Issue
from aiexports.monitoring.engine import (
    SCHEMAS,
    ReferenceTables,
    reference_rows,
    sql_literal,
)
from aiexports.monitoring.inputs import (
    TELEMETRY_COLUMNS,
    TELEMETRY_TYPES,
    TelemetryFiles,
    csv_header,
    missing_columns,
)

DUCK_TYPES = {"string": "VARCHAR", "date": "DATE", "boolean": "BOOLEAN"}

SQL_TYPES = {"string": "VARCHAR", "timestamp": "TIMESTAMP", "double": "DOUBLE", "bigint": "BIGINT"}
CSV_TYPES = {
    name: "TIMESTAMPTZ" if kind == "timestamp" else SQL_TYPES[kind]
    for name, kind in TELEMETRY_TYPES.items()
}
"""How DuckDB reads each CSV column (a time with an offset, or none for UTC)."""
_NUMERIC = re.compile(
    r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|"
    r"UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$"
)
_INTEGER = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$")


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return sql_literal(str(value))


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:300]


def _expected_type(name: str, kind: str) -> str | None:
    """Why a Parquet column's type is wrong for ``name``, or None."""
    if name == "event_time":
        return None if kind.startswith("TIMESTAMP") else "expected a timestamp"
    if name in ("gpu_hours", "training_ops"):
        return None if _NUMERIC.match(kind) else "expected a number"
    if name == "tokens":
        return None if _INTEGER.match(kind) else "expected an integer"
    if TELEMETRY_TYPES.get(name) == "string":
        return None if kind == "VARCHAR" else "expected a string"
    return None


def check_parquet_file(connection: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The file's columns, after checking that it is readable Parquet with the required
    columns of the right types."""
    source = str(path)
    try:
        logical = connection.execute("DESCRIBE SELECT * FROM read_parquet(?)", [source]).fetchall()
    except duckdb.Error as error:
        raise InputError(
            Issue(f"not a readable Parquet file ({_first_line(error)})", source)
        ) from None
    columns = [row[0] for row in logical]
    missing_columns(columns, TELEMETRY_COLUMNS, source)
    for name, kind, *_ in logical:
        wrong = _expected_type(name, kind)
        if wrong is not None:
            raise InputError(Issue(f"{wrong}, not {kind}", source, field=name))
    return columns


def _csv_error(error: duckdb.Error) -> Issue:
    """DuckDB's CSV errors name the line, the column and the file: keep all three."""
    text = str(error)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    column = re.search(r'converting column "([^"]+)"', text)
    file = re.search(r"file = (.+)", text)
    value = re.search(r'Could not convert string "([^"]{0,60})', text)
    what = f"{value.group(1)!r} is not a valid value" if value else _first_line(error)
    return Issue(
        what,
        file.group(1).strip() if file else None,
        int(line.group(1)) if line else None,
        column.group(1) if column else None,
    )


class DuckDBEngine:
    name = "duckdb"
    epoch_us = "epoch_us(event_time)"

    def __init__(self, memory_limit: str | None = None, threads: int | None = None) -> None:
        self.connection = duckdb.connect()
        self._spill = tempfile.TemporaryDirectory(prefix="aiexports-duckdb-")
        settings = {
            "TimeZone": "UTC",
            "temp_directory": self._spill.name,
            "preserve_insertion_order": "false",
            "memory_limit": memory_limit or os.environ.get("AIEXPORTS_DUCKDB_MEMORY", "2GB"),
        }
        for key, value in settings.items():
            self.connection.execute(f"SET {key} = '{value}'")
        if threads:
            self.connection.execute(f"SET threads = {int(threads)}")
        self.files: TelemetryFiles | None = None

    # --- reading ------------------------------------------------------------------

    def _register(self, tables: ReferenceTables) -> None:
        # Inserted as SQL literals: DuckDB's executemany converts each parameter on its own
        # (thousands of rows took seconds).
        for name, rows in reference_rows(tables).items():
            columns = ", ".join(f"{c} {DUCK_TYPES[t]}" for c, t in SCHEMAS[name])
            self.connection.execute(f"CREATE OR REPLACE TABLE {name} ({columns})")
            for start in range(0, len(rows), 2000):
                values = ", ".join(
                    "(" + ", ".join(_literal(v) for v in row) + ")"
                    for row in rows[start : start + 2000]
                )
                self.connection.execute(f"INSERT INTO {name} VALUES {values}")

    def load(self, files: TelemetryFiles, tables: ReferenceTables) -> None:
        self.files = files
        self._register(tables)
        columns = file_columns(self.connection, files, files.paths)
        typed = typed_sql(source_sql(files, files.paths, columns), columns)
        self.connection.execute(f"CREATE OR REPLACE VIEW telemetry AS {typed}")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self._run(sql).fetchall()

    def materialize(self, name: str, sql: str) -> int:
        self._run(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        found = self.connection.execute(f"SELECT count(*) FROM {name}").fetchone()
        return int(found[0]) if found else 0

    def _run(self, sql: str) -> duckdb.DuckDBPyConnection:
        try:
            return self.connection.execute(sql)
        except duckdb.ConversionException as error:
            if "CSV Error" in str(error):
                raise InputError(_csv_error(error)) from None
            raise InputError(Issue(_first_line(error), None)) from None
        except (duckdb.InvalidInputException, duckdb.IOException) as error:
            raise InputError(self._which_file(error)) from None

    def _which_file(self, error: duckdb.Error) -> Issue:
        """A file that failed while scanning a folder (a corrupt Parquet file, say)."""
        text = str(error)
        if "CSV Error" in text:
            return _csv_error(error)
        assert self.files is not None
        for path in self.files.paths:
            if str(path) in text:
                return Issue(f"cannot be read ({_first_line(error)})", str(path))
        return Issue(f"telemetry cannot be read ({_first_line(error)})", str(self.files.root))

    def locate(self, predicate: str, field: str) -> Issue | None:
        """The first row matching ``predicate``: its file and line (CSV) or row group and
        row (Parquet)."""
        return locate(self.connection, self.files, predicate)

    def screen_tenants(
        self, tenants: Sequence[tuple[str, str, str | None]], screen: Any
    ) -> dict[str, Any]:
        return {tenant_id: screen(name, country) for tenant_id, name, country in tenants}

    def close(self) -> None:
        self.connection.close()
        self._spill.cleanup()


def file_columns(
    connection: duckdb.DuckDBPyConnection, files: TelemetryFiles, paths: Sequence[Path]
) -> set[str]:
    """The columns of ``paths``, each file checked for the required columns (and, for
    Parquet, readability and column types), so that a problem names its file."""
    columns: set[str] = set()
    for path in paths:
        if files.format == "parquet":
            columns.update(check_parquet_file(connection, path))
        else:
            header = csv_header(path)
            missing_columns(header, TELEMETRY_COLUMNS, str(path))
            columns.update(header)
    return columns


def source_sql(files: TelemetryFiles, paths: Sequence[Path], columns: set[str]) -> str:
    """DuckDB's reader of ``paths`` as one table."""
    listed = "[" + ", ".join(sql_literal(str(p)) for p in paths) + "]"
    if files.format == "parquet":
        return f"read_parquet({listed}, union_by_name = true)"
    types = ", ".join(
        f"{sql_literal(name)}: {sql_literal(kind)}"
        for name, kind in CSV_TYPES.items()
        if name in columns
    )
    return (
        f"read_csv({listed}, header = true, union_by_name = true, types = {{{types}}}, "
        "auto_detect = true, strict_mode = true, null_padding = false)"
    )


def typed_sql(source: str, columns: set[str]) -> str:
    """The ``telemetry`` view: every column the checks read, typed (absent optional
    columns null; times as UTC timestamps)."""
    selected = (
        f"CAST({name if name in columns else 'NULL'} AS {SQL_TYPES[kind]}) AS {name}"
        for name, kind in TELEMETRY_TYPES.items()
    )
    return f"SELECT {', '.join(selected)} FROM {source}"


def locate(
    connection: duckdb.DuckDBPyConnection, files: TelemetryFiles | None, predicate: str
) -> Issue | None:
    """Where the first row matching ``predicate`` lies, file by file in name order (used by
    every engine: the files are local)."""
    if files is None:
        return None
    for path in files.paths:
        columns = file_columns(connection, files, [path])
        typed = typed_sql(source_sql(files, [path], columns), columns)
        if files.format == "parquet":
            found = connection.execute(
                f"SELECT file_row_number FROM ({_with_row_numbers(typed)}) "
                f"WHERE {predicate} ORDER BY file_row_number LIMIT 1"
            ).fetchone()
            if found is not None:
                row = int(found[0])
                groups = connection.execute(
                    "SELECT row_group_id, row_group_num_rows FROM parquet_metadata(?) "
                    "GROUP BY ALL ORDER BY row_group_id",
                    [str(path)],
                ).fetchall()
                start = 0
                group = 0
                for group_id, count in groups:
                    if row < start + count:
                        group = int(group_id)
                        break
                    start += count
                return Issue(f"row group {group}, row {row + 1}: ", str(path))
        else:
            found = connection.execute(
                f"SELECT n FROM (SELECT row_number() OVER () AS n, * FROM ({typed})) "
                f"WHERE {predicate} ORDER BY n LIMIT 1"
            ).fetchone()
            if found is not None:
                return Issue("", str(path), int(found[0]) + 1)
    return None


def _with_row_numbers(typed: str) -> str:
    """``typed`` reading one Parquet file with each row's number in the file."""
    head, _, tail = typed.partition(" FROM read_parquet(")
    return f"{head}, file_row_number FROM read_parquet({tail[:-1]}, file_row_number = true)"

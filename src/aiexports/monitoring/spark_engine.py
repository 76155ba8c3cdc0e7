"""Apache Spark for telemetry beyond one machine (the optional ``spark`` extra): the same
SQL as DuckDB, run by Spark SQL; the tenant screener is broadcast to the executors. Local
mode by default; ``--master`` names a cluster (whose nodes see the same file paths)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import duckdb

from aiexports.errors import InputError, Issue
from aiexports.monitoring.duckdb_engine import DuckDBEngine, file_columns, locate
from aiexports.monitoring.engine import (
    MATERIALIZED,
    SCHEMAS,
    ReferenceTables,
    reference_rows,
)
from aiexports.monitoring.inputs import TELEMETRY_TYPES, TelemetryFiles

SQL_TYPES = {"string": "STRING", "timestamp": "TIMESTAMP", "double": "DOUBLE", "bigint": "BIGINT"}


def spark_available() -> str | None:
    """Why Spark cannot run here (no PySpark, no Java), or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install 'aiexports[spark]')"
    from shutil import which

    if not os.environ.get("JAVA_HOME") and which("java") is None:
        return "no Java runtime (install Java 17 or 21, or set JAVA_HOME)"
    return None


class SparkEngine:
    name = "spark"
    epoch_us = "unix_micros(event_time)"

    def __init__(self, session: Any) -> None:
        self.spark = session
        self.files: TelemetryFiles | None = None
        self._kept: list[Any] = []
        self._locator = duckdb.connect()
        self._locator.execute("SET TimeZone = 'UTC'")

    @classmethod
    def open(cls, master: str | None = None) -> SparkEngine:
        problem = spark_available()
        if problem is not None:
            raise InputError(Issue(problem, field="engine"))
        from pyspark.sql import SparkSession

        # Executors run this Python, which has aiexports (the screener's code).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        utc = "-Duser.timezone=UTC"
        session = (
            SparkSession.builder.master(master or "local[*]")
            .appName("aiexports-monitor")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.extraJavaOptions", utc)
            .config("spark.executor.extraJavaOptions", utc)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            # Executors' Python is this one: it has aiexports (and the screener's code).
            .config("spark.pyspark.python", sys.executable)
            .config("spark.pyspark.driver.python", sys.executable)
            .config(
                "spark.sql.shuffle.partitions", os.environ.get("AIEXPORTS_SPARK_PARTITIONS", "8")
            )
            .config("spark.sql.ansi.enabled", "true")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        return cls(session)

    def _register(self, tables: ReferenceTables) -> None:
        from pyspark.sql.types import (
            BooleanType,
            DateType,
            StringType,
            StructField,
            StructType,
        )

        kinds = {"string": StringType(), "date": DateType(), "boolean": BooleanType()}
        for name, rows in reference_rows(tables).items():
            schema = StructType(
                [StructField(column, kinds[kind], True) for column, kind in SCHEMAS[name]]
            )
            self.spark.createDataFrame([tuple(r) for r in rows], schema).createOrReplaceTempView(
                name
            )

    def load(self, files: TelemetryFiles, tables: ReferenceTables) -> None:
        self.files = files
        self._register(tables)
        paths = [str(p) for p in files.paths]
        columns = file_columns(self._locator, files, files.paths)
        if files.format == "parquet":
            raw = self.spark.read.option("mergeSchema", "true").parquet(*paths)
        else:
            raw = self.spark.read.option("header", "true").option("mode", "PERMISSIVE").csv(paths)
        raw.createOrReplaceTempView("telemetry_raw")
        cast = "CAST" if files.format == "parquet" else "try_cast"
        selected = [
            f"{cast}(`{name}` AS {SQL_TYPES[kind]}) AS {name}"
            if name in columns
            else f"CAST(NULL AS {SQL_TYPES[kind]}) AS {name}"
            for name, kind in TELEMETRY_TYPES.items()
        ]
        self.spark.sql(f"SELECT {', '.join(selected)} FROM telemetry_raw").createOrReplaceTempView(
            "telemetry"
        )
        if files.format == "csv":
            self._check_csv_types(columns)

    def _check_csv_types(self, columns: set[str]) -> None:
        """A CSV value that does not read as its type: DuckDB's reader of the same file
        names its line and column."""
        typed = [n for n, kind in TELEMETRY_TYPES.items() if kind != "string" and n in columns]
        if not typed:
            return
        counts = ", ".join(
            f"sum(CASE WHEN r.`{n}` IS NOT NULL AND "
            f"try_cast(r.`{n}` AS {SQL_TYPES[TELEMETRY_TYPES[n]]}) IS NULL THEN 1 ELSE 0 END)"
            for n in typed
        )
        bad = self.spark.sql(f"SELECT {counts} FROM telemetry_raw r").collect()[0]
        if not any(bad):
            return
        assert self.files is not None
        engine = DuckDBEngine()
        try:
            engine.load(self.files, ReferenceTables((), (), (), (), (), frozenset()))
            engine.query("SELECT count(*) FROM telemetry")  # raises, located
        finally:
            engine.close()
        field = typed[[bool(b) for b in bad].index(True)]
        raise InputError(
            Issue("a value does not read as its type", str(self.files.root), field=field)
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(sql).collect()]

    def materialize(self, name: str, sql: str) -> int:
        frame = self.spark.sql(sql).persist()
        self._kept.append(frame)
        frame.createOrReplaceTempView(name)
        return int(frame.count())

    def locate(self, predicate: str, field: str) -> Issue | None:
        return locate(self._locator, self.files, predicate)

    def screen_tenants(
        self, tenants: Sequence[tuple[str, str, str | None]], screen: Any
    ) -> dict[str, Any]:
        """Screened on the executors, the screener broadcast once to each."""
        if not tenants:
            return {}
        context = self.spark.sparkContext
        shared = context.broadcast(screen)
        slices = max(1, min(len(tenants) // 500 + 1, context.defaultParallelism))
        found = (
            context.parallelize(list(tenants), slices)
            .map(lambda t: (t[0], shared.value(t[1], t[2])))
            .collect()
        )
        shared.unpersist()
        return dict(found)

    def close(self) -> None:
        # The session stays for the process (starting one costs seconds); its views go.
        for name in (*SCHEMAS, *MATERIALIZED, "telemetry_raw", "telemetry"):
            self.spark.catalog.dropTempView(name)
        for frame in self._kept:
            frame.unpersist()
        self._kept.clear()
        self._locator.close()

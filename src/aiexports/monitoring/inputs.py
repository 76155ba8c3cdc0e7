"""Reading monitoring inputs: the telemetry files an engine scans, and the small tables
(tenants, profiles, locations, attestation keys) read here and validated row by row. Every
problem names the file and the line (CSV), row (Parquet) or field."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from aiexports.core.countries import CountryBook
from aiexports.core.monitoring.location import public_key
from aiexports.core.monitoring.model import (
    Attestation,
    Location,
    MonitoringProfile,
    Tenant,
)
from aiexports.core.records import Record
from aiexports.errors import InputError, Issue
from aiexports.sources.documents import MAX_ISSUES, ReadLimits, issues_from, read_document

TELEMETRY_COLUMNS = (
    "event_time",
    "license_id",
    "tenant_id",
    "source_country",
    "site",
    "component",
    "job_kind",
    "gpu_hours",
)
OPTIONAL_TELEMETRY_COLUMNS = ("tokens", "training_ops", "declared_use")
TELEMETRY_TYPES = {
    **dict.fromkeys((*TELEMETRY_COLUMNS, *OPTIONAL_TELEMETRY_COLUMNS), "string"),
    "event_time": "timestamp",
    "gpu_hours": "double",
    "tokens": "bigint",
    "training_ops": "double",
}
"""The type of every telemetry column the checks read (each engine names it its way)."""
TENANT_COLUMNS = ("tenant_id", "name", "country", "headquarters", "type", "kyc_verified")
LOCATION_COLUMNS = ("id", "kind", "city", "country", "lat", "lon")
ATTESTATION_COLUMNS = ("accelerator_id", "site", "time", "landmark", "rtt_ms", "signature")
KEY_COLUMNS = ("accelerator_id", "public_key")

MAX_CELL_BYTES = 1 << 24
"""The CSV reader's cell limit (the lists' reader sets the same): a cell past it is
refused as malformed, whichever module was imported first."""
csv.field_size_limit(MAX_CELL_BYTES)
MAX_TABLE_ROWS = 5_000_000
"""The most rows of a table read into memory here (tenants, attestations); telemetry is
never read here, only scanned by an engine."""


@dataclass(frozen=True)
class TelemetryFiles:
    """The files of one telemetry input, all of one format."""

    paths: tuple[Path, ...]
    format: str
    """``parquet`` or ``csv``."""
    root: Path


def telemetry_files(path: Path) -> TelemetryFiles:
    """A file, or a folder read as one table (its Parquet or CSV files, in subfolders
    too: hive-style partitions)."""
    if not path.exists():
        raise InputError(Issue("no such file or folder", str(path), field="telemetry"))
    if path.is_file():
        kind = _format_of(path)
        return TelemetryFiles((path,), kind, path.parent)
    if not path.is_dir():
        raise InputError(Issue("not a file or folder", str(path), field="telemetry"))
    found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))
    parquet = [p for p in found if p.suffix.lower() == ".parquet"]
    text = [p for p in found if p.suffix.lower() == ".csv"]
    if parquet and text:
        raise InputError(
            Issue("holds both Parquet and CSV files; give one format", str(path), field="telemetry")
        )
    if not parquet and not text:
        raise InputError(Issue("holds no .parquet or .csv file", str(path), field="telemetry"))
    return TelemetryFiles(tuple(parquet or text), "parquet" if parquet else "csv", path)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix == ".csv":
        return "csv"
    with path.open("rb") as handle:
        if handle.read(4) == b"PAR1":
            return "parquet"
    return "csv"


def csv_header(path: Path) -> list[str]:
    """The header of a CSV file (its first line), or an input error."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            first = handle.readline(64 * 1024)
    except UnicodeDecodeError:
        raise InputError(Issue("not UTF-8 text", str(path), 1)) from None
    except OSError as error:
        raise InputError(Issue(f"cannot be read: {error.strerror}", str(path))) from None
    if not first.strip():
        raise InputError(Issue("empty: a CSV file starts with its header", str(path), 1))
    return [name.strip() for name in next(csv.reader([first]))]


def missing_columns(columns: Sequence[str], required: Sequence[str], source: str) -> None:
    missing = [name for name in required if name not in columns]
    if missing:
        raise InputError(
            Issue(f"missing column(s) {', '.join(missing)}", source, 1, field=missing[0])
        )


# --- small tables, validated row by row ---------------------------------------------

RowModel = TypeVar("RowModel", bound=BaseModel)


def _csv_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` of a CSV table with ``required`` columns; empty cells are absent."""
    source = str(path)
    missing_columns(csv_header(path), required, source)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, strict=True)
            for count, row in enumerate(reader, start=1):
                if count > MAX_TABLE_ROWS:
                    raise InputError(Issue(f"more than {MAX_TABLE_ROWS:,} rows", source))
                if None in row:
                    raise InputError(
                        Issue("more cells than header columns", source, reader.line_num)
                    )
                yield reader.line_num, {k: v.strip() for k, v in row.items() if v and v.strip()}
    except csv.Error as error:
        raise InputError(Issue(f"malformed CSV: {error}", source)) from None
    except UnicodeDecodeError:
        raise InputError(Issue("not UTF-8 text", source)) from None


def _parquet_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    import duckdb

    source = str(path)
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        try:
            described = connection.execute(
                "DESCRIBE SELECT * FROM read_parquet(?)", [source]
            ).fetchall()
        except duckdb.Error as error:
            raise InputError(
                Issue(f"not a readable Parquet file ({_first_line(error)})", source)
            ) from None
        columns = [row[0] for row in described]
        missing_columns(columns, required, source)
        selected = ", ".join(
            f'CAST("{name}" AS TIMESTAMP) AS "{name}"' if "TIME ZONE" in kind else f'"{name}"'
            for name, kind, *_ in described
        )
        result = connection.execute(f"SELECT {selected} FROM read_parquet(?)", [source])
        number = 0
        while batch := result.fetchmany(10_000):
            for values in batch:
                number += 1
                if number > MAX_TABLE_ROWS:
                    raise InputError(Issue(f"more than {MAX_TABLE_ROWS:,} rows", source))
                yield (
                    number,
                    {
                        name: value
                        for name, value in zip(columns, values, strict=True)
                        if value is not None and value != ""
                    },
                )
    finally:
        connection.close()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:200]


@dataclass(frozen=True, slots=True)
class Where:
    """Where a table row was read: a CSV line, or a Parquet row number."""

    source: str
    line: int | None = None
    row: int | None = None

    def issue(self, message: str, field: str | None = None) -> Issue:
        prefix = f"row {self.row}: " if self.row is not None else ""
        return Issue(prefix + message, self.source, self.line, field)


def table_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[Where, dict[str, Any]]]:
    """Rows of a CSV or Parquet table with ``required`` columns, each with where it was
    read; empty cells are absent."""
    if not path.is_file():
        raise InputError(Issue("no such file", str(path)))
    source = str(path)
    if _format_of(path) == "parquet":
        for number, row in _parquet_rows(path, required):
            yield Where(source, row=number), row
    else:
        for line, row in _csv_rows(path, required):
            yield Where(source, line=line), row


def _validated(
    model: type[RowModel], path: Path, required: Sequence[str], context: Mapping[str, Any]
) -> list[tuple[Where, RowModel]]:
    """Every row of a table as ``model`` (columns it does not know are left out); the
    first problems, located, as one error."""
    known = model.model_fields
    found: list[tuple[Where, RowModel]] = []
    issues: list[Issue] = []
    for where, row in table_rows(path, required):
        given = {k: v for k, v in row.items() if k in known}
        try:
            value = model.model_validate(given, context=dict(context))
        except ValidationError as error:
            for issue in issues_from(error, None, given):
                issues.append(where.issue(issue.message, issue.field))
            if len(issues) >= MAX_ISSUES:
                break
            continue
        found.append((where, value))
    if issues:
        raise InputError(issues)
    return found


def _by_id(rows: Iterable[tuple[Where, RowModel]], key: str, what: str) -> dict[str, RowModel]:
    found: dict[str, RowModel] = {}
    for where, row in rows:
        value = getattr(row, key)
        if value in found:
            raise InputError(where.issue(f"{what} {value!r} is listed twice", key))
        found[value] = row
    return found


def read_tenants(path: Path, countries: CountryBook) -> dict[str, Tenant]:
    """The tenant table by id; a tenant listed twice is an error."""
    rows = _validated(Tenant, path, TENANT_COLUMNS, {"countries": countries})
    return _by_id(rows, "tenant_id", "tenant")


def read_profiles(
    path: Path, countries: CountryBook, limits: ReadLimits
) -> dict[str, MonitoringProfile]:
    """Monitoring profiles: a YAML (or JSON) list, one item per license."""
    document = read_document(path, limits=limits)
    data = document.data
    if isinstance(data, Mapping) and "profiles" in data:
        data = data["profiles"]
    if not isinstance(data, list):
        raise InputError(Issue("expected a list of license profiles", document.source, 1))
    adapter = TypeAdapter(list[MonitoringProfile])
    try:
        profiles = adapter.validate_python(data, context={"countries": countries})
    except ValidationError as error:
        raise InputError(issues_from(error, document.source, data)) from None
    found: dict[str, MonitoringProfile] = {}
    for position, profile in enumerate(profiles):
        if profile.license_id in found:
            raise InputError(
                Issue(
                    f"license {profile.license_id!r} has two profiles",
                    document.source,
                    None,
                    f"[{position}].license_id",
                )
            )
        found[profile.license_id] = profile
    return found


def read_locations(path: Path, countries: CountryBook) -> dict[str, Location]:
    rows = _validated(Location, path, LOCATION_COLUMNS, {"countries": countries})
    return _by_id(rows, "id", "location")


class _KeyRow(Record):
    accelerator_id: Annotated[str, Field(min_length=1, max_length=200)]
    public_key: str


def read_keys(path: Path) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for where, row in _validated(_KeyRow, path, KEY_COLUMNS, {}):
        try:
            keys[row.accelerator_id] = public_key(row.public_key)
        except ValueError as error:
            raise InputError(where.issue(str(error), "public_key")) from None
    return keys


_PLAIN_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?")
_PLAIN_NUMBER = re.compile(r"\d{1,6}(\.\d{1,12})?")


def _plain_attestations(path: Path, locations: Mapping[str, Location]) -> list[Attestation] | None:
    """A CSV file's attestations when every row is plainly well formed (ids of at most 200
    characters naming known sites and landmarks, ISO 8601 times, decimal RTTs under a
    million ms), read without a model per row (hundreds of thousands of rows are common);
    None otherwise, for the validating reader to locate the problem. What it accepts, the
    validating reader accepts and reads to the same values."""
    header = csv_header(path)
    missing_columns(header, ATTESTATION_COLUMNS, str(path))
    at = {name: header.index(name) for name in ATTESTATION_COLUMNS}
    width = len(header)
    found: list[Attestation] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle, strict=True)
            next(rows)
            for row in rows:
                if len(row) != width or len(found) >= MAX_TABLE_ROWS:
                    return None
                accelerator, site, landmark = (
                    row[at["accelerator_id"]].strip(),
                    row[at["site"]].strip(),
                    row[at["landmark"]].strip(),
                )
                time, rtt = row[at["time"]].strip(), row[at["rtt_ms"]].strip()
                known_site, known_landmark = locations.get(site), locations.get(landmark)
                if (
                    not 0 < len(accelerator) <= 200
                    or known_site is None
                    or known_site.kind != "site"
                    or known_landmark is None
                    or known_landmark.kind != "landmark"
                    or not _PLAIN_TIME.fullmatch(time)
                    or not _PLAIN_NUMBER.fullmatch(rtt)
                ):
                    return None
                moment = dt.datetime.fromisoformat(time)
                if moment.tzinfo is not None:
                    moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
                found.append(
                    Attestation(
                        accelerator,
                        site,
                        moment,
                        landmark,
                        float(rtt),
                        row[at["signature"]].strip(),
                    )
                )
    except (csv.Error, UnicodeDecodeError, ValueError):
        return None
    return found


class _AttestationRow(Record):
    accelerator_id: Annotated[str, Field(min_length=1, max_length=200)]
    site: Annotated[str, Field(min_length=1, max_length=200)]
    time: dt.datetime
    landmark: Annotated[str, Field(min_length=1, max_length=200)]
    rtt_ms: Annotated[float, Field(ge=0, lt=1e6)]
    signature: str = ""


def read_attestations(path: Path, locations: Mapping[str, Location]) -> list[Attestation]:
    """Attestations, each naming a site and a landmark of ``locations``; times in UTC."""
    if _format_of(path) == "csv":
        plain = _plain_attestations(path, locations)
        if plain is not None:
            return plain
    found: list[Attestation] = []
    for where, row in _validated(_AttestationRow, path, ATTESTATION_COLUMNS, {}):
        for name in ("site", "landmark"):
            known = locations.get(getattr(row, name))
            if known is None or known.kind != name:
                raise InputError(
                    where.issue(
                        f"{getattr(row, name)[:80]!r} is not a {name} of the locations file", name
                    )
                )
        moment = row.time
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        found.append(
            Attestation(
                row.accelerator_id, row.site, moment, row.landmark, row.rtt_ms, row.signature
            )
        )
    return found

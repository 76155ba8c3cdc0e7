"""Screening names one at a time or in batch (``aiexports screen``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiexports.core.countries import CountryBook
from aiexports.core.screening.matcher import NameMatcher, ScoredEntry
from aiexports.core.screening.port import ScreeningQuery, check_birth_date, check_query_name
from aiexports.core.screening.results import Thresholds, in_effect
from aiexports.errors import InputError, Issue
from aiexports.services.pools import can_fork, forked_pool
from aiexports.sources.documents import ReadLimits, decode_text, read_bounded

if TYPE_CHECKING:
    from aiexports.runtime import Runtime

NAME_FILE_LIMITS = ReadLimits(max_bytes=256 * 1024 * 1024)
QUERY_TYPES = ("person", "entity")
TYPE_WORDS = {"individual": "person", "organization": "entity", "organisation": "entity"}
REQUIRED_COLUMNS = ("query_id", "name")
OPTIONAL_COLUMNS = ("country", "type", "date_of_birth")


@dataclass(frozen=True)
class NameQuery:
    query_id: str
    query: ScreeningQuery


def resolve_country(value: str, countries: CountryBook) -> str | None:
    """An ISO code or a country name as lists write it; None when unknown."""
    code = value.strip().upper()
    if code in countries:
        return code
    return countries.code_for_name(value)


def read_name_queries(path: Path, countries: CountryBook) -> list[NameQuery]:
    """Read ``query_id,name[,country][,type][,date_of_birth]`` strictly: an unbalanced
    quote, a row with more or fewer cells than the header, a repeated column, an empty
    name are errors on their line, and nothing is screened when any row is wrong."""
    source = str(path)
    text = decode_text(read_bounded(path, source, NAME_FILE_LIMITS), source)
    if "\x00" in text:
        raise InputError(Issue("binary data, not a CSV file", source))
    issues: list[Issue] = []
    queries: list[NameQuery] = []
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle, strict=True)
        start = 1
        try:
            header = [column.strip() for column in next(reader, [])]
            _check_header(header, source)
            seen: set[str] = set()
            while True:
                start = reader.line_num + 1
                cells = next(reader, None)
                if cells is None:
                    break
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line
                if reader.line_num != start:
                    issues.append(
                        Issue(
                            f"a quoted cell runs over {reader.line_num - start + 1} lines "
                            "(an unbalanced quote?)",
                            source,
                            start,
                        )
                    )
                    continue
                if len(cells) != len(header):
                    more = "more" if len(cells) > len(header) else "fewer"
                    issues.append(
                        Issue(
                            f"{len(cells)} cells, {more} than the {len(header)} columns",
                            source,
                            start,
                        )
                    )
                    continue
                problems, query = _query(
                    dict(zip(header, cells, strict=True)), countries, source, start, seen
                )
                issues.extend(problems)
                if query is not None:
                    queries.append(query)
        except csv.Error as error:
            problem = f"not valid CSV: {error}"
            if "unexpected end of data" in str(error):
                problem += " (an unbalanced quote: it is never closed)"
            raise InputError(Issue(problem, source, start)) from None
    if issues:
        raise InputError(issues)
    return queries


def _check_header(header: list[str], source: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            Issue(
                f"the header lacks {', '.join(missing)} (columns: "
                "query_id,name[,country][,type][,date_of_birth])",
                source,
                1,
            )
        )
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        shown = ", ".join(_excerpt(c) for c in unknown[:5])
        raise InputError(Issue(f"unknown columns {shown}", source, 1))
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        shown = ", ".join(_excerpt(c) for c in repeated[:5])
        raise InputError(Issue(f"columns appear twice: {shown}", source, 1))


def _excerpt(text: str, most: int = 40) -> str:
    """A short excerpt of a value a user wrote (a message never repeats a huge one)."""
    return repr(text) if len(text) <= most else repr(text[:most]) + "…"


def query_type(written: str) -> str | None:
    """``person`` or ``entity`` from what a file or option says (OFAC writes
    ``individual``); None when not given. ``ValueError`` for anything else."""
    kind = written.strip().lower()
    if not kind:
        return None
    kind = TYPE_WORDS.get(kind, kind)
    if kind not in QUERY_TYPES:
        raise ValueError(f"type {written.strip()[:40]!r} is not person (individual) or entity")
    return kind


def query_of(
    fields: Mapping[str, str],
    countries: CountryBook,
    source: str | None = None,
    line: int | None = None,
) -> tuple[list[Issue], ScreeningQuery | None]:
    """One name query from its written fields (``name``, and optionally ``country``,
    ``type``, ``date_of_birth``), or what is wrong with it, each issue at ``source`` and
    ``line`` under its field."""
    issues = []
    name = fields.get("name", "").strip()
    try:
        check_query_name(name)
    except ValueError as error:
        issues.append(Issue(str(error), source, line, "name"))
    country = None
    written_country = fields.get("country", "").strip()
    if written_country:
        country = resolve_country(written_country, countries)
        if country is None:
            issues.append(Issue(f"unknown country {written_country!r}", source, line, "country"))
    kind = None
    try:
        kind = query_type(fields.get("type", ""))
    except ValueError as error:
        issues.append(Issue(str(error), source, line, "type"))
    dob = fields.get("date_of_birth", "").strip() or None
    if dob is not None:
        try:
            check_birth_date(dob)
        except ValueError as error:
            issues.append(Issue(f"date_of_birth {error}", source, line, "date_of_birth"))
    if issues:
        return issues, None
    return [], ScreeningQuery(name, country, kind, dob)


def _query(
    row: dict[str, str], countries: CountryBook, source: str, line: int, seen: set[str]
) -> tuple[list[Issue], NameQuery | None]:
    issues = []
    query_id = row.get("query_id", "").strip()
    if not query_id:
        issues.append(Issue("query_id is empty", source, line, "query_id"))
    elif query_id in seen:
        issues.append(Issue(f"query_id {query_id!r} appears twice", source, line, "query_id"))
    seen.add(query_id)
    problems, query = query_of(row, countries, source, line)
    issues.extend(problems)
    if issues or query is None:
        return issues, None
    return [], NameQuery(query_id, query)


def match_row(
    scored: ScoredEntry, thresholds: Thresholds, today: dt.date | None = None
) -> dict[str, Any]:
    """One match as reported; a Denied Persons order that has expired by ``today`` is
    shown in the band ``expired``, as determinations ignore it (spec section 6)."""
    entry = scored.entry
    band = thresholds.band(scored.score)
    if today is not None and band != "clear" and not in_effect(entry.source, entry.end_date, today):
        band = "expired"
    return {
        "entity_number": entry.entity_number,
        "source": str(entry.source),
        "name": entry.name,
        "matched_name": scored.listed,
        "score": round(scored.score, 4),
        "band": band,
        "expires": entry.end_date.isoformat() if entry.end_date else None,
        "list_name": entry.list_name,
        "programs": list(entry.programs),
        "explanation": {"summary": scored.summary(), **scored.explanation()},
    }


def screen_one(
    matcher: NameMatcher,
    query: ScreeningQuery,
    thresholds: Thresholds,
    top: int,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Every block and review match, then clear ones while fewer than ``top`` are shown."""
    rows: list[dict[str, Any]] = []
    for scored in matcher.score(query):  # best first: alerting matches come first
        if scored.score < thresholds.review and len(rows) >= top:
            break
        rows.append(match_row(scored, thresholds, today))
    return rows


_WORKER: tuple[NameMatcher, Bands, int, dt.date | None] | None = None


def _screen_chunk(chunk: Sequence[NameQuery]) -> list[dict[str, Any]]:
    assert _WORKER is not None
    matcher, bands, top, today = _WORKER
    return [
        {
            "query_id": q.query_id,
            "matches": screen_one(matcher, q.query, bands(q.query), top, today),
        }
        for q in chunk
    ]


Bands = Callable[[ScreeningQuery], Thresholds]
"""The score bands calibrated for a query's shape (name only, or with a country)."""


def screen_many(
    matcher: NameMatcher,
    queries: Sequence[NameQuery],
    bands: Bands,
    top: int,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 250,
    today: dt.date | None = None,
) -> Iterator[dict[str, Any]]:
    """Results in input order; with ``workers`` > 1 the index is shared with forked
    worker processes, so it is built once."""
    # Forked workers inherit the index through this module global: passing it as an
    # argument would pickle it for every chunk.
    global _WORKER  # noqa: PLW0603
    _WORKER = (matcher, bands, top, today)
    chunks = [queries[i : i + chunk_size] for i in range(0, len(queries), chunk_size)]
    if workers > 1 and len(chunks) > 1 and can_fork():
        with forked_pool(workers) as pool:
            for rows in pool.imap(_screen_chunk, chunks):
                if progress:
                    progress(len(rows))
                yield from rows
        return
    for chunk in chunks:
        rows = _screen_chunk(chunk)
        if progress:
            progress(len(rows))
        yield from rows


def write_jsonl_atomically(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write every row or nothing (see :func:`jsonl_atomically`)."""
    count = 0
    with jsonl_atomically(path) as write:
        for row in rows:
            write(row)
            count += 1
    return count


@contextmanager
def jsonl_atomically(path: Path) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A writer of JSON lines into a temporary file beside ``path`` that replaces it when
    the block ends; an error or an interrupt removes the temporary file and leaves
    ``path`` as it was."""
    check_writable(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise InputError(Issue(f"cannot write: {error.strerror or error}", str(path))) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:

            def write(row: dict[str, Any]) -> None:
                out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

            yield write
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(Issue(f"cannot write: {error.strerror or error}", str(path))) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_writable(path: Path, inputs: Sequence[Path] = ()) -> None:
    """An output path must name a regular file (or none yet) in an existing folder, and
    none of the run's ``inputs``: checked before any work. A symbolic link, a device or
    a pipe is refused rather than replaced by a file."""
    where = str(path)
    if path.is_symlink():
        raise InputError(Issue("is a symbolic link; name the file itself", where, field="--output"))
    if path.is_dir():
        raise InputError(Issue("is a folder; name a file to write", where, field="--output"))
    if path.exists() and not path.is_file():
        raise InputError(
            Issue("is not a regular file (a device or a pipe?)", where, field="--output")
        )
    if not path.parent.is_dir():
        raise InputError(Issue(f"folder {path.parent} does not exist", where, field="--output"))
    for given in inputs:
        if path.exists() and given.exists() and path.samefile(given):
            raise InputError(
                Issue(f"is the input {given}; write elsewhere", where, field="--output")
            )


@dataclass(frozen=True)
class NameScreening:
    """One name screened: the ranked matches with the lists and bands they were read
    against."""

    query: str
    lists: str
    list_ages: list[dict[str, Any]]
    thresholds: Thresholds
    matches: list[dict[str, Any]]
    country: str | None = None
    """The country code the name was screened with (resolved from what was given)."""

    def contract(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "lists": self.lists,
            "list_ages": self.list_ages,
            "thresholds": self.thresholds.contract(),
            "matches": self.matches,
        }


def screen_name(
    runtime: Runtime,
    name: str,
    country: str | None = None,
    kind: str | None = None,
    dob: str | None = None,
    top: int = 5,
    lists: Sequence[Path] | None = None,
) -> NameScreening:
    """Screen one name (checked here, for every edge) against the lists in use."""
    issues = []
    checks = ((check_query_name, name, "name"), (check_birth_date, dob, "date_of_birth"))
    for check, value, where in checks:
        if value is not None:
            try:
                check(value)
            except ValueError as error:
                issues.append(Issue(str(error), field=where))
    code = None
    if country:
        code = resolve_country(country, runtime.countries)
        if code is None:
            issues.append(Issue(f"unknown country {country!r}", field="country"))
    query_kind = None
    if kind is not None:
        try:
            query_kind = query_type(kind)
        except ValueError as error:
            issues.append(Issue(str(error), field="type"))
    if issues:
        raise InputError(issues)
    loaded = runtime.lists(lists)
    if loaded.snapshot is None:
        raise InputError(Issue(f"no list data to screen against: {loaded.problem}"))
    matcher = runtime.screener(loaded.snapshot)
    if not isinstance(matcher, NameMatcher):
        raise InputError(
            Issue(f"screening needs the name matcher, not {runtime.screening.matcher}")
        )
    query = ScreeningQuery(name, code, query_kind, dob)
    thresholds = runtime.screening.bands_for(query)
    return NameScreening(
        name,
        loaded.snapshot.version,
        [age.contract() for age in runtime.list_ages(loaded)],
        thresholds,
        screen_one(matcher, query, thresholds, top, runtime.clock().date()),
        code,
    )

"""Reading deal documents and portfolios, and locating engine errors in them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from aiexports.core.countries import CountryBook
from aiexports.core.deal import Deal
from aiexports.core.records import validation_context
from aiexports.errors import AiExportsError, InputError, Issue
from aiexports.sources.documents import (
    DEFAULT_LIMITS,
    DOCUMENT_SUFFIXES,
    Document,
    ReadLimits,
    field_path,
    issues_from,
    read_document,
    validate_document,
)


@dataclass(frozen=True)
class SourcedDeal:
    """A validated deal and the document it was read from (for locating later errors)."""

    deal: Deal
    document: Document | None
    where: str

    def locate(self, error: AiExportsError) -> AiExportsError:
        """``error`` with each issue given this deal's file and the line of its field."""
        issues = []
        for issue in error.issues:
            line = issue.line
            if line is None and issue.field and self.document is not None:
                line = self.document.line_of(field_path(issue.field))
            issues.append(issue.located(self.where, line))
        return type(error)(issues)


def read_deal(
    path: Path, countries: CountryBook, limits: ReadLimits = DEFAULT_LIMITS
) -> SourcedDeal:
    document = read_document(path, limits=limits)
    deal = validate_document(Deal, document, validation_context(countries))
    return SourcedDeal(deal, document, str(path))


def deal_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in DOCUMENT_SUFFIXES and p.is_file())


@dataclass(frozen=True)
class PortfolioItem:
    """One deal of a portfolio before it is read: a file, or a line of a JSON-lines file."""

    where: str
    file: Path | None = None
    line: str | None = None
    number: int = 0
    problem: str | None = None
    """Why the item could not even be read (a line too long, not UTF-8)."""
    limits: ReadLimits = DEFAULT_LIMITS

    def read(self, countries: CountryBook) -> SourcedDeal | InputError:
        """The validated deal, or the located error that stops it."""
        if self.problem is not None:
            source = self.where.rsplit(":", 1)[0]
            return InputError(Issue(self.problem, source, self.number))
        if self.file is not None:
            try:
                return read_deal(self.file, countries, self.limits)
            except InputError as error:
                return error
        assert self.line is not None
        source = self.where.rsplit(":", 1)[0]
        try:
            data = json.loads(self.line, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as bad:
            problem = f"not valid JSON: {bad.msg} (column {bad.colno})"
            return InputError(Issue(problem, source, self.number))
        except _RepeatedKeyError as repeated:
            problem = f"not valid JSON: key {repeated.key[:40]!r} appears twice in one object"
            return InputError(Issue(problem, source, self.number))
        except RecursionError:
            return InputError(Issue("not valid JSON: nested too deeply", source, self.number))
        except ValueError as error:  # an integer of more than 4,300 digits
            return InputError(Issue(f"not valid JSON: {error}", source, self.number))
        try:
            deal = Deal.model_validate(data, context=validation_context(countries))
        except ValidationError as error:
            return InputError(issues_from(error, source, data, self.number))
        return SourcedDeal(deal, None, self.where)


class _RepeatedKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object whose keys are all different: ``{"date": 1, "date": 2}`` is an
    error, not its last value (Python's and most parsers' silent choice)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKeyError(key)
            seen.add(key)
    return found


@dataclass(frozen=True)
class PortfolioChunk:
    """Consecutive deals of a portfolio as read from disk, not yet decoded: what a
    worker process is sent (a few byte strings pickle in microseconds; decoding and
    validating happen in the worker)."""

    source: str
    files: tuple[Path, ...] = ()
    lines: tuple[tuple[int, bytes | None], ...] = ()
    """(line number, the line's bytes), None for a line longer than the limit."""
    limits: ReadLimits = DEFAULT_LIMITS

    def items(self) -> Iterator[PortfolioItem]:
        for file in self.files:
            yield PortfolioItem(str(file), file=file, limits=self.limits)
        for number, raw in self.lines:
            where = f"{self.source}:{number}"
            if raw is None:
                problem = f"line longer than the {self.limits.describe_size()} limit"
                yield PortfolioItem(where, problem=problem, number=number)
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                yield PortfolioItem(
                    where, problem=f"not UTF-8 text ({error.reason})", number=number
                )
                continue
            if line.strip():
                yield PortfolioItem(where, line=line, number=number)


def portfolio(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[PortfolioItem]:
    """The deals of a folder of YAML/JSON files or of a JSON-lines file, in order, read
    as they are needed (memory stays flat in the number of deals). A line longer than
    the document limit, or not UTF-8, becomes an invalid item of its own."""
    for chunk in portfolio_chunks(path, limits):
        yield from chunk.items()


def portfolio_chunks(
    path: Path, limits: ReadLimits = DEFAULT_LIMITS, size: int = 2000
) -> Iterator[PortfolioChunk]:
    """The portfolio at ``path`` in chunks of ``size`` files or lines, read as needed."""
    if path.is_dir():
        files = deal_files(path)
        for start in range(0, len(files), size):
            yield PortfolioChunk(str(path), files=tuple(files[start : start + size]), limits=limits)
        return
    if not path.exists():
        raise InputError(Issue("file or folder not found", str(path)))
    try:
        stream = path.open("rb")
    except OSError as error:
        raise InputError(Issue(f"cannot read: {error.strerror or error}", str(path))) from None
    with stream:
        lines: list[tuple[int, bytes | None]] = []
        number = 0
        while True:
            try:
                raw = stream.readline(limits.max_bytes + 1)
            except OSError as error:
                raise InputError(
                    Issue(f"cannot read: {error.strerror or error}", str(path))
                ) from None
            if not raw:
                break
            number += 1
            if len(raw) > limits.max_bytes and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                    raw = stream.readline(limits.max_bytes + 1)
                lines.append((number, None))
            else:
                lines.append((number, raw))
            if len(lines) == size:
                yield PortfolioChunk(str(path), lines=tuple(lines), limits=limits)
                lines = []
        if lines:
            yield PortfolioChunk(str(path), lines=tuple(lines), limits=limits)


def deal_from_json(data: object, countries: CountryBook, where: str = "body") -> SourcedDeal:
    """A deal sent as a JSON value (an API body); errors name each field."""
    try:
        deal = Deal.model_validate(data, context=validation_context(countries))
    except ValidationError as error:
        raise InputError(issues_from(error, None, data, None)) from None
    return SourcedDeal(deal, None, where)

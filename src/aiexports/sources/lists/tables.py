"""Delimited text (CSV, TSV) read strictly, each row with the line it starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from aiexports.sources.lists.inputs import ListFile

# OFAC's remarks are long; a broken quote that swallows the rest of a file must still fail
# as a broken quote rather than as an oversized field.
csv.field_size_limit(1 << 24)


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    cells: tuple[str, ...]


def read_rows(
    file: ListFile, text: str, columns: int | None, delimiter: str = ","
) -> Iterator[Row]:
    """The non-blank rows of ``text``; a row whose quoting is broken or whose column count
    differs from ``columns`` (when given) is a :class:`ListFormatError` at its first line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise file.error(f"malformed row: {error}", start) from None
        if cells:
            if columns is not None and len(cells) != columns:
                raise file.error(f"expected {columns} columns, found {len(cells)}", start)
            yield Row(start, tuple(cells))
        start = reader.line_num + 1


def first_row(text: str) -> list[str]:
    """The comma-separated cells of the first line, read leniently (for telling formats
    apart)."""
    line = text.split("\n", 1)[0].rstrip("\r")
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []

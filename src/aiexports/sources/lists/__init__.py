"""Restricted-party list importers: official downloads read into :class:`ListEntry` feeds.

::

    read_list_paths([folder or files], countries) -> [FeedImport, ...]

Formats are told apart by content: OFAC's legacy SDN CSV files (``sdn.csv`` with optional
``alt.csv``, ``add.csv`` and ``sdn_comments.csv``) → feed ``ofac-sdn``; the Consolidated
Screening List as CSV or JSON → ``csl``; BIS's Denied Persons List text file → ``bis-dpl``;
the UN Security Council consolidated XML → ``un-sc``. Every file is read in full before
anything is returned, and any structural fault raises :class:`ListFormatError`, so that a
caller installs either every feed or none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from aiexports.core.countries import CountryBook
from aiexports.core.screening.snapshot import FeedImport
from aiexports.errors import Issue, ListFormatError, NotFoundError
from aiexports.sources.documents import ReadLimits, read_bounded
from aiexports.sources.lists import csl, dpl, ofac, un
from aiexports.sources.lists.inputs import ListFile
from aiexports.sources.lists.tables import first_row

__all__ = ["LIST_SUFFIXES", "Detected", "detect_format", "read_list_paths"]

LIST_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xml", ".json"})
LIST_LIMITS = ReadLimits(max_bytes=512 * 1024 * 1024)
"""Official downloads are large (the CSL JSON is tens of MB); a file past this is not one."""
"""The files a folder is searched for; others there (a README, checksums) are skipped."""

_UTF8_BOM = b"\xef\xbb\xbf"
_XML_ROOT = re.compile(r"<(?![?!])([^\s/>]+)")
_OFAC_PARTS_BY_COLUMNS = {columns: part for part, columns in ofac.COLUMNS.items()}

Reader = Callable[[ListFile, CountryBook], FeedImport]
_READERS: dict[str, tuple[str, Reader]] = {
    "csl-csv": (csl.FEED, csl.read_csl_csv),
    "csl-json": (csl.FEED, csl.read_csl_json),
    "dpl": (dpl.FEED, dpl.read_dpl),
    "un": (un.FEED, un.read_un),
}


@dataclass(frozen=True)
class Detected:
    """What a file holds: ``kind`` is ofac, csl-csv, csl-json, dpl or un; ``part`` is the
    OFAC file's part (sdn, alt, add, comments)."""

    kind: str
    part: str | None = None


def read_list_paths(paths: Sequence[Path], countries: CountryBook) -> list[FeedImport]:
    """Every feed in ``paths`` (files, or folders searched recursively), by feed id."""
    ofac_parts: dict[str, ListFile] = {}
    singles: list[tuple[str, Reader, ListFile]] = []
    for file in _list_files(paths):
        detected = detect_format(file)
        if detected.kind == "ofac" and detected.part:
            if detected.part in ofac_parts:
                raise file.error(
                    f"a second OFAC {detected.part} file (the first is "
                    f"{ofac_parts[detected.part].name})"
                )
            ofac_parts[detected.part] = file
        else:
            singles.append((*_READERS[detected.kind], file))
    readers: dict[str, tuple[Callable[[], FeedImport], str]] = {}
    if ofac_parts:
        files = _ofac_files(ofac_parts)
        readers[ofac.FEED] = (partial(ofac.read_ofac, files, countries), files.sdn.name)
    for feed, read, file in singles:
        if feed in readers:
            raise file.error(f"a second source of feed {feed!r} (the first is {readers[feed][1]})")
        readers[feed] = (partial(read, file, countries), file.name)
    return [readers[feed][0]() for feed in sorted(readers)]


def detect_format(file: ListFile) -> Detected:
    """The list format of ``file``, told by its content (OFAC's headerless parts also by
    their file name)."""
    head = file.data[:8192].removeprefix(_UTF8_BOM).decode("latin-1").lstrip()
    if not head:
        raise file.error("empty file: not a restricted-party list", 1)
    if head.startswith("<"):
        root = _XML_ROOT.search(head)
        if root is not None and root[1] == un.ROOT:
            return Detected("un")
        shown = f"<{root[1]}>" if root else "unknown"
        raise file.error(f"XML whose root is {shown} is not a supported list", 1)
    if head[0] in "{[":
        return Detected("csl-json")
    first_line = head.split("\n", 1)[0].rstrip("\r")
    if "\t" in first_line and first_line.split("\t", 1)[0].strip().strip('"') == "Name":
        return Detected("dpl")
    cells = [cell.strip() for cell in first_row(head)]
    if cells[:1] == ["_id"]:
        return Detected("csl-csv")
    if cells and cells[0].isascii() and cells[0].isdigit():
        by_name = ofac.FILE_NAMES.get(PurePosixPath(file.name).name.lower())
        part = by_name or _OFAC_PARTS_BY_COLUMNS.get(len(cells))
        if part is not None:
            return Detected("ofac", part)
    raise file.error(
        "not a supported list: expected OFAC's SDN CSV files, the Consolidated Screening "
        "List (CSV or JSON), BIS's Denied Persons List or the UN consolidated XML",
        1,
    )


def _list_files(paths: Sequence[Path]) -> Iterator[ListFile]:
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path)
                hidden = any(part.startswith(".") for part in relative.parts)
                if candidate.is_file() and not hidden and candidate.suffix.lower() in LIST_SUFFIXES:
                    data = read_bounded(candidate, str(candidate), LIST_LIMITS)
                    yield ListFile(relative.as_posix(), data)
        elif path.is_file():
            yield ListFile(path.name, read_bounded(path, str(path), LIST_LIMITS))
        else:
            raise NotFoundError([Issue("no such file or folder", source=str(path))])


def _ofac_files(parts: dict[str, ListFile]) -> ofac.OfacFiles:
    sdn = parts.get("sdn")
    if sdn is None:
        orphan = next(iter(parts.values()))
        raise ListFormatError(
            [Issue("an OFAC alt/add/comments file without its sdn.csv", source=orphan.name)]
        )
    return ofac.OfacFiles(sdn, parts.get("alt"), parts.get("add"), parts.get("comments"))

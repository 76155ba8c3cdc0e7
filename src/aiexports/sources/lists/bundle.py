"""The list snapshot shipped with the package, built from the repository's reference data.

``python -m aiexports.sources.lists.bundle`` rebuilds ``src/aiexports/data/lists/
snapshot.json.gz`` from ``reference-data/lists/``. The gzip is written deterministically
(no file name, time 0), so the same sources always give the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from aiexports.core.countries import CountryBook
from aiexports.core.screening.snapshot import ListSnapshot, snapshot_of
from aiexports.errors import AiExportsError, Issue, ReferenceDataError
from aiexports.sources.lists import read_list_paths
from aiexports.sources.reference import countries

REPOSITORY = Path(__file__).resolve().parents[4]
REFERENCE_LISTS = REPOSITORY / "reference-data" / "lists"
BUNDLED_SNAPSHOT = REPOSITORY / "src" / "aiexports" / "data" / "lists" / "snapshot.json.gz"


def build_snapshot(source_dir: Path, countries: CountryBook) -> ListSnapshot:
    """A snapshot of every feed found in ``source_dir``."""
    return snapshot_of(read_list_paths([source_dir], countries))


def snapshot_bytes(snapshot: ListSnapshot) -> bytes:
    return gzip.compress(snapshot.model_dump_json().encode("utf-8"), mtime=0)


def load_snapshot_bytes(data: bytes) -> ListSnapshot:
    """A snapshot from :func:`snapshot_bytes`' output."""
    try:
        return ListSnapshot.model_validate_json(gzip.decompress(data))
    except (OSError, EOFError, zlib.error, ValidationError) as error:
        raise ReferenceDataError(
            [Issue(f"the list snapshot is unreadable: {error}", source="snapshot.json.gz")]
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild the bundled list snapshot.")
    parser.add_argument("--source", type=Path, default=REFERENCE_LISTS)
    parser.add_argument("--output", type=Path, default=BUNDLED_SNAPSHOT)
    options = parser.parse_args(argv)
    try:
        snapshot = build_snapshot(options.source, countries())
    except AiExportsError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    data = snapshot_bytes(snapshot)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_bytes(data)
    for feed in snapshot.feeds:
        report = feed.report
        print(f"{report.feed}: {report.entries} entries, {report.names} names")
    print(f"wrote {options.output} ({len(data):,} bytes, version {snapshot.version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

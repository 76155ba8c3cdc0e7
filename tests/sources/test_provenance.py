"""Every bundled data file has a provenance record (source, as-of, licence, confidence)."""

from __future__ import annotations

from fnmatch import fnmatch

from aiexports.sources.documents import read_document
from tests.conftest import ROOT

DATA = ROOT / "src" / "aiexports" / "data"
FIELDS = {"source", "as_of", "licence", "confidence"}


def test_every_data_file_has_provenance() -> None:
    records = read_document(DATA / "PROVENANCE.yaml").data["files"]
    files = sorted(
        str(p.relative_to(DATA))
        for p in DATA.rglob("*")
        if p.is_file()
        and p.name != "PROVENANCE.yaml"
        and "__pycache__" not in p.parts
        and p.suffix != ".py"
    )
    unrecorded = [f for f in files if not any(fnmatch(f, pattern) for pattern in records)]
    assert unrecorded == []
    unused = [pattern for pattern in records if not any(fnmatch(f, pattern) for f in files)]
    assert unused == []
    for pattern, record in records.items():
        assert set(record) >= FIELDS, pattern
        assert all(str(record[field]).strip() for field in FIELDS), pattern

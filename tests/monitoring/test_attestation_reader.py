"""Attestations read from CSV by the plain reader (no model per row) are those the
validating reader gives for the same rows (read here from Parquet, which always takes the
validating path), in every time form the plain reader accepts; a row it does not accept
sends the file to the validating reader, which locates the problem."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from aiexports.core.monitoring.model import Location
from aiexports.errors import InputError
from aiexports.monitoring.inputs import read_attestations

LOCATIONS = {
    "in-del-1": Location(
        id="in-del-1", kind="site", city="Delhi", country="IN", lat=28.6, lon=77.2
    ),
    "lm-bom": Location(
        id="lm-bom", kind="landmark", city="Mumbai", country="IN", lat=19.1, lon=72.9
    ),
}
HEADER = "accelerator_id,site,time,landmark,rtt_ms,signature\n"
ROWS = (
    "acc-1,in-del-1,2026-01-01T00:00:27Z,lm-bom,10.5,c2ln\n"
    "acc-1,in-del-1,2026-01-01 06:00:00+05:30,lm-bom,11,\n"
    "acc-2,in-del-1,2026-01-02T00:00:00.250000,lm-bom,0.75,c2ln\n"
    " acc-2 , in-del-1 ,2026-01-03T00:00:00-01:00, lm-bom ,999999.5,c2ln\n"
)


def _parquet_copy(csv_path: Path, out: Path) -> Path:
    connection = duckdb.connect()
    connection.execute(
        f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar = true)) "
        f"TO '{out}' (FORMAT parquet)"
    )
    return out


def test_the_plain_reader_reads_what_the_validating_reader_reads(tmp_path: Path) -> None:
    path = tmp_path / "attestations.csv"
    path.write_text(HEADER + ROWS)
    plain = read_attestations(path, LOCATIONS)
    validated = read_attestations(_parquet_copy(path, tmp_path / "a.parquet"), LOCATIONS)
    assert plain == validated
    assert len(plain) == 4
    assert plain[1].time.isoformat() == "2026-01-01T00:30:00"  # +05:30 read as UTC


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("acc-3,in-del-1,2026-01-01T00:00:00Z,lm-bom,1e6,x\n", "rtt_ms"),
        ("acc-3,in-del-1,yesterday,lm-bom,1,x\n", "time"),
        ("acc-3,lm-bom,2026-01-01T00:00:00Z,lm-bom,1,x\n", "site"),
        ("acc-3,in-del-1,2026-01-01T00:00:00Z,nowhere,1,x\n", "landmark"),
        (",in-del-1,2026-01-01T00:00:00Z,lm-bom,1,x\n", "accelerator_id"),
    ],
)
def test_a_row_the_plain_reader_refuses_is_located(tmp_path: Path, row: str, field: str) -> None:
    path = tmp_path / "attestations.csv"
    path.write_text(HEADER + ROWS + row)
    with pytest.raises(InputError) as raised:
        read_attestations(path, LOCATIONS)
    issue = raised.value.issues[0]
    assert (issue.source, issue.line, issue.field) == (str(path), 6, field)

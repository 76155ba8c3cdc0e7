"""NIST AI RMF assessments as CSV files: one row per subcategory, the deployer, date and
package in ``#`` header lines; a CSV written from an assessment reads back to the same
assessment, and the same text."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiexports.core.rmf import RmfAssessment

CSV_COLUMNS = ("subcategory", "status", "maturity", "evidence", "notes", "reason")


def to_csv(assessment: RmfAssessment) -> str:
    """The items as CSV (evidence references joined by ``|``); the header names the
    deployer, date and package in ``#`` lines so that the file stands alone."""
    out = io.StringIO()
    head = {
        "framework": assessment.framework,
        "deployer": assessment.deployer.name,
        "country": assessment.deployer.country,
        "role": assessment.deployer.role,
        "date": assessment.date.isoformat(),
        "package": assessment.package or "",
    }
    for key, value in head.items():
        out.write(f"# {key}: {value}\n")
    # Rows end in CRLF (RFC 4180): a note holding a lone CR is then quoted, as one with LF is.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in assessment.items:
        writer.writerow(
            [
                item.subcategory,
                item.status,
                item.maturity,
                "|".join(item.evidence),
                item.notes,
                item.reason,
            ]
        )
    return out.getvalue()


def csv_document(text: str) -> tuple[dict[str, Any], dict[int, int]]:
    """An assessment document from CSV text, and the file line of each item (to locate
    errors). Raises ``ValueError`` naming the line for a malformed header or row."""
    head: dict[str, str] = {}
    index = 0
    offset = 0
    while text.startswith("#", offset):
        end = text.find("\n", offset)
        line = text[offset : end if end >= 0 else len(text)]
        key, sep, value = line[1:].partition(":")
        if not sep:
            raise ValueError(f"line {index + 1}: a header line is '# key: value'")
        head[key.strip()] = value.strip()
        index += 1
        offset = end + 1 if end >= 0 else len(text)
    # The rest goes to the CSV reader as it is: quoted fields may hold line breaks.
    reader = csv.reader(io.StringIO(text[offset:], newline=""))
    columns = next(reader, None)
    if columns is None or tuple(columns) != CSV_COLUMNS:
        raise ValueError(f"line {index + 1}: the columns are {','.join(CSV_COLUMNS)}")
    items: list[dict[str, Any]] = []
    where: dict[int, int] = {}
    for row in reader:
        row_line = index + reader.line_num
        if len(row) != len(CSV_COLUMNS):
            raise ValueError(f"line {row_line}: {len(row)} fields, not {len(CSV_COLUMNS)}")
        values = dict(zip(CSV_COLUMNS, row, strict=True))
        maturity: Any = values["maturity"]
        if maturity.isdigit():
            maturity = int(maturity)
        where[len(items)] = row_line
        items.append(
            {
                "subcategory": values["subcategory"],
                "status": values["status"],
                "maturity": maturity,
                "evidence": values["evidence"].split("|") if values["evidence"] else [],
                "notes": values["notes"],
                "reason": values["reason"],
            }
        )
    document: dict[str, Any] = {
        "framework": head.get("framework", "nist-ai-rmf-1.0"),
        "deployer": {
            "name": head.get("deployer", ""),
            "country": head.get("country", ""),
            "role": head.get("role", ""),
        },
        "date": head.get("date", ""),
        "items": items,
    }
    if head.get("package"):
        document["package"] = head["package"]
    return document, where

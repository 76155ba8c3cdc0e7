"""JSON Schemas of the documents users write: packages, deals and partner requirements.

``python -m aiexports.sources.schemas`` rewrites ``schemas/*.schema.json``; a test fails
when a committed file differs from what the models produce.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aiexports.core.catalog import Package
from aiexports.core.deal import Deal
from aiexports.core.recommend import PartnerRequirements

DOCUMENTS: dict[str, type[BaseModel]] = {
    "package": Package,
    "deal": Deal,
    "partner-requirements": PartnerRequirements,
}


def schema_of(name: str) -> dict[str, Any]:
    model = DOCUMENTS[name]
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{name}.schema.json",
        **schema,
    }


def schema_text(name: str) -> str:
    return json.dumps(schema_of(name), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in DOCUMENTS:
        path = folder / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path(__file__).resolve().parents[3] / "schemas"
    for path in write_schemas(folder):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

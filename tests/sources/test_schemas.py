"""The committed JSON Schemas are what the models produce."""

from __future__ import annotations

import json

import pytest

from aiexports.sources.schemas import DOCUMENTS, schema_of, schema_text
from tests.conftest import ROOT


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_exported_schema_is_fresh(name: str) -> None:
    committed = (ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(name), "stale schema: run `python -m aiexports.sources.schemas`"


def test_deal_schema_describes_the_contract() -> None:
    schema = schema_of("deal")
    assert set(schema["required"]) == {"date", "destination", "parties", "end_uses"}
    assert schema["additionalProperties"] is False
    text = json.dumps(schema)
    for word in ("frontier_training", "facial_recognition", "intermediate_consignee"):
        assert word in text

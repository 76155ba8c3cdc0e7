"""The OSCAL exports validate against NIST's published OSCAL 1.2.3 JSON schemas (bundled
in data/oscal with their provenance)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from aiexports.runtime import IndexCache, Runtime
from aiexports.services.rmf import oscal_assessment_results, oscal_catalog, read_assessment
from aiexports.settings import Settings
from aiexports.sources.reference import data_file
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "rmf" / "kenya-ict-ministry.yaml"


def _validator(name: str) -> Any:
    schema = json.loads(data_file("oscal", f"oscal_{name}_schema.json").read_text("utf-8"))
    assert "1.2.3" in schema["$id"]
    return jsonschema_rs.validator_for(schema)


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    return Runtime(Settings(home=Path(tmp_path_factory.mktemp("home"))), indexes=IndexCache())


def test_the_rmf_core_as_an_oscal_catalog_validates() -> None:
    document = oscal_catalog()
    errors = [str(e) for e in _validator("catalog").iter_errors(document)]
    assert errors == []
    groups = document["catalog"]["groups"]
    assert [g["id"] for g in groups] == ["govern", "map", "measure", "manage"]
    controls = [c for g in groups for cat in g["groups"] for c in cat["controls"]]
    assert len(controls) == 72
    assert controls[0]["id"] == "govern-1.1"


def test_an_assessment_as_oscal_assessment_results_validates(runtime: Runtime) -> None:
    assessment = read_assessment(runtime, EXAMPLE)
    document = oscal_assessment_results(runtime, assessment)
    errors = [str(e) for e in _validator("assessment-results").iter_errors(document)]
    assert errors == []
    (result,) = document["assessment-results"]["results"]
    assert len(result["findings"]) == len(assessment.items)
    # Each gap is a risk with its remediation deadline.
    assert [(r["title"].split(":")[0], r["deadline"][:10]) for r in result["risks"]] == [
        ("GOVERN 3.2", "2027-05-30"),
        ("MAP 2.2", "2027-05-30"),
        ("MEASURE 2.5", "2027-03-01"),
        ("MEASURE 2.11", "2027-05-30"),
    ]
    # The same assessment exports to the same document (UUIDs from the content).
    assert oscal_assessment_results(runtime, assessment) == document


def test_a_broken_export_would_be_caught() -> None:
    """The validator is not vacuous: a catalog without its metadata fails."""
    document = oscal_catalog()
    del document["catalog"]["metadata"]
    assert not _validator("catalog").is_valid(document)

"""Reading YAML 1.2 and JSON documents with lines, and locating validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiexports.core.deal import Deal
from aiexports.core.records import validation_context
from aiexports.errors import InputError
from aiexports.sources import reference
from aiexports.sources.documents import parse_text, read_document, validate_document

CONTEXT = validation_context(reference.countries())
DEAL = """id: d
date: 2026-11-26
destination: NO
parties:
  - {role: end_user, name: Oslo AI, country: NO, type: private}
end_uses: [research]
components:
  - id: weights
    kind: model
    eccn: 4E091
    training_ops: 3.0e+26
"""


def test_yaml_1_2_core_schema() -> None:
    """NO is Norway, 3.0e+26 a number, and an ECCN written like a number stays an ECCN."""
    deal = validate_document(Deal, parse_text(DEAL, "deal.yaml"), CONTEXT)
    assert deal.destination == "NO"
    component = deal.components[0]
    assert not isinstance(component, str)
    assert component.eccn == "4E091"
    assert component.training_ops == 3.0e26  # type: ignore[union-attr]


def test_duplicate_keys_are_an_error() -> None:
    with pytest.raises(InputError) as raised:
        parse_text("id: a\nid: b\n", "dup.yaml")
    assert raised.value.issues[0].line == 2


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(InputError, match="mapping"):
        validate_document(Deal, parse_text("- a\n- b\n", "list.yaml"), CONTEXT)


def test_every_error_of_a_document_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(
        DEAL.replace("destination: NO", "destination: XX")
        .replace("type: private", "type: pirate")
        .replace("kind: model", "kind: modle")
    )
    with pytest.raises(InputError) as raised:
        validate_document(Deal, read_document(path), CONTEXT)
    located = {(i.line, i.field) for i in raised.value.issues}
    assert (3, "destination") in located
    assert (5, "parties[0].type") in located
    assert (9, "components[0].kind") in located


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_document(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="is a directory"):
        read_document(tmp_path)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: M\xfcller\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_document(latin)


def test_a_component_without_kind_names_the_kind_field() -> None:
    text = DEAL.replace("    kind: model\n", "")
    with pytest.raises(InputError) as raised:
        validate_document(Deal, parse_text(text, "deal.yaml"), CONTEXT)
    assert [(i.field, i.message) for i in raised.value.issues] == [
        ("components[0].kind", "required field is missing")
    ]

"""NIST AI RMF assessments: scores and gaps worked by hand, exact CSV and YAML round trips,
located errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aiexports.core.rmf import AssessmentItem, Deployer, RmfAssessment
from aiexports.errors import InputError
from aiexports.runtime import IndexCache, Runtime
from aiexports.services.rmf import read_assessment, report, written
from aiexports.settings import Settings
from aiexports.sources.rmf_csv import csv_document, to_csv
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "rmf" / "kenya-ict-ministry.yaml"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    return Runtime(Settings(home=Path(tmp_path_factory.mktemp("home"))), indexes=IndexCache())


def test_gaps_and_scores_worked_by_hand(runtime: Runtime) -> None:
    found = report(runtime, read_assessment(runtime, EXAMPLE)).contract()
    # gov-services-assistant commits to 12 subcategories; at the required maturity 3:
    # GOVERN 3.2 partial (180 days), MAP 2.2 implemented at 2 (180), MEASURE 2.5 not
    # started (90), MEASURE 2.11 partial (180), counted from 2026-12-01.
    assert [(g["subcategory"], g["due"]) for g in found["gaps"]] == [
        ("GOVERN 3.2", "2027-05-30"),
        ("MAP 2.2", "2027-05-30"),
        ("MEASURE 2.5", "2027-03-01"),
        ("MEASURE 2.11", "2027-05-30"),
    ]
    assert {g["condition"] for g in found["gaps"]} == {"GOV-RMF"}
    functions = {s["id"]: s for s in found["functions"]}
    # 72 subcategories: GOVERN 19, MAP 18 (one not applicable), MEASURE 22, MANAGE 13.
    assert {k: v["applicable"] for k, v in functions.items()} == {
        "GOVERN": 19,
        "MAP": 17,
        "MEASURE": 22,
        "MANAGE": 13,
    }
    # GOVERN: maturities 3 + 2 + 4 over 19 applicable subcategories (the rest count 0).
    assert functions["GOVERN"]["mean_maturity"] == round(9 / 19, 2)
    assert functions["GOVERN"]["implemented"] == 2


def test_csv_and_yaml_round_trips_are_exact(runtime: Runtime, tmp_path: Path) -> None:
    original = read_assessment(runtime, EXAMPLE)
    for form in ("csv", "yaml"):
        path = tmp_path / f"a.{form}"
        path.write_text(written(original, form), encoding="utf-8")
        again = read_assessment(runtime, path)
        assert again == original
        assert written(again, form) == path.read_bytes().decode("utf-8")


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x0b\x0c\x7f"),
    max_size=40,
).filter(lambda t: all(not ("\x0e" <= c <= "\x1f" or "\x01" <= c <= "\x08") for c in t))


@settings(max_examples=100, deadline=None)
@example(notes=["a\rb", "c\r\nd", '\u2028,"q"'], evidence=["x"])  # lone CR: quoted
@given(
    notes=st.lists(TEXT, min_size=1, max_size=5),
    evidence=st.lists(
        st.text(alphabet="abcXYZ-_:/. ,\"'", min_size=1, max_size=12).filter(
            lambda t: t.strip() == t and t
        ),
        max_size=3,
    ),
)
def test_any_text_survives_the_csv(notes: list[str], evidence: list[str]) -> None:
    items = tuple(
        AssessmentItem(
            subcategory=f"MAP 1.{i + 1}",
            status="partial",
            maturity=1,
            evidence=tuple(evidence),
            notes=note,
        )
        for i, note in enumerate(notes)
    )
    assessment = RmfAssessment(
        deployer=Deployer(name='A, "B"', country="KE", role="licensee"),
        date=dt.date(2026, 12, 1),
        items=items,
    )
    text = to_csv(assessment)
    document, _ = csv_document(text)
    assert RmfAssessment.model_validate(document) == assessment


def test_a_bad_csv_row_is_located(runtime: Runtime, tmp_path: Path) -> None:
    text = written(read_assessment(runtime, EXAMPLE), "csv").replace(
        "MAP 2.2,implemented,2", "MAP 2.2,done,2"
    )
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_assessment(runtime, path)
    (issue,) = raised.value.issues
    lines = text.splitlines()
    expected = lines.index(next(row for row in lines if row.startswith("MAP 2.2")))
    assert issue.line == expected + 1
    assert issue.field is not None
    assert issue.field.endswith("status")


def test_an_unknown_subcategory_and_a_reasonless_not_applicable_are_refused(
    runtime: Runtime, tmp_path: Path
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(text.replace("MANAGE 4.1", "MANAGE 9.9"), encoding="utf-8")
    with pytest.raises(InputError, match=r"MANAGE 9\.9"):
        read_assessment(runtime, unknown)
    reasonless = tmp_path / "reasonless.yaml"
    reasonless.write_text(
        text.replace(", reason: no external users beyond citizens served through the portal", ""),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="reason"):
        read_assessment(runtime, reasonless)

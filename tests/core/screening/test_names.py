"""Name folding and tokenising."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiexports.core.screening.names import NameRules, Role, fold, normal_form, tokenize
from aiexports.sources.reference import name_rules

RULES = name_rules()


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Muḥammad al-Ḥasan", "muhammad al hasan"),
        ("MÜLLER, Jörg", "muller jorg"),
        ("Fathi Mohammed QAR'AWI", "fathi mohammed qarawi"),
        ("Владимир Путин", "vladimir putin"),
        ("毛泽东", "mao ze dong"),
        ("김정은", "gim jeong eun"),
        ("C.A.D. S.A.", "cad sa"),
        ("I&S HOLDING", "is holding"),
        ("Smith & Sons", "smith and sons"),
        ("  ROSNEFT\tTRADE--LIMITED ", "rosneft trade limited"),
    ],
)
def test_fold(written: str, folded: str) -> None:
    assert fold(written) == folded


def test_legal_forms_collapse_to_one_spelling() -> None:
    long = normal_form("Joint Stock Company Mashinoimport", RULES)
    short = normal_form("JSC Mashinoimport", RULES)
    assert long == short == "jsc mashinoimport"
    assert normal_form("Aktsionernoe Obshchestvo Kronshtadt", RULES) == "ao kronshtadt"
    assert normal_form("ROSNEFT TRADE LIMITED", RULES) == normal_form("Rosneft Trade Ltd.", RULES)


def test_roles() -> None:
    tokens = tokenize("Sheikh Abu Bakr al-Baghdadi J. Ltd", RULES)
    roles = {t.text: t.role for t in tokens}
    assert "sheikh" not in roles  # a leading honorific is dropped
    assert roles["al"] is Role.PARTICLE
    assert roles["j"] is Role.INITIAL
    assert roles["ltd"] is Role.FORM
    assert roles["baghdadi"] is Role.NAME


def test_honorific_is_kept_when_it_is_the_whole_name() -> None:
    assert normal_form("General", RULES) == "general"


def test_romanisation_variants_share_one_spelling() -> None:
    spellings = ["Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed"]
    assert {normal_form(s, RULES) for s in spellings} == {"muhammad"}
    merged = tokenize("BEREZIN Fedor", RULES)
    assert [t.text for t in merged] == ["berezin", "fyodor"]
    assert [t.written for t in merged] == ["berezin", "fedor"]


def test_rules_refuse_a_spelling_in_two_variant_groups() -> None:
    with pytest.raises(ValueError, match="two variant groups"):
        NameRules.build({}, {}, [], [], [["mohammed", "muhammad"], ["muhammad", "mhd"]])


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_normalisation_is_idempotent(text: str) -> None:
    once = normal_form(text, RULES)
    assert normal_form(once, RULES) == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Zs", "Pd", "Po"]), max_size=30))
def test_folding_is_lower_case_ascii(text: str) -> None:
    folded = fold(text)
    assert folded == folded.strip()
    assert all(c.isascii() and (c.isalnum() or c == " ") and not c.isupper() for c in folded)

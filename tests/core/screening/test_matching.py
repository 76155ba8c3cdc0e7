"""The matcher: golden name pairs, properties, and explained matches on the real lists."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiexports.core.screening.entries import EntryType, ListEntry
from aiexports.core.screening.matcher import NameMatcher
from aiexports.core.screening.port import ScreeningQuery
from aiexports.core.screening.results import Thresholds
from aiexports.core.screening.similarity import compare, token_similarity
from aiexports.services.screening import bundled_snapshot
from aiexports.sources.documents import read_document
from tests.conftest import ROOT

PAIRS = read_document(ROOT / "tests" / "golden" / "name-pairs.yaml").data
ENTRIES = [e for e in bundled_snapshot().entries if e.screening_names()]
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _name_score(matcher: NameMatcher, a: str, b: str) -> float:
    return compare(matcher.index.form(a), matcher.index.form(b)).score


@pytest.mark.parametrize(("a", "b"), [tuple(p) for p in PAIRS["match"]], ids=str)
def test_same_party_written_differently_blocks(
    a: str, b: str, matcher: NameMatcher, thresholds: Thresholds
) -> None:
    assert _name_score(matcher, a, b) >= thresholds.block


@pytest.mark.parametrize(("a", "b"), [tuple(p) for p in PAIRS["no_match"]], ids=str)
def test_different_parties_stay_clear(
    a: str, b: str, matcher: NameMatcher, thresholds: Thresholds
) -> None:
    assert _name_score(matcher, a, b) < thresholds.review


def test_token_similarity_kinds() -> None:
    assert token_similarity("salek", "salek") == 1.0
    assert token_similarity("j", "john") > 0.8  # an initial
    assert token_similarity("aerocaribbean", "aerocaribean") >= 0.94  # one edit
    assert token_similarity("qadhafi", "gaddafi") >= 0.9  # same consonant skeleton
    assert token_similarity("buyer", "bajer") < 0.9  # too short a skeleton to trust
    assert token_similarity("bush", "habbash") < 0.8


@SETTINGS
@given(a=st.sampled_from(ENTRIES), b=st.sampled_from(ENTRIES))
def test_name_score_is_symmetric(a: ListEntry, b: ListEntry, matcher: NameMatcher) -> None:
    left, right = a.screening_names()[0][0], b.screening_names()[0][0]
    forward = compare(matcher.index.form(left), matcher.index.form(right))
    backward = compare(matcher.index.form(right), matcher.index.form(left))
    assert forward.score == pytest.approx(backward.score, abs=1e-12)
    assert 0.0 <= forward.score <= 1.0


@SETTINGS
@given(entry=st.sampled_from(ENTRIES), data=st.data())
def test_an_exact_listed_name_without_contradiction_blocks(
    entry: ListEntry, data: st.DataObject, matcher: NameMatcher, thresholds: Thresholds
) -> None:
    name = data.draw(st.sampled_from([n for n, _ in entry.screening_names()]))
    country = data.draw(st.sampled_from([None, *entry.countries]))
    kind = {EntryType.PERSON: "person", EntryType.ENTITY: "entity"}.get(entry.type)
    query = ScreeningQuery(name, country, data.draw(st.sampled_from([None, kind])))
    if not matcher.index.form(name).tokens:
        return
    scored = {s.entry.key: s for s in matcher.score(query)}
    assert entry.key in scored
    assert scored[entry.key].score >= thresholds.block


def test_contradicting_qualifiers_lower_the_score(matcher: NameMatcher) -> None:
    plain = matcher.score(ScreeningQuery("ABDULHAI SALEK"))[0]
    assert plain.entry.key == "UN:TAi.108"
    contradicted = {
        s.entry.key: s
        for s in matcher.score(ScreeningQuery("ABDULHAI SALEK", "BR", "entity", "1990"))
    }["UN:TAi.108"]
    assert contradicted.score < plain.score
    assert {f.name for f in contradicted.features} == {"country", "type", "birth_year"}
    assert all(f.effect < 0 for f in contradicted.features)


def test_every_match_is_explained(matcher: NameMatcher) -> None:
    best = matcher.score(ScreeningQuery("Usama Bin Ladin", "AF", "person"))[0]
    explanation = best.explanation()
    assert explanation["matched_name"] == best.listed
    assert {a["how"] for a in explanation["aligned"]} <= {
        "exact",
        "spelling",
        "sound",
        "initial",
        "merged",
    }
    assert explanation["name_score"] == pytest.approx(best.name_score, abs=1e-4)
    assert best.summary().startswith("name ")


def test_screening_names_follow_the_spec_rules() -> None:
    entry = ListEntry(
        source="ISN",
        entity_number="x",
        name=("Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary"),
        feed="csl",
    )
    assert [n for n, _ in entry.screening_names()] == ["Sinobright Import and Export Company"]
    meu = ListEntry(
        source="MEU",
        entity_number="y",
        feed="csl",
        name="Academy of Aerospace Solid Propulsion Technology (AASPT)",
    )
    assert [n for n, _ in meu.screening_names()] == [
        "Academy of Aerospace Solid Propulsion Technology",
        "AASPT",
    ]

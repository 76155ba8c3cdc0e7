"""Remembered adjudications applied to a screening: a cleared match leaves the matches,
a confirmed one stays marked, and any change to the party's details or to the list entry
brings the alert back, naming what changed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiexports.core.screening.adjudication import (
    Adjudication,
    Verdict,
    apply_adjudications,
    entry_fields,
    party_details,
    party_key,
)
from aiexports.core.screening.entries import Address, ListEntry
from aiexports.core.screening.results import ListMatch, PartyScreening, ScreeningResult, Thresholds
from aiexports.core.vocabulary import ListCode

ENTRY = ListEntry(
    source=ListCode.SDN,
    entity_number="21562",
    type="entity",
    name="MAHER TRADING AND CONSTRUCTION COMPANY",
    addresses=(Address(city="Tehran", country="IR"),),
    programs=("IRAN",),
    feed="ofac-sdn",
    origin="sdn.csv:10",
)
MATCH = ListMatch(ListCode.SDN, "21562", ENTRY.name, ENTRY.name, 0.70)
OTHER = ListMatch(ListCode.SDN, "99", "OTHER CO", "OTHER CO", 0.69)
PARTY = party_details(
    {
        "name": "Mehr Trading Company",
        "country": "IN",
        "address": "14 Nehru Place",
        "type": "private",
    }
)


def _screening(*matches: ListMatch) -> ScreeningResult:
    return ScreeningResult(True, Thresholds(0.8, 0.66), "v1", "m", (PartyScreening(matches),))


def _adjudication(verdict: Verdict = Verdict.FALSE_POSITIVE, **party: Any) -> Adjudication:
    return Adjudication(
        id="adj_1",
        verdict=verdict,
        entry_key="SDN:21562",
        entry=entry_fields(ENTRY),
        party={**PARTY, **party},
        reason="different company",
        decided_by="demo-agency/officer-1",
        decided_at="2026-12-01T10:00:00.000000Z",
        organization="demo-agency",
        scope="program",
    )


def _apply(
    adjudication: Adjudication, details: Any = PARTY, entry: ListEntry = ENTRY
) -> PartyScreening:
    memory = {adjudication.key: (adjudication,)}
    found = apply_adjudications(_screening(MATCH, OTHER), [details], memory, lambda key: entry)
    return found.parties[0]


def test_a_cleared_match_leaves_the_matches_and_is_shown_applied() -> None:
    party = _apply(_adjudication())
    assert party.matches == (OTHER,)
    (use,) = party.adjudications
    assert use.applied
    assert use.changed == ()
    assert "cleared as a false positive by demo-agency/officer-1" in use.explanation()


def test_a_confirmed_match_stays_marked() -> None:
    party = _apply(_adjudication(Verdict.CONFIRMED))
    assert party.matches == (MATCH, OTHER)
    assert party.adjudication_of(MATCH) is not None
    assert party.adjudication_of(OTHER) is None
    assert party.confirmed(MATCH)
    assert not party.confirmed(OTHER)


def test_a_confirmation_no_longer_in_force_confirms_nothing() -> None:
    party = _apply(_adjudication(Verdict.CONFIRMED), {**PARTY, "address": "7 Connaught Place"})
    assert not party.confirmed(MATCH)
    assert not _apply(_adjudication()).confirmed(MATCH)


def test_the_same_party_written_differently_is_the_same_party() -> None:
    assert party_key("Mehr  Trading COMPANY", "in") == party_key("mehr trading company", "IN")
    assert _apply(_adjudication(), {**PARTY, "name": "MEHR TRADING  COMPANY"}).matches == (OTHER,)


def test_a_changed_party_address_brings_the_alert_back_saying_so() -> None:
    party = _apply(_adjudication(), {**PARTY, "address": "7 Connaught Place"})
    assert party.matches == (MATCH, OTHER)
    (use,) = party.adjudications
    assert not use.applied
    assert use.changed == ("party.address",)
    assert "party.address changed since: the alert stands again" in use.explanation()


def test_a_changed_list_entry_brings_the_alert_back_saying_what_changed() -> None:
    moved = ENTRY.model_copy(update={"addresses": (Address(city="Dubai", country="AE"),)})
    party = _apply(_adjudication(), entry=moved)
    assert party.matches == (MATCH, OTHER)
    assert party.adjudications[0].changed == ("entry.addresses",)


def test_where_the_entry_was_read_from_is_no_change() -> None:
    reread = ENTRY.model_copy(update={"origin": "sdn.csv:4000", "feed": "csl"})
    assert _apply(_adjudication(), entry=reread).matches == (OTHER,)


def test_another_party_is_untouched() -> None:
    other = {**PARTY, "name": "Mehr Trading Company Two"}
    party = _apply(_adjudication(), other)
    assert party.matches == (MATCH, OTHER)
    assert party.adjudications == ()


def test_records_round_trip() -> None:
    adjudication = _adjudication()
    assert Adjudication.from_record(adjudication.record()) == adjudication


def test_a_detail_unknown_when_judged_does_not_bear_on_it() -> None:
    judged_on_name = _adjudication(address=None, type=None)
    assert _apply(judged_on_name, {**PARTY, "city": "New Delhi"}).matches == (OTHER,)


def test_a_detail_judged_with_and_no_longer_given_is_a_change() -> None:
    party = _apply(_adjudication(), {**PARTY, "address": None})
    assert party.adjudications[0].changed == ("party.address",)


def test_a_clearance_of_another_party_of_the_same_name_leaves_a_confirmation_standing() -> None:
    confirmed = _adjudication(Verdict.CONFIRMED)
    other_firm = replace(
        confirmed,
        id="adj_2",
        verdict=Verdict.FALSE_POSITIVE,
        party={**PARTY, "address": "99 Other Road", "city": "Mumbai"},
        decided_at="2026-12-01T11:00:00.000000Z",
    )
    memory = {confirmed.key: (other_firm, confirmed)}  # the clearance is the newer
    screened = _screening(MATCH, OTHER)

    def party_of(details: Any) -> PartyScreening:
        return apply_adjudications(screened, [details], memory, lambda key: ENTRY).parties[0]

    first = party_of(PARTY)
    assert first.matches == (MATCH, OTHER)
    assert first.confirmed(MATCH)
    second = party_of({**PARTY, "address": "99 Other Road", "city": "Mumbai"})
    assert second.matches == (OTHER,)
    assert second.adjudications[0].adjudication.id == "adj_2"


def test_an_organisation_s_clearance_does_not_hold_once_the_match_scores_at_block() -> None:
    cleared = replace(_adjudication(), scope="organization")
    strong = ListMatch(ListCode.SDN, "21562", ENTRY.name, ENTRY.name, 0.85)  # block is 0.8
    memory = {cleared.key: (cleared,)}
    screened = ScreeningResult(True, Thresholds(0.8, 0.66), "v1", "m", (PartyScreening((strong,)),))
    party = apply_adjudications(screened, [PARTY], memory, lambda key: ENTRY).parties[0]
    assert party.matches == (strong,)
    (use,) = party.adjudications
    assert not use.applied
    assert use.changed == ("match.score",)
    assert "only an officer may clear" in use.explanation()

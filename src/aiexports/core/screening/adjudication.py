"""Remembered adjudications of screening matches: a match a person has cleared as a false
positive, or confirmed, with who, when and why.

An adjudication holds for one party (its name and country, and the details it was judged
with: address, city, postal code, headquarters, type) against one list entry (as the entry
read then). A later screening of the same party against the same entry shows the
adjudication instead of a fresh alert, as long as neither changed: when the entry's data
or any detail the party was judged with differs (or is no longer given), the adjudication
no longer applies and the alert returns, saying which fields changed. A cleared match is
taken out of the matches the rules read; a confirmed one stays, marked confirmed.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from aiexports.core.differences import changed_fields
from aiexports.core.screening.entries import ListEntry
from aiexports.core.screening.results import ListMatch, ScreeningResult


class Verdict(StrEnum):
    FALSE_POSITIVE = "false_positive"
    CONFIRMED = "confirmed"


PARTY_DETAILS = ("name", "country", "headquarters", "type", "address", "city", "postal_code")
"""The party's details an adjudication is judged with: a change to any that was known when
it was made brings the alert back."""

ENTRY_EXCLUDED = frozenset({"origin", "feed", "flags", "source_url", "last_update"})
"""Fields of a list entry that say where it was read from, not who it names."""


def folded(text: str | None) -> str | None:
    """Text as a person compares it: case, Unicode composition and spacing aside."""
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def party_key(name: str, country: str) -> str:
    """A party's identity for finding its adjudications: its folded name and country."""
    return f"{folded(name)}|{country.upper()}"


def party_details(fields: Mapping[str, Any]) -> dict[str, str | None]:
    """The details an adjudication records, each as given (None when not given)."""
    found: dict[str, str | None] = {}
    for name in PARTY_DETAILS:
        value = fields.get(name)
        found[name] = " ".join(str(value).split()) if value not in (None, "") else None
    return found


def entry_fields(entry: ListEntry) -> dict[str, Any]:
    """The entry's content as a JSON document, without where it was read from."""
    data: dict[str, Any] = entry.model_dump(mode="json", exclude=set(ENTRY_EXCLUDED))
    return data


def fingerprint(document: Mapping[str, Any]) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Adjudication:
    """One recorded judgement of a match."""

    id: str
    verdict: Verdict
    entry_key: str
    entry: Mapping[str, Any]
    """The list entry as it read when judged (:func:`entry_fields`)."""
    party: Mapping[str, str | None]
    """The party's details as judged (:func:`party_details`)."""
    reason: str
    decided_by: str
    decided_at: str
    organization: str
    scope: str
    """``program`` (an officer's: every screening) or ``organization`` (an applicant's:
    its own organisation's screenings)."""

    @property
    def key(self) -> tuple[str, str]:
        return self.entry_key, party_key(str(self.party["name"]), str(self.party["country"]))

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": str(self.verdict),
            "entry_key": self.entry_key,
            "entry": dict(self.entry),
            "party": dict(self.party),
            "reason": self.reason,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "organization": self.organization,
            "scope": self.scope,
        }

    @staticmethod
    def from_record(record: Mapping[str, Any]) -> Adjudication:
        return Adjudication(
            id=str(record["id"]),
            verdict=Verdict(record["verdict"]),
            entry_key=str(record["entry_key"]),
            entry=dict(record["entry"]),
            party=dict(record["party"]),
            reason=str(record["reason"]),
            decided_by=str(record["decided_by"]),
            decided_at=str(record["decided_at"]),
            organization=str(record["organization"]),
            scope=str(record["scope"]),
        )


@dataclass(frozen=True, slots=True)
class AdjudicationUse:
    """How an adjudication bore on one match of one party in one screening."""

    adjudication: Adjudication
    match: ListMatch
    applied: bool
    changed: tuple[str, ...] = ()
    """When not applied: what changed since, e.g. ``party.address``, ``entry.addresses``."""

    def explanation(self) -> str:
        a = self.adjudication
        judged = (
            "cleared as a false positive" if a.verdict is Verdict.FALSE_POSITIVE else "confirmed"
        )
        if self.applied:
            return f"{judged} by {a.decided_by} on {a.decided_at[:10]}: {a.reason}"
        if self.changed == ("match.score",):
            return (
                f"was {judged} by {a.decided_by} on {a.decided_at[:10]}, but the match now "
                "scores at the block threshold, which only an officer may clear: the alert "
                "stands again"
            )
        return (
            f"was {judged} by {a.decided_by} on {a.decided_at[:10]}, but "
            f"{', '.join(self.changed)} changed since: the alert stands again"
        )

    def contract(self) -> dict[str, Any]:
        a = self.adjudication
        return {
            "adjudication": a.id,
            "verdict": str(a.verdict),
            "status": "applied" if self.applied else "invalidated",
            "list": str(self.match.source),
            "entity_number": self.match.entity_number,
            "listed_name": self.match.name,
            "party": a.party.get("name"),
            "reason": a.reason,
            "decided_by": a.decided_by,
            "decided_at": a.decided_at,
            "organization": a.organization,
            "changed": list(self.changed),
            "explanation": self.explanation(),
        }


Memory = Mapping[tuple[str, str], tuple[Adjudication, ...]]
"""(entry key, party key) → the adjudications in force for that pair, the one to prefer
first: parties of one name and country at different addresses are judged apart, each
adjudication against the details it was made with (:func:`choose`)."""


def choose(
    candidates: Sequence[Adjudication],
    match: ListMatch,
    details: Mapping[str, str | None],
    entry: ListEntry | None,
    block: float,
    compared: Sequence[str] = PARTY_DETAILS,
) -> AdjudicationUse | None:
    """The adjudication that bears on ``match``: a confirmation that still holds before
    any clearance (a listed party is never cleared by another party's clearance), then a
    clearance that still holds, else the first that no longer does (its alert returns,
    saying what changed). An organisation's clearance of a match that now scores at the
    block threshold does not hold: only an officer clears a block-level match."""
    uses = [judge(a, match, details, entry, compared) for a in candidates]
    uses = [_within_authority(u, block) for u in uses]
    for verdict in (Verdict.CONFIRMED, Verdict.FALSE_POSITIVE):
        for use in uses:
            if use.applied and use.adjudication.verdict is verdict:
                return use
    return uses[0] if uses else None


def _within_authority(use: AdjudicationUse, block: float) -> AdjudicationUse:
    a = use.adjudication
    if (
        use.applied
        and a.verdict is Verdict.FALSE_POSITIVE
        and a.scope != "program"
        and use.match.score >= block
    ):
        return AdjudicationUse(a, use.match, False, ("match.score",))
    return use


def apply_adjudications(
    screening: ScreeningResult,
    parties: Sequence[Mapping[str, str | None]],
    memory: Memory,
    current_entry: Callable[[str], ListEntry | None],
) -> ScreeningResult:
    """``screening`` with the adjudications of ``memory`` applied to its matches.
    ``parties`` are the screened parties' details (:func:`party_details`), aligned with
    ``screening.parties``."""
    if not memory or not screening.available:
        return screening
    screened = []
    for details, party in zip(parties, screening.parties, strict=True):
        key = party_key(str(details["name"]), str(details["country"]))
        kept: list[ListMatch] = []
        uses: list[AdjudicationUse] = []
        for match in party.matches:
            found = memory.get((match.entry_key, key), ())
            use = choose(
                found,
                match,
                details,
                current_entry(match.entry_key),
                (party.thresholds or screening.thresholds).block,
            )
            if use is None:
                kept.append(match)
                continue
            uses.append(use)
            if not (use.applied and use.adjudication.verdict is Verdict.FALSE_POSITIVE):
                kept.append(match)
        screened.append(
            replace(party, matches=tuple(kept), adjudications=tuple(uses)) if uses else party
        )
    return replace(screening, parties=tuple(screened))


def judge(
    adjudication: Adjudication,
    match: ListMatch,
    details: Mapping[str, str | None],
    entry: ListEntry | None,
    compared: Sequence[str] = PARTY_DETAILS,
) -> AdjudicationUse:
    """Whether ``adjudication`` still holds for ``match`` of a party with ``details``
    against the entry as the lists now hold it. Of the ``compared`` details, those the
    judgement was made with count: one that differs now, or is no longer given, is a
    change; one not known then did not bear on it."""
    changed = [
        f"party.{f}"
        for f in compared
        if adjudication.party.get(f) is not None
        and folded(adjudication.party.get(f)) != folded(details.get(f))
    ]
    now = entry_fields(entry) if entry is not None else {}
    changed.extend(f"entry.{f}" for f in _top_fields(changed_fields(adjudication.entry, now)))
    return AdjudicationUse(adjudication, match, not changed, tuple(changed))


def _top_fields(paths: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for path in paths:
        seen.setdefault(path.split(".", 1)[0].split("[", 1)[0], None)
    return list(seen)

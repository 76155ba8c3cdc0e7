"""What screening hands to the determination engine: scored matches per party."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiexports.core.vocabulary import ListCode

if TYPE_CHECKING:
    from aiexports.core.screening.adjudication import AdjudicationUse


NEVER_BLOCKS = 1.01
"""A block threshold no score reaches (scores are at most 1): names of that shape alone
never block (they can still reach review)."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score bands: ``score >= block`` blocks, ``review <= score < block`` needs review."""

    block: float
    review: float

    def __post_init__(self) -> None:
        if not (0 < self.review <= min(self.block, 1) and self.block in _BLOCKS):
            raise ValueError("thresholds need 0 < review <= block <= 1 (or block: never)")

    def band(self, score: float) -> str:
        if score >= self.block:
            return "block"
        if score >= self.review:
            return "review"
        return "clear"

    def describe(self) -> str:
        block = "=never" if self.block == NEVER_BLOCKS else f">={self.block:.3f}"
        return f"block{block};review>={self.review:.3f}"

    @property
    def blocks(self) -> bool:
        """Whether any score reaches the block band (not for a shape that never blocks)."""
        return self.block != NEVER_BLOCKS

    def contract(self) -> dict[str, float | None]:
        """As JSON: a block threshold no score reaches is null."""
        return {"block": self.block if self.blocks else None, "review": self.review}


class _Blocks:
    def __contains__(self, block: object) -> bool:
        return (
            isinstance(block, float | int)
            and not isinstance(block, bool)
            and (0 < block <= 1 or block == NEVER_BLOCKS)
        )


_BLOCKS = _Blocks()


def in_effect(source: ListCode, expires: dt.date | None, day: dt.date) -> bool:
    """Whether a listing still counts on ``day``: a Denied Persons List order ends on its
    expiry date; listings on every other list stand until removed (spec section 6)."""
    return not (source is ListCode.DPL and expires is not None and expires < day)


@dataclass(frozen=True, slots=True)
class ListMatch:
    """One list entry a party's name resembles, with the evidence for the score."""

    source: ListCode
    entity_number: str
    name: str
    matched_name: str
    score: float
    list_name: str = ""
    programs: tuple[str, ...] = ()
    expires: dt.date | None = None
    explanation: str = ""

    def in_effect(self, day: dt.date) -> bool:
        return in_effect(self.source, self.expires, day)

    @property
    def entry_key(self) -> str:
        return f"{self.source}:{self.entity_number}"


@dataclass(frozen=True, slots=True)
class PartyScreening:
    """The matches found for one party, best first, and how remembered adjudications bore
    on them (a match cleared as a false positive is no longer among ``matches``)."""

    matches: tuple[ListMatch, ...] = ()
    adjudications: tuple[AdjudicationUse, ...] = ()
    thresholds: Thresholds | None = None
    """The bands this party's name is judged by when they are not the deal's (a name
    written in a script with bands of its own)."""

    def adjudication_of(self, match: ListMatch) -> AdjudicationUse | None:
        for use in self.adjudications:
            if use.match.entry_key == match.entry_key:
                return use
        return None

    def confirmed(self, match: ListMatch) -> bool:
        """Whether an adjudication in force confirmed ``match`` as the listed party: it
        is then a match whatever its score."""
        use = self.adjudication_of(match)
        return use is not None and use.applied and use.adjudication.verdict == "confirmed"


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """Screening of every party of one deal (aligned with ``deal.parties``)."""

    available: bool
    thresholds: Thresholds
    lists_version: str
    matcher: str
    parties: tuple[PartyScreening, ...] = field(default_factory=tuple)
    covered: frozenset[ListCode] | None = None
    """The lists the screening data holds entries of (None: not known, taken as all)."""
    by_script: tuple[tuple[str, Thresholds], ...] = ()
    """The bands configured for names written in other scripts (reported in the data
    versions: they are part of the configuration)."""

    def bands(self, index: int) -> Thresholds:
        """The bands party ``index``'s matches are judged by."""
        own = self.parties[index].thresholds if index < len(self.parties) else None
        return own if own is not None else self.thresholds

    def describe(self) -> str:
        """The bands, as the data versions report them."""
        scripts = "".join(f";{name}:{bands.describe()}" for name, bands in self.by_script)
        return self.thresholds.describe() + scripts

    @staticmethod
    def unavailable(thresholds: Thresholds, party_count: int, reason: str) -> ScreeningResult:
        return ScreeningResult(
            available=False,
            thresholds=thresholds,
            lists_version=f"unavailable: {reason}",
            matcher="none",
            parties=tuple(PartyScreening() for _ in range(party_count)),
        )

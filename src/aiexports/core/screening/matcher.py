"""The restricted-party name matcher: candidates from the index, then an explained score
that combines the name evidence with country, type and date of birth when given."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiexports.core.screening.entries import EntryType, ListEntry
from aiexports.core.screening.index import IndexedName, ListIndex
from aiexports.core.screening.names import NameRules
from aiexports.core.screening.port import ScreeningQuery
from aiexports.core.screening.results import ListMatch
from aiexports.core.screening.similarity import Comparison, SimilarityCache, compare


@dataclass(frozen=True)
class MatcherSettings:
    candidates: int = 40
    """Names scored in full per query, chosen by index support."""
    min_support: float = 0.36
    """Share of the query's weight the index must find in a name before it is scored."""
    min_name_score: float = 0.3
    """Name scores below this are not reported (far below any review threshold)."""
    weak_alias_penalty: float = 0.06
    country_match: float = 0.02
    country_mismatch: float = -0.05
    type_mismatch: float = -0.10
    birth_year_match: float = 0.03
    birth_year_mismatch: float = -0.12


@dataclass(frozen=True)
class Feature:
    name: str
    effect: float
    detail: str


@dataclass(frozen=True)
class ScoredEntry:
    entry: ListEntry
    listed: str
    name_score: float
    score: float
    comparison: Comparison
    features: tuple[Feature, ...]

    def explanation(self) -> dict[str, Any]:
        c = self.comparison
        return {
            "matched_name": self.listed,
            "name_score": round(self.name_score, 4),
            "aligned": [
                {
                    "query": p.left,
                    "listed": p.right,
                    "similarity": round(p.similarity, 3),
                    "how": p.how,
                }
                for p in c.pairs
            ],
            "query_tokens_unmatched": list(c.left_unmatched),
            "listed_tokens_unmatched": list(c.right_unmatched),
            "features": [
                {"feature": f.name, "effect": round(f.effect, 3), "detail": f.detail}
                for f in self.features
            ],
        }

    def summary(self) -> str:
        text = f"name {self.name_score:.2f}: {self.comparison.describe()}"
        for feature in self.features:
            text += f"; {feature.name} {feature.effect:+.2f} ({feature.detail})"
        return text

    def as_match(self) -> ListMatch:
        entry = self.entry
        return ListMatch(
            source=entry.source,
            entity_number=entry.entity_number,
            name=entry.name,
            matched_name=self.listed,
            score=self.score,
            list_name=entry.list_name,
            programs=entry.programs,
            expires=entry.end_date,
            explanation=self.summary(),
        )


_PERSON = {EntryType.PERSON}
_NOT_PERSON = {EntryType.ENTITY, EntryType.VESSEL, EntryType.AIRCRAFT}


class NameMatcher:
    """Screens names against every listed name and alias (a :class:`Screener`)."""

    matcher_id = "aiexports-names-v1"

    def __init__(
        self,
        entries: Iterable[ListEntry],
        lists_version: str,
        rules: NameRules,
        settings: MatcherSettings | None = None,
    ) -> None:
        self.lists_version = lists_version
        self.settings = settings or MatcherSettings()
        self.index = ListIndex(entries, rules)
        self.cache = SimilarityCache()

    def score(self, query: ScreeningQuery) -> list[ScoredEntry]:
        """Every candidate entry scored, best first (one row per entry: its best name)."""
        form = self.index.form(query.name)
        if not form.tokens:
            return []
        cache = self.cache
        floor = self.settings.min_support * form.total
        best: dict[int, ScoredEntry] = {}
        for name_id, support in self.index.candidates(form, self.settings.candidates, cache):
            if support < floor:
                continue
            indexed = self.index.names[name_id]
            comparison = compare(form, indexed.form, cache)
            if comparison.score < self.settings.min_name_score:
                continue
            scored = self._qualify(query, indexed, comparison)
            current = best.get(indexed.entry)
            if current is None or scored.score > current.score:
                best[indexed.entry] = scored
        return sorted(best.values(), key=lambda s: (-s.score, s.entry.key))

    def screen(self, query: ScreeningQuery, limit: int = 10) -> tuple[ListMatch, ...]:
        return tuple(scored.as_match() for scored in self.score(query)[:limit])

    def _qualify(
        self, query: ScreeningQuery, indexed: IndexedName, comparison: Comparison
    ) -> ScoredEntry:
        entry = self.index.entries[indexed.entry]
        s = self.settings
        features: list[Feature] = []
        if indexed.strength == "weak" and comparison.score < 1.0:
            features.append(
                Feature("weak_alias", -s.weak_alias_penalty, "the list marks this alias as weak")
            )
        if query.country and entry.countries:
            if query.country in entry.countries:
                features.append(
                    Feature("country", s.country_match, f"{query.country} is linked to the entry")
                )
            else:
                features.append(
                    Feature(
                        "country",
                        s.country_mismatch,
                        f"{query.country} not among {', '.join(entry.countries)}",
                    )
                )
        if query.type and entry.type is not EntryType.UNKNOWN:
            wanted = _PERSON if query.type == "person" else _NOT_PERSON
            if entry.type not in wanted:
                features.append(
                    Feature(
                        "type", s.type_mismatch, f"query is a {query.type}, entry a {entry.type}"
                    )
                )
        year = (query.date_of_birth or "")[:4]
        years = {dob[:4] for dob in entry.dates_of_birth if dob[:4].isdigit()}
        if year.isdigit() and years:
            if any(abs(int(year) - int(y)) <= 1 for y in years):
                features.append(
                    Feature(
                        "birth_year",
                        s.birth_year_match,
                        f"{year} matches {', '.join(sorted(years))}",
                    )
                )
            else:
                features.append(
                    Feature(
                        "birth_year",
                        s.birth_year_mismatch,
                        f"{year} differs from {', '.join(sorted(years))}",
                    )
                )
        name_score = comparison.score
        score = min(1.0, max(0.0, name_score + sum(f.effect for f in features)))
        return ScoredEntry(entry, indexed.listed, name_score, score, comparison, tuple(features))

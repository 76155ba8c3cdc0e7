"""The restricted-party name matcher: candidates from the index, then an explained score
that combines the name evidence with country, type and date of birth when given."""

from __future__ import annotations

import heapq
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import reduce
from operator import itemgetter
from typing import Any

from aiexports.core.screening.algorithms import NAMES_V1, MatcherSettings, NameAlgorithm
from aiexports.core.screening.entries import EntryType, ListEntry
from aiexports.core.screening.evidence import rare_evidence
from aiexports.core.screening.index import IndexedName, IndexTables, ListIndex
from aiexports.core.screening.names import NameRules, Role
from aiexports.core.screening.port import ScreeningQuery
from aiexports.core.screening.results import ListMatch
from aiexports.core.screening.scripts import (
    ARABIC_SCRIPT,
    ARTICLE,
    CYRILLIC_SCRIPT,
    Spelling,
    arabic_words,
    cyrillic_words,
)
from aiexports.core.screening.similarity import Comparison, NameForm, SimilarityCache, compare


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


NAME_CACHE_SIZE = 200_000
READING_FLOOR = 0.85
"""A reading whose words are nothing like the romanised ones keeps this share of its
score; an exact one keeps all of it."""

_PERSON = frozenset({EntryType.PERSON})
_NOT_PERSON = frozenset({EntryType.ENTITY, EntryType.VESSEL, EntryType.AIRCRAFT})
_NOT_ORGANISATION = frozenset({EntryType.PERSON, EntryType.VESSEL, EntryType.AIRCRAFT})


def _read_in(
    words: list[tuple[str, Spelling | None, int]],
    spans: dict[tuple[int, int], frozenset[str]],
    listed: set[str],
) -> list[tuple[str, str]]:
    """The query's words as (romanised, chosen) pairs, read in a listed name's own
    spellings: from the left, the longest run of words the name spells as one of its
    words, else the word alone, else the word as romanised."""
    reading: list[tuple[str, str]] = []
    start = 0
    while start < len(words):
        for length in (3, 2, 1):
            own = sorted(spans.get((start, length), frozenset()) & listed)
            if own:
                romanised = " ".join(w for w, *_ in words[start : start + length])
                reading.append((romanised.replace(" ", ""), own[0]))
                start += length
                break
        else:
            reading.append((words[start][0], words[start][0]))
            start += 1
    return reading


class NameMatcher:
    """Screens names against every listed name and alias (a :class:`Screener`)."""

    def __init__(
        self,
        entries: Iterable[ListEntry],
        lists_version: str,
        rules: NameRules,
        settings: MatcherSettings | None = None,
        tables: IndexTables | None = None,
        algorithm: NameAlgorithm = NAMES_V1,
    ) -> None:
        """``rules`` are the bundled name rules; the algorithm decides which of them apply."""
        self.lists_version = lists_version
        self.algorithm = algorithm
        self.settings = settings or algorithm.settings
        self.config_digest = algorithm.digest(rules)
        self.index = ListIndex(entries, algorithm.rules(rules), tables, algorithm)
        self.cache = SimilarityCache(skeleton_range=algorithm.skeleton_range)
        self._by_name: dict[str, tuple[tuple[IndexedName, Comparison], ...]] = {}
        self._query_forms: dict[str, NameForm] = {}

    @property
    def matcher_id(self) -> str:
        return self.algorithm.name

    def query_form(self, name: str) -> NameForm:
        """A query name's comparison form (remembered: every candidate asks)."""
        found = self._query_forms.get(name)
        if found is None:
            if len(self._query_forms) >= NAME_CACHE_SIZE:
                self._query_forms.clear()
            found = self._query_forms[name] = self.index.form(name)
        return found

    def _names_an_organisation(self, name: str) -> bool:
        """Whether a name carries a legal form ("Co Ltd", "LLC"): an organisation, not
        a person, a vessel or an aircraft."""
        return any(t.role is Role.FORM for t in self.query_form(name).tokens)

    @property
    def version_id(self) -> str:
        """The algorithm and the digest of its configuration, as decisions report it."""
        return f"{self.algorithm.name}#{self.config_digest[:12]}"

    def name_matches(self, name: str) -> tuple[tuple[IndexedName, Comparison], ...]:
        """The listed names resembling ``name``, by name alone (remembered per name:
        qualifiers differ between queries, name evidence does not)."""
        found = self._by_name.get(name)
        if found is not None:
            return found
        form = self.query_form(name)
        if not form.tokens:
            return ()
        found = self._form_matches(form)
        algorithm = self.algorithm
        if (algorithm.read_scripts and ARABIC_SCRIPT.search(name)) or (
            algorithm.read_cyrillic and CYRILLIC_SCRIPT.search(name)
        ):
            found = self._with_readings(name, found)
        if len(self._by_name) >= NAME_CACHE_SIZE:
            self._by_name.clear()
        self._by_name[name] = found
        return found

    def _form_matches(self, form: NameForm) -> tuple[tuple[IndexedName, Comparison], ...]:
        floor = self.settings.min_support * form.total
        matches = []
        for name_id, support in self.index.candidates(form, self.settings.candidates, self.cache):
            if support < floor:
                continue
            indexed = self.index.name(name_id)
            comparison = compare(form, indexed.form, self.cache)
            if comparison.score >= self.settings.min_name_score:
                matches.append((indexed, comparison))
        return tuple(matches)

    def _with_readings(
        self, name: str, found: tuple[tuple[IndexedName, Comparison], ...]
    ) -> tuple[tuple[IndexedName, Comparison], ...]:
        """``found`` and, for each listed name that spells the query's Arabic-script
        words (:func:`.scripts.latin_spelling`; two or three words run together too,
        as *Abdelmalek* or *Noureddine*), the query read in that name's own spellings
        and compared in full, its score discounted by how far the spellings are from
        the plain romanisation. Per listed name the best is kept."""
        words = self._script_words(name, self.algorithm.read_cyrillic)
        spans = self._spans(words)
        support: dict[int, float] = defaultdict(float)
        for start in range(len(words)):
            gained: dict[int, float] = {}
            for (first, _), spelled in spans.items():
                if first != start:
                    continue
                for key in spelled:
                    weight = self.index.weight_of(key)
                    for name_id in self.index.postings_of(key):
                        gained[name_id] = max(gained.get(name_id, 0.0), weight)
            for name_id, weight in gained.items():
                support[name_id] += weight
        best: dict[tuple[int, str], tuple[IndexedName, Comparison]] = {
            (i.entry, i.listed): (i, c) for i, c in found
        }
        ranked = heapq.nlargest(self.settings.candidates, support.items(), key=itemgetter(1))
        for name_id, _ in ranked:
            indexed = self.index.name(name_id)
            listed = {t.text for t in indexed.form.tokens}
            reading = _read_in(words, spans, listed)
            replaced = [(w, s) for w, s in reading if w != s]
            if not replaced:
                continue
            text = " ".join(s for _, s in reading)
            likeness = sum(self.cache.get(w, s) for w, s in replaced) / len(replaced)
            comparison = compare(self.index.form(text), indexed.form, self.cache)
            score = comparison.score * (READING_FLOOR + (1 - READING_FLOOR) * likeness)
            slot = (indexed.entry, indexed.listed)
            current = best.get(slot)
            if score >= self.settings.min_name_score and (
                current is None or score > current[1].score
            ):
                best[slot] = (indexed, replace(comparison, score=score, reading=text))
        return tuple(best.values())

    @staticmethod
    def _script_words(name: str, cyrillic: bool) -> list[tuple[str, Spelling | None, int]]:
        """(romanised word, Latin spellings, letters) of each word of ``name``
        (:func:`.scripts.arabic_words`, and :func:`.scripts.cyrillic_words` when
        ``cyrillic``); other words as they are, without spellings."""
        words: list[tuple[str, Spelling | None, int]] = []
        for raw in unicodedata.normalize("NFKC", name).split():
            if ARABIC_SCRIPT.search(raw):
                words.extend((w, pattern, len(raw)) for w, pattern in arabic_words(raw))
            elif cyrillic and CYRILLIC_SCRIPT.search(raw):
                words.extend(cyrillic_words(raw))
            else:
                words.append((raw.casefold(), None, len(raw)))
        return words

    def _spans(
        self, words: list[tuple[str, Spelling | None, int]]
    ) -> dict[tuple[int, int], frozenset[str]]:
        """(first word, words) → the listed spellings of that run of words: each word
        alone, and two or three run together (an article in the middle or first merged
        as lists write it)."""
        spans: dict[tuple[int, int], frozenset[str]] = {}
        for start in range(len(words)):
            spelling, letters = words[start][1], words[start][2]
            if spelling is not None:
                spans[(start, 1)] = self.index.spellings(spelling, letters)
            for length in (2, 3):
                run = words[start : start + length]
                if len(run) < length:
                    break
                parts = [ARTICLE if w == "al" and p is None else p for w, p, _ in run]
                if any(p is None for p in parts) or parts[-1] is ARTICLE:
                    continue
                merged = reduce(Spelling.then, (p for p in parts if p is not None))
                spelled = self.index.spellings(merged, sum(n for *_, n in run))
                if spelled:
                    spans[(start, length)] = spelled
        return spans

    def score(self, query: ScreeningQuery, min_score: float = 0.0) -> list[ScoredEntry]:
        """Every candidate entry scoring at least ``min_score``, best first (one row per
        entry: its best name), explained."""
        best: dict[int, tuple[float, IndexedName, Comparison]] = {}
        # No qualifier can lift a name score by more than this.
        reachable = min_score - self.settings.country_match - self.settings.birth_year_match
        for indexed, comparison in self.name_matches(query.name):
            if comparison.score < reachable:
                continue
            value = self._final(comparison.score + self._effect(query, indexed, comparison))
            current = best.get(indexed.entry)
            if current is None or value > current[0]:
                best[indexed.entry] = (value, indexed, comparison)
        scored = [
            self._qualify(query, indexed, comparison)
            for value, indexed, comparison in best.values()
            if value >= min_score
        ]
        return sorted(scored, key=lambda s: (-s.score, s.entry.key))

    def screen(
        self, query: ScreeningQuery, limit: int = 10, min_score: float = 0.0
    ) -> tuple[ListMatch, ...]:
        return tuple(scored.as_match() for scored in self.score(query, min_score)[:limit])

    @staticmethod
    def _final(value: float) -> float:
        return min(1.0, max(0.0, value))

    def _effect(self, query: ScreeningQuery, indexed: IndexedName, comparison: Comparison) -> float:
        """The qualifiers' total effect, without building their explanation."""
        if (
            not (query.country or query.type or query.date_of_birth)
            and indexed.strength != "weak"
            and comparison.score <= self.algorithm.generic_cap
            and not self.algorithm.forms_imply_organisation
        ):
            return 0.0
        return sum(effect for _, effect in self._effects(query, indexed, comparison))

    def _qualify(
        self, query: ScreeningQuery, indexed: IndexedName, comparison: Comparison
    ) -> ScoredEntry:
        features = self._features(query, indexed, comparison)
        name_score = comparison.score
        score = self._final(name_score + sum(f.effect for f in features))
        entry = self.index.entries[indexed.entry]
        return ScoredEntry(entry, indexed.listed, name_score, score, comparison, features)

    def _features(
        self, query: ScreeningQuery, indexed: IndexedName, comparison: Comparison
    ) -> tuple[Feature, ...]:
        """The qualifiers that raise or lower the name score, each explained."""
        entry = self.index.entries[indexed.entry]
        return tuple(
            Feature(name, effect, _detail(name, effect, query, entry))
            for name, effect in self._effects(query, indexed, comparison)
        )

    def _effects(
        self, query: ScreeningQuery, indexed: IndexedName, comparison: Comparison
    ) -> list[tuple[str, float]]:
        """(feature, effect) for each qualifier that applies; cheap enough for every
        candidate, explanations are built only for the matches reported."""
        entry = self.index.entries[indexed.entry]
        s = self.settings
        effects = []
        cap = self.algorithm.generic_cap
        if comparison.score > cap and not rare_evidence(
            self.query_form(query.name), indexed.form, comparison, self.index.rules
        ):
            effects.append(("rare_evidence", cap - comparison.score))
        if indexed.strength == "weak" and comparison.score < 1.0:
            effects.append(("weak_alias", -s.weak_alias_penalty))
        if query.country and entry.countries:
            matched = query.country in entry.countries
            effects.append(("country", s.country_match if matched else s.country_mismatch))
        if query.type and entry.type is not EntryType.UNKNOWN:
            wanted = _PERSON if query.type == "person" else _NOT_PERSON
            if entry.type not in wanted:
                effects.append(("type", s.type_mismatch))
        elif (
            not query.type
            and entry.type in _NOT_ORGANISATION
            and self.algorithm.forms_imply_organisation
            and self._names_an_organisation(query.name)
        ):
            effects.append(("organisation", s.type_mismatch))
        year = (query.date_of_birth or "")[:4]
        if year.isascii() and year.isdigit() and entry.dates_of_birth:
            years = _birth_years(entry)
            if years:
                close = any(abs(int(year) - y) <= 1 for y in years)
                effects.append(
                    ("birth_year", s.birth_year_match if close else s.birth_year_mismatch)
                )
        return effects


def _birth_years(entry: ListEntry) -> list[int]:
    return sorted(
        {int(dob[:4]) for dob in entry.dates_of_birth if dob[:4].isascii() and dob[:4].isdigit()}
    )


def _detail(name: str, effect: float, query: ScreeningQuery, entry: ListEntry) -> str:
    if name == "rare_evidence":
        return (
            "no rare part of the listed name is present: generic words, legal forms, "
            "initials and very common names carry no block"
        )
    if name == "weak_alias":
        return "the list marks this alias as weak"
    if name == "country":
        if effect > 0:
            return f"{query.country} is linked to the entry"
        return f"{query.country} not among {', '.join(entry.countries)}"
    if name == "type":
        return f"query is a {query.type}, entry a {entry.type}"
    if name == "organisation":
        return f"the name has a legal form (an organisation); the entry is a {entry.type}"
    years = ", ".join(str(y) for y in _birth_years(entry))
    year = (query.date_of_birth or "")[:4]
    return f"{year} matches {years}" if effect > 0 else f"{year} differs from {years}"

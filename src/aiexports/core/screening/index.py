"""The search index over every listed name, and candidate generation.

Candidates are the listed names sharing evidence with the query: the same token, a token
one edit away (a deletion neighbourhood, as in SymSpell), the same consonant skeleton, or
a merged spelling of adjacent tokens. Each shared token adds its weight times its
similarity; the best-supported names go on to full scoring.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from aiexports.core.screening.entries import ListEntry
from aiexports.core.screening.names import NameRules, Role, tokenize
from aiexports.core.screening.similarity import (
    FLOOR,
    MAX_MERGE,
    NameForm,
    SimilarityCache,
    credit,
    name_form,
    skeleton,
)

MIN_DELETION_LENGTH = 4
SIMILAR_CACHE_SIZE = 200_000
CANDIDATE_POOL = 1500


def deletions(token: str) -> set[str]:
    """The token and every string one deletion away from it."""
    keys = {token}
    if len(token) >= MIN_DELETION_LENGTH:
        keys.update(token[:i] + token[i + 1 :] for i in range(len(token)))
    return keys


@dataclass(frozen=True, slots=True)
class IndexedName:
    entry: int
    listed: str
    strength: str
    form: NameForm


class ListIndex:
    """Every screening name of every entry, tokenised, weighted and indexed."""

    def __init__(self, entries: Iterable[ListEntry], rules: NameRules) -> None:
        self.rules = rules
        self.entries: list[ListEntry] = list(entries)
        tokenised: list[tuple[int, str, str, tuple]] = []  # type: ignore[type-arg]
        frequency: dict[str, int] = defaultdict(int)
        for number, entry in enumerate(self.entries):
            for listed, strength in entry.screening_names():
                tokens = tokenize(listed, rules)
                if not tokens:
                    continue
                tokenised.append((number, listed, strength, tokens))
                for text in {t.text for t in tokens if t.role is Role.NAME}:
                    frequency[text] += 1
        count = len(tokenised)
        self.unseen_weight = math.log(count + 1)
        self.idf = {
            text: max(0.5, math.log((count + 1) / (df + 0.5))) for text, df in frequency.items()
        }
        self.names: list[IndexedName] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        single_keys: set[str] = set()
        for number, listed, strength, tokens in tokenised:
            form = name_form(tokens, self.idf, self.unseen_weight)
            name_id = len(self.names)
            self.names.append(IndexedName(number, listed, strength, form))
            keys = {u.text for u in form.units if _searchable(form, u.positions)}
            single_keys.update(u.text for u in form.singles if u.text in keys)
            for key in keys:
                self.postings[key].append(name_id)
        # Misspellings are looked up among single tokens; merged spellings match exactly.
        self.neighbours: dict[str, list[str]] = defaultdict(list)
        self.sounds: dict[str, list[str]] = defaultdict(list)
        for key in single_keys:
            for variant in deletions(key):
                self.neighbours[variant].append(key)
            if len(key) >= 3:
                self.sounds[skeleton(key)].append(key)
        self._similar: dict[str, tuple[tuple[str, float], ...]] = {}
        self._member_sets: dict[str, frozenset[int]] = {}
        self._norm = [1.0 / math.sqrt(max(n.form.total, 1e-9)) for n in self.names]

    def form(self, name: str) -> NameForm:
        return name_form(tokenize(name, self.rules), self.idf, self.unseen_weight)

    def weight_of(self, key: str) -> float:
        return self.idf.get(key, self.unseen_weight)

    def candidates(
        self, query: NameForm, limit: int, cache: SimilarityCache
    ) -> list[tuple[int, float]]:
        """Up to ``limit`` (name id, support) pairs, best supported first."""
        searchable = [u for u in query.units if _searchable(query, u.positions)]
        if not searchable:  # only particles, forms or initials: search them all
            searchable = list(query.units)
        matched: dict[str, float] = {}
        for unit in searchable:
            for key, similarity in self._similar_keys(unit.text, cache):
                if similarity > matched.get(key, 0.0):
                    matched[key] = similarity
        # Rank like a cosine: support relative to the listed name's own weight, so that
        # a name made mostly of the matched tokens comes before a long one.
        # Rarest keys first; once the pool is large, the commonest keys only add to names
        # already in it (a name sharing nothing but a very common token ranks last anyway).
        ranked: dict[int, float] = defaultdict(float)
        norm = self._norm
        postings = self.postings
        for key in sorted(matched, key=lambda k: len(postings[k])):
            gain = self.weight_of(key) * max(credit(matched[key]), 0.05)
            posting = postings[key]
            if len(ranked) < CANDIDATE_POOL or len(posting) < len(ranked):
                for name_id in posting:
                    ranked[name_id] += gain * norm[name_id]
            else:
                members = self._members(key)
                for name_id in ranked:
                    if name_id in members:
                        ranked[name_id] += gain * norm[name_id]
        best = heapq.nlargest(limit, ranked.items(), key=itemgetter(1))
        return [(name_id, value / norm[name_id]) for name_id, value in best]

    def _members(self, key: str) -> frozenset[int]:
        found = self._member_sets.get(key)
        if found is None:
            found = self._member_sets[key] = frozenset(self.postings[key])
        return found

    def _similar_keys(self, text: str, cache: SimilarityCache) -> tuple[tuple[str, float], ...]:
        """Index keys similar to ``text`` (remembered: queries share their tokens)."""
        known = self._similar.get(text)
        if known is not None:
            return known
        found: set[str] = set()
        for key in deletions(text):
            found.update(self.neighbours.get(key, ()))
        if len(text) >= 3:
            found.update(self.sounds.get(skeleton(text), ()))
        if text in self.postings:
            found.add(text)
        similar = tuple(
            (key, similarity) for key in found if (similarity := cache.get(text, key)) >= FLOOR
        )
        if len(self._similar) > SIMILAR_CACHE_SIZE:
            self._similar.clear()
        self._similar[text] = similar
        return similar


def _searchable(form: NameForm, positions: tuple[int, ...]) -> bool:
    """Whether a unit is worth an index key: it includes a real name token (or the name
    has none, like "I. ASH"), and merged units stay within ``MAX_MERGE`` tokens."""
    if len(positions) > MAX_MERGE:
        return False
    roles = [token.role for token in form.tokens]
    return Role.NAME not in roles or any(roles[i] is Role.NAME for i in positions)

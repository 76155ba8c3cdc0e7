"""The search index over every listed name, and candidate generation.

Candidates are the listed names sharing evidence with the query: the same token, a token
one edit away (a deletion neighbourhood, as in SymSpell), the same consonant skeleton, or
a merged spelling of adjacent tokens. Each shared token adds its weight times its
similarity; the best-supported names go on to full scoring.

The index proper is :class:`IndexTables`: plain strings, numbers and lists, so that it can
be kept on disk and loaded in a fraction of the time building it takes. A listed name's
full comparison form is rebuilt only when it is a candidate.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from aiexports.core.screening.algorithms import NAMES_V1, NameAlgorithm
from aiexports.core.screening.entries import ListEntry
from aiexports.core.screening.names import NameRules, Role, tokenize
from aiexports.core.screening.scripts import Spelling
from aiexports.core.screening.similarity import (
    FLOOR,
    MAX_MERGE,
    NameForm,
    SimilarityCache,
    Unit,
    credit,
    name_form,
    skeleton,
)

MIN_DELETION_LENGTH = 4
MIN_DEEP_LENGTH = 8
SIMILAR_CACHE_SIZE = 200_000
FORM_CACHE_SIZE = 50_000
CANDIDATE_POOL = 1500
TABLES_FORMAT = 2
"""Bumped whenever the tables' layout or the way they are built changes."""


def deletions(token: str, deep: bool = False) -> set[str]:
    """The token and every string one deletion away from it; with ``deep``, two
    deletions too for tokens of ``MIN_DEEP_LENGTH`` letters or more."""
    keys = {token}
    if len(token) >= MIN_DELETION_LENGTH:
        keys.update(token[:i] + token[i + 1 :] for i in range(len(token)))
    if deep and len(token) >= MIN_DEEP_LENGTH:
        keys.update(
            shorter[:i] + shorter[i + 1 :]
            for shorter in list(keys - {token})
            for i in range(len(shorter))
        )
    return keys


@dataclass(frozen=True, slots=True)
class IndexedName:
    entry: int
    listed: str
    strength: str
    form: NameForm


@dataclass(frozen=True)
class IndexTables:
    """Everything candidate generation reads, as plain data (see :meth:`plain`)."""

    unseen_weight: float
    idf: Mapping[str, float]
    entry_of: Sequence[int]
    """For each listed name, the number of its entry."""
    listed: Sequence[str]
    strength: Sequence[str]
    norm: Sequence[float]
    postings: Mapping[str, Sequence[int]]
    """Index key (a token or merged tokens) to the names that have it."""
    neighbours: Mapping[str, Sequence[str]]
    """A token or one of its deletions to the single-token keys it came from."""
    sounds: Mapping[str, Sequence[str]]
    """A consonant skeleton to the single-token keys that have it."""

    def plain(self) -> tuple[object, ...]:
        """The tables as nested tuples, dicts, lists, strings and numbers."""
        return (
            TABLES_FORMAT,
            self.unseen_weight,
            dict(self.idf),
            list(self.entry_of),
            list(self.listed),
            list(self.strength),
            list(self.norm),
            {k: list(v) for k, v in self.postings.items()},
            {k: list(v) for k, v in self.neighbours.items()},
            {k: list(v) for k, v in self.sounds.items()},
        )

    @classmethod
    def from_plain(cls, data: object) -> IndexTables | None:
        """The tables from :meth:`plain`'s output, or None if ``data`` is not that (an
        older layout, or damaged)."""
        if not isinstance(data, tuple) or len(data) != 10 or data[0] != TABLES_FORMAT:
            return None
        _, unseen, idf, entry_of, listed, strength, norm, postings, neighbours, sounds = data
        shapes = (
            (unseen, float),
            (idf, dict),
            (entry_of, list),
            (listed, list),
            (strength, list),
            (norm, list),
            (postings, dict),
            (neighbours, dict),
            (sounds, dict),
        )
        if not all(isinstance(value, kind) for value, kind in shapes):
            return None
        if not len(entry_of) == len(listed) == len(strength) == len(norm):
            return None
        return cls(unseen, idf, entry_of, listed, strength, norm, postings, neighbours, sounds)


def build_tables(
    entries: Sequence[ListEntry], rules: NameRules, algorithm: NameAlgorithm = NAMES_V1
) -> IndexTables:
    """Tokenise, weight and index every screening name of every entry (``rules`` as the
    algorithm applies them)."""
    tokenised: list[tuple[int, str, str, tuple]] = []  # type: ignore[type-arg]
    frequency: dict[str, int] = defaultdict(int)
    for number, entry in enumerate(entries):
        for listed, strength in entry.screening_names():
            tokens = tokenize(listed, rules)
            if not tokens:
                continue
            tokenised.append((number, listed, strength, tokens))
            for text in {t.text for t in tokens if t.role is Role.NAME}:
                frequency[text] += 1
    count = len(tokenised)
    unseen = math.log(count + 1)
    idf = {text: max(0.5, math.log((count + 1) / (df + 0.5))) for text, df in frequency.items()}
    postings: dict[str, list[int]] = defaultdict(list)
    norm: list[float] = []
    single_keys: set[str] = set()
    for name_id, (_, _, _, tokens) in enumerate(tokenised):
        form = name_form(tokens, idf, unseen, algorithm.any_order_merges)
        norm.append(1.0 / math.sqrt(max(form.total, 1e-9)))
        keys = {unit.text for unit in searchable_units(form)}
        single_keys.update(u.text for u in form.singles if u.text in keys)
        for key in keys:
            postings[key].append(name_id)
    # Misspellings are looked up among single tokens; merged spellings match exactly.
    neighbours: dict[str, list[str]] = defaultdict(list)
    sounds: dict[str, list[str]] = defaultdict(list)
    for key in sorted(single_keys):
        for variant in sorted(deletions(key, algorithm.two_edit_keys)):
            neighbours[variant].append(key)
        if len(key) >= 3:
            sounds[skeleton(key)].append(key)
    return IndexTables(
        unseen,
        idf,
        [number for number, _, _, _ in tokenised],
        [listed for _, listed, _, _ in tokenised],
        [strength for _, _, strength, _ in tokenised],
        norm,
        dict(postings),
        dict(neighbours),
        dict(sounds),
    )


class ListIndex:
    """The listed names of ``entries``, indexed (tables built unless given)."""

    def __init__(
        self,
        entries: Iterable[ListEntry],
        rules: NameRules,
        tables: IndexTables | None = None,
        algorithm: NameAlgorithm = NAMES_V1,
    ) -> None:
        self.rules = rules
        self.algorithm = algorithm
        self._spelled: dict[tuple[str, int], frozenset[str]] = {}
        self._by_edges: dict[str, tuple[list[int], list[str]]] | None = None
        self._firsts: frozenset[str] = frozenset()
        self._lasts: frozenset[str] = frozenset()
        self.entries: list[ListEntry] = list(entries)
        self.tables = tables if tables is not None else build_tables(self.entries, rules, algorithm)
        self._forms: dict[int, IndexedName] = {}
        self._similar: dict[str, tuple[tuple[str, float], ...]] = {}
        self._member_sets: dict[str, frozenset[int]] = {}

    @property
    def size(self) -> int:
        """How many listed names (names and aliases) are indexed."""
        return len(self.tables.listed)

    def form(self, name: str, listed: bool = False) -> NameForm:
        """A name's comparison form. Words spelled together in any order are a listed
        name's units only: a query's run-together word then meets them as it is, and the
        query needs no pairs of its own."""
        t = self.tables
        any_order = listed and self.algorithm.any_order_merges
        return name_form(tokenize(name, self.rules), t.idf, t.unseen_weight, any_order)

    def name(self, name_id: int) -> IndexedName:
        """A listed name with its comparison form (rebuilt from its text, remembered)."""
        found = self._forms.get(name_id)
        if found is None:
            t = self.tables
            if len(self._forms) >= FORM_CACHE_SIZE:
                self._forms.clear()
            found = self._forms[name_id] = IndexedName(
                t.entry_of[name_id],
                t.listed[name_id],
                t.strength[name_id],
                self.form(t.listed[name_id], listed=True),
            )
        return found

    def weight_of(self, key: str) -> float:
        return self.tables.idf.get(key, self.tables.unseen_weight)

    def candidates(
        self, query: NameForm, limit: int, cache: SimilarityCache
    ) -> list[tuple[int, float]]:
        """Up to ``limit`` (name id, support) pairs, best supported first."""
        searchable = searchable_units(query)
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
        norm = self.tables.norm
        postings = self.tables.postings
        empty: Sequence[int] = ()
        for key in sorted(matched, key=lambda k: len(postings.get(k, empty))):
            gain = self.weight_of(key) * max(credit(matched[key]), 0.05)
            posting = postings.get(key, empty)
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

    def spellings(self, spelling: Spelling, letters: int) -> frozenset[str]:
        """The listed single words that ``spelling`` (:func:`.scripts.latin_spelling` of a
        word of ``letters`` letters, or several run together) matches whole: how the lists
        spell that word. Only the words with the letters it can start and end with, and of
        a length it can have, are tried."""
        known = self._spelled.get((spelling.pattern, letters))
        if known is not None:
            return known
        matches = re.compile(spelling.pattern).fullmatch
        shortest, longest = max(letters - 1, 1), 3 * letters + 3
        by_edges = self._words_by_edges()
        firsts = spelling.first if spelling.first is not None else self._firsts
        lasts = spelling.last if spelling.last is not None else self._lasts
        found: set[str] = set()
        for first in firsts:
            for last in lasts:
                bucket = by_edges.get(first + last)
                if bucket is None:
                    continue
                lengths, words = bucket
                tried = words[bisect_left(lengths, shortest) : bisect_right(lengths, longest)]
                found.update(filter(matches, tried))  # the loop runs in C
        result = frozenset(found)
        if len(self._spelled) >= SIMILAR_CACHE_SIZE:
            self._spelled.clear()
        self._spelled[(spelling.pattern, letters)] = result
        return result

    def _words_by_edges(self) -> dict[str, tuple[list[int], list[str]]]:
        """The listed single words by their first and last letters, each group in order
        of length (with the lengths, for bisection)."""
        if self._by_edges is None:
            groups: dict[str, list[str]] = defaultdict(list)
            for key in self.tables.postings:
                if key:
                    groups[key[0] + key[-1]].append(key)
            by_edges = {}
            for edges, words in groups.items():
                words.sort(key=len)
                by_edges[edges] = ([len(w) for w in words], words)
            self._by_edges = by_edges
            self._firsts = frozenset(e[0] for e in by_edges)
            self._lasts = frozenset(e[1] for e in by_edges)
        return self._by_edges

    def postings_of(self, key: str) -> Sequence[int]:
        return self.tables.postings.get(key, ())

    def _members(self, key: str) -> frozenset[int]:
        found = self._member_sets.get(key)
        if found is None:
            found = self._member_sets[key] = frozenset(self.tables.postings.get(key, ()))
        return found

    def _similar_keys(self, text: str, cache: SimilarityCache) -> tuple[tuple[str, float], ...]:
        """Index keys similar to ``text`` (remembered: queries share their tokens)."""
        known = self._similar.get(text)
        if known is not None:
            return known
        t = self.tables
        found: set[str] = set()
        for key in deletions(text):
            found.update(t.neighbours.get(key, ()))
        if len(text) >= 3:
            found.update(t.sounds.get(cache.skeleton(text), ()))
        if text in t.postings:
            found.add(text)
        similar = [
            (key, similarity)
            for key in sorted(found)
            if (similarity := cache.get(text, key)) >= FLOOR
        ]
        self._similar[text] = result = tuple(similar)
        return result


def searchable_units(form: NameForm) -> list[Unit]:
    """The units worth an index key: those including a real name token (or all, when
    the name has none, like "I. ASH"), merged units staying within ``MAX_MERGE`` tokens.
    Linear in the number of units: the roles are read once."""
    named = {i for i, token in enumerate(form.tokens) if token.role is Role.NAME}
    return [
        unit
        for unit in form.units
        if len(unit.positions) <= MAX_MERGE and (not named or not named.isdisjoint(unit.positions))
    ]

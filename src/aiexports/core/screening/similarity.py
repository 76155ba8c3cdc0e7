"""Comparing two tokenised names: token similarity, alignment and an explained score.

A name's tokens carry weights (rare tokens weigh more; particles, legal forms and
initials little). Tokens are aligned one to one — or one to two or three adjacent tokens
of the other name, for merged spellings like ``Abdulrahman`` / ``Abdul Rahman`` — by
descending similarity. Each side's *coverage* is the weighted share of its tokens that
found a partner, scaled by how similar the partner is; the name score is the geometric
mean of both coverages, so it is symmetric and is 1.0 only for the same tokens.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from aiexports.core.screening.names import Role, Token

FLOOR = 0.80
"""Token similarity below which two tokens are unrelated."""
INITIAL_SIMILARITY = 0.90
"""An initial against a name starting with that letter."""
SOUND_SIMILARITY = 0.92
"""Two spellings with the same consonant skeleton (``Hussein``/``Husayn``)."""
TYPO_SIMILARITY = 0.94
"""One edit (insert, delete, substitute, transpose) in tokens of four letters or more."""
TWO_TYPO_SIMILARITY = 0.88
"""Two edits in tokens of seven letters or more."""
SKELETON_RANGE = 0.7
MIN_SKELETON = 3
"""Spellings less similar than this are not compared by skeleton (they never agree)."""
MAX_MERGE = 3
MAX_ANY_ORDER = 6
"""Names of more words than this get merges in the listed order only (pairs grow fast)."""
LOW_SIDE_WEIGHT = 0.6
SINGLE_EVIDENCE_CAP = 0.55
"""The most a pair of names can score when one shared name part is all that ties them."""
ROLE_WEIGHT: Mapping[Role, float] = MappingProxyType(
    {Role.PARTICLE: 0.15, Role.FORM: 0.25, Role.INITIAL: 0.6, Role.GENERIC: 0.35}
)


def credit(similarity: float) -> float:
    """How much of a token's weight a partner of this similarity earns: nothing below
    the floor, rising steeply above it (one typo in a long token keeps most of it)."""
    if similarity >= 1.0:
        return 1.0
    if similarity < FLOOR:
        return 0.0
    return 0.95 * math.sqrt((similarity - FLOOR) / (1.0 - FLOOR))


_DIGRAPHS = (
    ("dzh", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("dh", "d"),
    ("th", "t"),
    ("sh", "s"),
    ("ch", "s"),
    ("ck", "k"),
    ("ou", "u"),
    ("ee", "i"),
    ("oo", "u"),
    ("dj", "j"),
    ("x", "ks"),
)
_CLASSES = str.maketrans("qcgzvpdj", "kkkswbty")
_VOWELS = re.compile(r"[aeiouyw]")  # y and w are vowels too in Arabic and Persian spellings
_REPEATS = re.compile(r"(.)\1+")


def skeleton(token: str) -> str:
    """A consonant skeleton that survives common romanisation differences:
    ``qadhafi``/``gaddafi`` → ``ktf``; ``mohammed``/``muhammad`` → ``mhmt``."""
    text = token
    for digraph, replacement in _DIGRAPHS:
        text = text.replace(digraph, replacement)
    text = text.translate(_CLASSES)
    head, tail = text[:1], _VOWELS.sub("", text[1:])
    return _REPEATS.sub(r"\1", head + tail)


def token_similarity(
    a: str,
    b: str,
    skeleton_range: float = SKELETON_RANGE,
    sound_of: Callable[[str], str] = skeleton,
) -> float:
    """How alike two folded tokens are, 0..1 (see the constants above for the steps)."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        if (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)):
            return INITIAL_SIMILARITY
        return 0.0
    # Jaro-Winkler rewards a shared prefix; averaging with the edit-distance similarity
    # keeps "smith" away from "smithson" while one typo still scores high.
    similarity: float = (
        JaroWinkler.normalized_similarity(a, b) + Levenshtein.normalized_similarity(a, b)
    ) / 2
    if similarity < TYPO_SIMILARITY and min(len(a), len(b)) >= 4:
        edits = OSA.distance(a, b, score_cutoff=2)
        if edits == 1:
            similarity = TYPO_SIMILARITY
        elif edits == 2 and min(len(a), len(b)) >= 7:
            similarity = max(similarity, TWO_TYPO_SIMILARITY)
    if skeleton_range <= similarity < SOUND_SIMILARITY and max(len(a), len(b)) >= 3:
        sound = sound_of(a)
        # Two consonants say too little (buyer/bajer both give "br").
        if len(sound) >= MIN_SKELETON and sound == sound_of(b):
            return SOUND_SIMILARITY
    return similarity


@dataclass(frozen=True, slots=True)
class Unit:
    """One token or several adjacent tokens spelled together."""

    text: str
    positions: tuple[int, ...]


@dataclass(frozen=True)
class NameForm:
    """A name ready for comparison: tokens, their weights and merge units."""

    tokens: tuple[Token, ...]
    weights: tuple[float, ...]
    singles: tuple[Unit, ...]
    merges: tuple[Unit, ...]
    total: float

    @property
    def text(self) -> str:
        return " ".join(token.text for token in self.tokens)

    @property
    def units(self) -> tuple[Unit, ...]:
        return self.singles + self.merges


def name_form(
    tokens: tuple[Token, ...], idf: Mapping[str, float], unseen: float, any_order: bool = False
) -> NameForm:
    """Weights and units of a tokenised name; ``any_order`` adds every two words spelled
    together in the other order too (``alikadkhodaei`` for *kadkhodaei … ali*)."""
    weights = tuple(
        ROLE_WEIGHT.get(token.role, 1.0)
        * (idf.get(token.text, unseen) if token.role is Role.NAME else 1.0)
        for token in tokens
    )
    singles = tuple(Unit(token.text, (i,)) for i, token in enumerate(tokens))
    written = [token.written for token in tokens]
    merges = tuple(
        Unit("".join(written[start : start + size]), tuple(range(start, start + size)))
        for size in range(2, MAX_MERGE + 1)
        for start in range(len(written) - size + 1)
    )
    if any_order and len(tokens) <= MAX_ANY_ORDER:
        merges += tuple(
            Unit(written[j] + written[i], (j, i))
            for i in range(len(written))
            for j in range(len(written))
            # (j, j + 1) is already a merge in the listed order
            if j not in (i, i - 1) and len(written[i]) > 1 and len(written[j]) > 1
        )
    return NameForm(tuple(tokens), weights, singles, merges, sum(weights))


@dataclass(frozen=True, slots=True)
class Pair:
    """Tokens of one name aligned with tokens of the other."""

    left: str
    right: str
    similarity: float
    how: str


@dataclass(frozen=True)
class Comparison:
    score: float
    left_coverage: float
    right_coverage: float
    pairs: tuple[Pair, ...]
    left_unmatched: tuple[str, ...]
    right_unmatched: tuple[str, ...]
    aligned: tuple[tuple[tuple[int, ...], tuple[int, ...], float], ...] = ()
    """(left positions, right positions, similarity) of each pair, as in ``pairs``."""
    reading: str | None = None
    """When the query was written in another script: the Latin reading compared."""

    def describe(self) -> str:
        parts = [f"{p.left}~{p.right} ({p.how} {p.similarity:.2f})" for p in self.pairs]
        if self.reading is not None:
            parts.insert(0, f"read as {self.reading!r}")
        if self.left_unmatched:
            parts.append("query only: " + " ".join(self.left_unmatched))
        if self.right_unmatched:
            parts.append("listed only: " + " ".join(self.right_unmatched))
        return "; ".join(parts)


@dataclass
class SimilarityCache:
    """Token similarities already computed; bounded, since batches share most tokens."""

    limit: int = 2_000_000
    known: dict[tuple[str, str], float] = field(default_factory=dict)
    skeleton_range: float = SKELETON_RANGE
    sounds: dict[str, str] = field(default_factory=dict)

    def skeleton(self, token: str) -> str:
        """:func:`skeleton`, remembered per token."""
        found = self.sounds.get(token)
        if found is None:
            if len(self.sounds) >= self.limit:
                self.sounds.clear()
            found = self.sounds[token] = skeleton(token)
        return found

    def get(self, a: str, b: str) -> float:
        key = (a, b) if a <= b else (b, a)
        found = self.known.get(key)
        if found is None:
            if len(self.known) >= self.limit:
                self.known.clear()
            found = self.known[key] = token_similarity(a, b, self.skeleton_range, self.skeleton)
        return found


def _how(a: str, b: str, similarity: float, merged: bool) -> str:
    if merged:
        return "merged"
    if a == b:
        return "exact"
    if similarity == INITIAL_SIMILARITY and (len(a) == 1 or len(b) == 1):
        return "initial"
    if similarity == SOUND_SIMILARITY:
        return "sound"
    return "spelling"


def _merge_pairs(merged: tuple[Unit, ...], singles: tuple[Unit, ...]) -> list[tuple[Unit, Unit]]:
    """Merged units worth comparing with single tokens: a merged spelling starts like its
    parts and is about as long (a cheap check before any similarity)."""
    return [
        (m, s)
        for m in merged
        for s in singles
        if len(s.text) > 1 and m.text[0] == s.text[0] and abs(len(m.text) - len(s.text)) <= 3
    ]


_PARTS = frozenset({Role.NAME, Role.GENERIC})


def _single_evidence(
    left: NameForm, right: NameForm, used_left: set[int], used_right: set[int]
) -> bool:
    """Whether one shared name part is all that ties two names of several parts
    ("George Bush" / "George Habbash"): counted on the name with more parts."""
    # Generic words count as parts here, as they did before they were told apart.
    named_left = [i for i, t in enumerate(left.tokens) if t.role in _PARTS]
    named_right = [i for i, t in enumerate(right.tokens) if t.role in _PARTS]
    if max(len(named_left), len(named_right)) < 2:
        return False
    covered_left = sum(1 for i in named_left if i in used_left)
    covered_right = sum(1 for i in named_right if i in used_right)
    if len(named_left) > len(named_right):
        return covered_left < 2
    if len(named_right) > len(named_left):
        return covered_right < 2
    return min(covered_left, covered_right) < 2


def compare(left: NameForm, right: NameForm, cache: SimilarityCache | None = None) -> Comparison:
    """Align two names and score them (symmetric: ``compare(a, b)`` mirrors ``compare(b, a)``)."""
    if not left.tokens or not right.tokens or left.total <= 0 or right.total <= 0:
        return Comparison(
            0.0,
            0.0,
            0.0,
            (),
            tuple(t.text for t in left.tokens),
            tuple(t.text for t in right.tokens),
        )
    similar = (cache or SimilarityCache()).get
    candidates = []
    pairs_to_try = [(lu, ru) for lu in left.singles for ru in right.singles]
    pairs_to_try += _merge_pairs(left.merges, right.singles)
    pairs_to_try += [(lu, ru) for ru, lu in _merge_pairs(right.merges, left.singles)]
    for lu, ru in pairs_to_try:
        similarity = similar(lu.text, ru.text)
        if similarity >= FLOOR:
            span = len(lu.positions) + len(ru.positions)
            tie = (lu.text, ru.text) if lu.text <= ru.text else (ru.text, lu.text)
            candidates.append((-similarity, -span, tie, lu, ru, similarity))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    used_left: set[int] = set()
    used_right: set[int] = set()
    earned_left = earned_right = 0.0
    pairs = []
    aligned = []
    for _, _, _, lu, ru, similarity in candidates:
        if used_left.intersection(lu.positions) or used_right.intersection(ru.positions):
            continue
        used_left.update(lu.positions)
        used_right.update(ru.positions)
        share = credit(similarity)
        earned_left += share * sum(left.weights[i] for i in lu.positions)
        earned_right += share * sum(right.weights[i] for i in ru.positions)
        merged = len(lu.positions) > 1 or len(ru.positions) > 1
        pairs.append(Pair(lu.text, ru.text, similarity, _how(lu.text, ru.text, similarity, merged)))
        aligned.append((lu.positions, ru.positions, similarity))
    left_coverage = earned_left / left.total
    right_coverage = earned_right / right.total
    # A weighted geometric mean leaning on the lower coverage: a name that explains only
    # part of the other ("emma daniels" / "EMMA LLC") stays low, in either order.
    low, high = sorted((left_coverage, right_coverage))
    score = min(1.0, low**LOW_SIDE_WEIGHT * high ** (1 - LOW_SIDE_WEIGHT))
    if _single_evidence(left, right, used_left, used_right):
        score = min(score, SINGLE_EVIDENCE_CAP)
    return Comparison(
        score=score,
        left_coverage=left_coverage,
        right_coverage=right_coverage,
        pairs=tuple(pairs),
        left_unmatched=tuple(t.text for i, t in enumerate(left.tokens) if i not in used_left),
        right_unmatched=tuple(t.text for i, t in enumerate(right.tokens) if i not in used_right),
        aligned=tuple(aligned),
    )

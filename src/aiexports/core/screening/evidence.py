"""Proportional evidence: what in a listed name may carry a block.

Each function is one feature of the score, and its docstring is the explanation shown
with the match (as nomenklatura documents its matching features).
"""

from __future__ import annotations

from aiexports.core.screening.names import NameRules, Role
from aiexports.core.screening.similarity import Comparison, NameForm

STRONG = 0.88
"""A partner this similar, starting with the same letter, is the same word misspelt."""


MIN_DISTINCTIVE = 3
"""Letters a name word needs to identify anyone (``KB``, ``SE`` are initials run
together)."""
MIN_MISSPELT = 5
"""Letters a word needs before a misspelling of it counts as the word (*data* is one
letter from *Datak*, and no evidence of it)."""
MIN_MERGED_EVIDENCE = 5
"""Letters a word the query spells together must have to count as evidence."""


def distinctive_positions(listed: NameForm, rules: NameRules) -> list[int]:
    """The parts of a listed name that can identify a party: real name words of three
    letters or more that are not among the very common given names and surnames.
    Initials (run together or not), legal forms, particles and generic trade words are
    never distinctive."""
    return [
        i
        for i, token in enumerate(listed.tokens)
        if token.role is Role.NAME
        and len(token.text) >= MIN_DISTINCTIVE
        and token.text not in rules.common
    ]


def rare_evidence(
    query: NameForm, listed: NameForm, comparison: Comparison, rules: NameRules
) -> bool:
    """A block needs the rare parts of the listed name: at least one distinctive word of
    it is present in the query, spelt alike and starting with the same letter, and not
    merely resembling a common name or a generic word of the query (*Ahmed* for
    *Ahmadi*, *International* for *Internacional*) or a word of four letters or fewer
    (*Data* for *Datak*); when the query runs words together
    to spell it, they are real name words of five letters or more together (not
    "A & P Co" for *APCO*). A listed name made only of very common
    names ("Ali Mohammed") never blocks on the name alone. One with no name words to speak
    of ("M. D. S. Import Export Co., Ltd.", "KB Lines Ltd") needs every one of its words,
    initials as initials, present exactly. Otherwise shared generic words, legal forms,
    initials or a common name score at most a review."""
    strong: set[int] = set()
    exact: set[int] = set()
    for left, right, similarity in comparison.aligned:
        if len(left) > 1 and not _merged_evidence(query, left):
            continue
        if similarity >= 1.0:
            exact.update(right)
        if similarity >= 1.0 or (
            similarity >= STRONG
            and len(right) == 1
            and len(left) == 1
            and len(query.tokens[left[0]].text) >= MIN_MISSPELT
            and query.tokens[left[0]].role is Role.NAME
            and query.tokens[left[0]].text not in rules.common
            and query.tokens[left[0]].text[:1] == listed.tokens[right[0]].text[:1]
        ):
            strong.update(right)
    distinctive = distinctive_positions(listed, rules)
    if distinctive:
        return any(i in strong for i in distinctive)
    if any(t.role is Role.NAME and t.text in rules.common for t in listed.tokens):
        return False
    words = [i for i, t in enumerate(listed.tokens) if t.role is not Role.PARTICLE]
    return bool(words) and all(i in exact for i in words) and comparison.left_coverage >= 0.99


def _merged_evidence(query: NameForm, positions: tuple[int, ...]) -> bool:
    tokens = [query.tokens[i] for i in positions]
    return (
        all(t.role is Role.NAME for t in tokens)
        and sum(len(t.written) for t in tokens) >= MIN_MERGED_EVIDENCE
    )

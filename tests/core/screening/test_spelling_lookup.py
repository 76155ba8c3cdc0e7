"""The listed words a script word's Latin spellings match are looked up by their first and
last letters and their length: the lookup finds exactly what trying every listed word
would (a letter table whose edges were computed wrong would lose spellings silently)."""

from __future__ import annotations

import re

from anyascii import anyascii
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aiexports.core.screening.algorithms import NAMES_V4
from aiexports.core.screening.entries import ListEntry
from aiexports.core.screening.index import ListIndex
from aiexports.core.screening.names import fold
from aiexports.core.screening.scripts import (
    _CONSONANTS,
    _CYRILLIC,
    Spelling,
    cyrillic_spelling,
    cyrillic_words,
    latin_spelling,
    romanise_arabic,
)
from aiexports.core.vocabulary import ListCode
from aiexports.sources.reference import name_rules

LISTED = (
    "Qasem Soleimani; Kasim Sulaymani; Gassem Souleymani; Hussein Hosein Husayn; Saddam "
    "Sadam; Ali Aly Alee; Muhammad Mohammed Mukhammad; Jihad Djihad Dzhikhad; Tawhid "
    "Taukhid; Khrushchev Chruschtschow Khrouchtchev; Zelenskyy Selenskyj Zelensky; "
    "Hrytsenko Gritsenko; Yusuf Yousef Iosif; Abdelmalek Abdulmalik; Zawahiri Zavakhiri; "
    "Shamil Chamil; Umarov Oumarov; Gaziev Gaziyev; Ismailov Izmaylov; Basayev Bassaev"
)
ENTRIES = [
    ListEntry(source=ListCode.SDN, entity_number=str(n), type="person", name=name, feed="t")
    for n, name in enumerate(LISTED.split("; "))
]
INDEX = ListIndex(ENTRIES, NAMES_V4.rules(name_rules()), None, NAMES_V4)
WORDS = sorted(INDEX.tables.postings)


def _every_word(spelling: Spelling, letters: int, words: list[str]) -> frozenset[str]:
    shortest, longest = max(letters - 1, 1), 3 * letters + 3
    regex = re.compile(spelling.pattern)
    return frozenset(
        w for w in words if shortest <= len(w) <= longest and regex.fullmatch(w) is not None
    )


_ARABIC = "".join(_CONSONANTS) + "اويىةعأإآء"
_CYRILLIC_LETTERS = "".join(_CYRILLIC)


def _index_of(words: list[str]) -> tuple[ListIndex, list[str]]:
    entries = [
        ListEntry(source=ListCode.SDN, entity_number=str(n), type="person", name=w, feed="t")
        for n, w in enumerate([*LISTED.split("; "), *words])
    ]
    index = ListIndex(entries, NAMES_V4.rules(name_rules()), None, NAMES_V4)
    return index, sorted(index.tables.postings)


def _same_as_every_word(spelling: Spelling | None, letters: int, romanised: list[str]) -> bool:
    """The lookup finds what trying every word finds, in an index that also holds the
    word's romanisations (so that the spelling often has something to find)."""
    if spelling is None:
        return False
    index, words = _index_of(romanised)
    found = index.spellings(spelling, letters)
    assert found == _every_word(spelling, letters, words)
    return bool(found)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ARABIC, min_size=2, max_size=8))
def test_an_arabic_words_spellings_are_all_found(word: str) -> None:
    _same_as_every_word(latin_spelling(word), len(word), romanise_arabic(word))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_CYRILLIC_LETTERS, min_size=2, max_size=10))
def test_a_cyrillic_words_spellings_are_all_found(word: str) -> None:
    romanised = fold(anyascii(word))
    assume(len(romanised.split()) == 1 and word[0] not in "ъьй")
    [(_, spelling, letters)] = cyrillic_words(word)
    # The Russian system's romanisation (anyascii) is one of the spellings: found always.
    assert _same_as_every_word(spelling, letters, [romanised])


def test_known_spellings_are_found() -> None:
    # (The index keeps one spelling of a romanisation variant group: qasem and kasim are
    # indexed as qasim.)
    for word, expected in (
        ("قاسم", {"qasim", "gassem"}),
        ("Хрущёв", {"khrushchev", "chruschtschow", "khrouchtchev"}),
        ("Джихад", {"jihad", "djihad", "dzhikhad"}),
    ):
        spelling = latin_spelling(word) or cyrillic_spelling(word)
        assert spelling is not None
        assert expected <= set(WORDS)
        assert expected <= INDEX.spellings(spelling, len(word))

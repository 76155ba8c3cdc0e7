"""Names in Arabic script read through the Latin spellings the lists use (names-v3): the
script leaves short vowels out, so a plain romanisation (``qsi sdam hsin``) cannot be
compared with *Qusay Saddam Hussein*; a reading in the listed spellings can."""

from __future__ import annotations

import re

import pytest

from aiexports.core.screening.algorithms import ALGORITHMS
from aiexports.core.screening.entries import ListEntry
from aiexports.core.screening.matcher import NameMatcher
from aiexports.core.screening.port import ScreeningQuery
from aiexports.core.screening.scripts import latin_spelling
from aiexports.core.vocabulary import ListCode
from aiexports.sources.reference import name_rules


@pytest.mark.parametrize(
    ("word", "spelled", "not_spelled"),
    [
        ("صدام", ["saddam", "sadam"], ["academy"]),
        ("قاسمي", ["qasimi", "kasemi", "gasmi"], []),
        ("كاظم", ["kazim", "kathim", "kadhim"], []),
        ("حسين", ["husayn", "hussein", "hosein"], ["yassin"]),
        ("عزت", ["izzat", "ezzat"], []),
        ("حسن", ["hasan", "hassan"], ["hasani"]),
    ],
)
def test_the_latin_spellings_of_a_word(
    word: str, spelled: list[str], not_spelled: list[str]
) -> None:
    spelling = latin_spelling(word)
    assert spelling is not None
    regex = re.compile(spelling.pattern + "$")
    assert [s for s in spelled if not regex.match(s)] == []
    assert [s for s in not_spelled if regex.match(s)] == []


def _entry(number: str, name: str) -> ListEntry:
    return ListEntry(source=ListCode.SDN, entity_number=number, type="person", name=name, feed="t")


ENTRIES = [
    _entry("1", "AL-TIKRITI, Qusay Saddam Hussein"),
    _entry("2", "AL-TIKRITI, Saddam Hussein"),
    _entry("3", "DROUKDEL, Abdelmalek"),
    _entry("4", "SMITH, John"),
]


def _best(algorithm: str, name: str) -> tuple[str, float]:
    matcher = NameMatcher(ENTRIES, "t", name_rules(), algorithm=ALGORITHMS[algorithm])
    found = matcher.screen(ScreeningQuery(name), limit=1)
    return (found[0].entity_number, found[0].score) if found else ("", 0.0)


def test_v3_reads_an_arabic_name_in_the_listed_spellings() -> None:
    number, score = _best("aiexports-names-v3", "قصي صدام حسين التكريتي")
    assert number == "1"
    assert score >= 0.9
    assert _best("aiexports-names-v2", "قصي صدام حسين التكريتي")[1] < 0.7


def test_latin_queries_score_as_under_v2() -> None:
    for name in ("Qusay Saddam Hussein al-Tikriti", "Jon Smith", "Abdelmalek Droukdel"):
        assert _best("aiexports-names-v3", name) == _best("aiexports-names-v2", name)

"""The names a listed name stands for: spec section 6 and the UN's alias-string grammar.

The cases are written as the UN Consolidated List writes its ``ALIAS_NAME`` strings (each
form below occurs in the 2026-02-27 file)."""

from __future__ import annotations

import pytest

from aiexports.core.screening.entries import expand_listed_name
from aiexports.core.screening.matcher import NameMatcher
from aiexports.core.screening.port import ScreeningQuery
from aiexports.core.screening.results import Thresholds


@pytest.mark.parametrize(
    ("written", "names"),
    [
        # Several aliases of one quality in one string.
        ("Azim Adhajani; Azim Agha-Jani", ["Azim Adhajani", "Azim Agha-Jani"]),
        # Lettered alternatives, each a list of its own.
        (
            "Mohammed Sabet; Mohammad Sabet b) M. Javad Kareemi Sabet; M. Jawad Karimi Sabet",
            ["Mohammed Sabet", "Mohammad Sabet", "M. Javad Kareemi Sabet", "M. Jawad Karimi Sabet"],
        ),
        # An original-script name with its romanisations in parentheses.
        (
            "حسن غول (Hassan Ghul; Hassan Gul; Hasan Gul)",
            ["حسن غول", "Hassan Ghul", "Hassan Gul", "Hasan Gul"],
        ),
        ("Abubakar (original script: Абубакар)", ["Abubakar", "Абубакар"]),
        ("X (as Hassan Ghul; Hasan Gul)", ["X", "Hassan Ghul", "Hasan Gul"]),
        # Nested parentheses: the acronym of the inner name is a name too.
        (
            "أنصار الشريعة بليبيا (Ansar al Charia in Libya (ASL))",
            ["أنصار الشريعة بليبيا", "Ansar al Charia in Libya", "ASL"],
        ),
        # Spec section 6: "X (Y)" is X and Y; "; and any successor" is cut.
        (
            "General Department of Atomic Energy (GDAE)",
            ["General Department of Atomic Energy", "GDAE"],
        ),
        (
            "Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary",
            ["Sinobright Import and Export Company"],
        ),
        # Words in parentheses inside a name belong to it; alone they name nothing.
        (
            "Leader (Hong Kong) International Trading Limited",
            [
                "Leader Hong Kong International Trading Limited",
                "Leader International Trading Limited",
            ],
        ),
        # Remarks in parentheses or after "born" are no names.
        ("EL PARA (COMBAT NAME)", ["EL PARA"]),
        ("Encep Nurjaman (birth name)", ["Encep Nurjaman"]),
        ("Hilarion Santos, III (third)", ["Hilarion Santos, III"]),
        ("SECOND ACADEMY OF NATURAL SCIENCES (KPE.018)", ["SECOND ACADEMY OF NATURAL SCIENCES"]),
        ("Ezatullah Haqqani (previously listed as)", ["Ezatullah Haqqani"]),
        (
            "Safia Farkash Mohammed Al-Hadad, born 1 Jan. 1953 (Oman passport no.03825239)",
            ["Safia Farkash Mohammed Al-Hadad"],
        ),
        ("Mohammad Ishaq Akhund born in 1963", ["Mohammad Ishaq Akhund"]),
        ("(Sheikh) Musa Hilal", ["Musa Hilal"]),
        # One word in parentheses is another spelling of one of the name's words.
        ("Lom-ali Butayev (Butaev)", ["Lom-ali Butayev", "Lom-ali Butaev"]),
        # An unbalanced parenthesis is kept as written, never dropped.
        ("Acme (Holdings", ["Acme (Holdings"]),
    ],
)
def test_listed_name_grammar(written: str, names: list[str]) -> None:
    assert expand_listed_name(written) == names


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Mohammad Sabet", "Mohammad Sabet"),  # a Good-quality UN alias, second of a pair
        ("Hassan Ghul", "Hassan Ghul"),  # inside the parentheses of an Arabic-script alias
        ("Qasem Sulaymani", "Qasem Sulaymani"),  # fifth of eight in one alias string
        ("Jabhat Fath al-Sham", "Jabhat Fath al-Sham"),
    ],
)
def test_every_listed_alias_blocks_when_given_exactly(
    matcher: NameMatcher, thresholds: Thresholds, query: str, listed: str
) -> None:
    blocking = [s for s in matcher.score(ScreeningQuery(query)) if s.score >= thresholds.block]
    assert any(
        str(s.entry.source) == "UN"
        and listed.casefold() in (name.casefold() for name, _ in s.entry.screening_names())
        for s in blocking
    )


def test_words_in_parentheses_alone_block_nothing(
    matcher: NameMatcher, thresholds: Thresholds
) -> None:
    for query in ("Hong Kong", "Sheikh", "Combat Name"):
        for scored in matcher.score(ScreeningQuery(query)):
            assert scored.score < thresholds.block, (query, scored.listed)

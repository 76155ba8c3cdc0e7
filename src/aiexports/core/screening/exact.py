"""A matcher that only recognises a name equal to a listed name after normalisation."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from anyascii import anyascii

from aiexports.core.screening.entries import ListEntry
from aiexports.core.screening.port import ScreeningQuery
from aiexports.core.screening.results import ListMatch

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def exact_form(name: str) -> str:
    """Case, accents, script and punctuation removed; token order kept."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", name))
    return " ".join(_NON_ALNUM.sub(" ", ascii_text.casefold()).split())


class ExactNameMatcher:
    """Score 1.0 when the normalised query equals a normalised listed name, else no match."""

    matcher_id = "exact-normalised-v1"

    def __init__(self, entries: Iterable[ListEntry], lists_version: str) -> None:
        self.lists_version = lists_version
        self._names: dict[str, list[tuple[ListEntry, str]]] = defaultdict(list)
        for entry in entries:
            for name, _strength in entry.screening_names():
                form = exact_form(name)
                if form:
                    self._names[form].append((entry, name))

    def screen(
        self, query: ScreeningQuery, limit: int = 10, min_score: float = 0.0
    ) -> tuple[ListMatch, ...]:
        found = self._names.get(exact_form(query.name), [])
        return tuple(
            ListMatch(
                source=entry.source,
                entity_number=entry.entity_number,
                name=entry.name,
                matched_name=listed,
                score=1.0,
                list_name=entry.list_name,
                programs=entry.programs,
                expires=entry.end_date,
                explanation=f"normalised name equals listed name {listed!r}",
            )
            for entry, listed in found[:limit]
        )

"""The screening port: what the determination services need from any matcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aiexports.core.screening.results import ListMatch


@dataclass(frozen=True, slots=True)
class ScreeningQuery:
    name: str
    country: str | None = None
    type: str | None = None
    """``person`` or ``entity`` when known; deal parties leave it open."""
    date_of_birth: str | None = None


class Screener(Protocol):
    """Finds the list entries a name may refer to, scored 0..1, best first."""

    @property
    def matcher_id(self) -> str: ...

    @property
    def lists_version(self) -> str: ...

    def screen(
        self, query: ScreeningQuery, limit: int = 10, min_score: float = 0.0
    ) -> tuple[ListMatch, ...]:
        """The best ``limit`` matches scoring at least ``min_score``."""
        ...

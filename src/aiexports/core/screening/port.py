"""The screening port: what the determination services need from any matcher."""

from __future__ import annotations

import datetime as dt
import re
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


_BIRTH_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
MAX_QUERY_NAME = 500
"""The longest name screened (characters): the longest listed names are about 300."""


def check_birth_date(text: str) -> str:
    """``text`` if it is a date of birth as lists give them (YYYY, YYYY-MM or
    YYYY-MM-DD, a real date); ``ValueError`` otherwise."""
    found = _BIRTH_DATE.match(text)
    if found is None:
        raise ValueError(f"{text[:40]!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = found.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        raise ValueError(f"{text!r} is not a real date ({error})") from None
    return text


def check_query_name(name: str) -> str:
    """``name`` if it can be screened: not empty, at most ``MAX_QUERY_NAME`` characters,
    one line; ``ValueError`` otherwise."""
    if not name.strip():
        raise ValueError("name is empty")
    if len(name) > MAX_QUERY_NAME:
        raise ValueError(f"name is longer than {MAX_QUERY_NAME} characters")
    if any(ch in name for ch in "\r\n\x00"):
        raise ValueError("name contains a line break or a NUL character")
    return name


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

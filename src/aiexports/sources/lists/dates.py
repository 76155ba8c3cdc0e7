"""Dates as the lists write them, normalised.

Birth dates become ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` strings (as precise as written);
a range ("1957 to 1959", "circa 1979-1982") gives both of its ends.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

PLAUSIBLE_LEAD = dt.timedelta(days=365)
"""How far after a file's newest plausible date another date may lie and still be read as
written (later ones are typos such as 2922 for 2022)."""
EARLIEST_PLAUSIBLE = dt.date(1900, 1, 1)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_APPROXIMATE = re.compile(r"^(?:circa|approximately|approx\.?|about)\s+", re.IGNORECASE)
_RANGE = re.compile(r"\s+to\s+|(?<=\d{4})\s*-\s*(?=\d{4}\b)", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{4})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2}|T.*)?$")


def birth_dates(text: str) -> tuple[str, ...] | None:
    """``"10 Jul 1957"`` → ``("1957-07-10",)``; ``"1957 to 1959"`` → ``("1957", "1959")``;
    None when some part is not a date."""
    core = _APPROXIMATE.sub("", text.strip())
    found: list[str] = []
    for part in _RANGE.split(core):
        value = _partial_date(part.strip())
        if value is None:
            return None
        found.append(value)
    return tuple(dict.fromkeys(found)) if found else None


def _partial_date(text: str) -> str | None:
    if match := _YEAR.match(text):
        return match[1]
    if match := _ISO.match(text):
        return _compose(int(match[1]), int(match[2]), int(match[3]) if match[3] else None)
    if match := _DAY_MONTH_YEAR.match(text):
        month = _MONTHS.get(match[2].lower())
        return _compose(int(match[3]), month, int(match[1])) if month else None
    if match := _MONTH_YEAR.match(text):
        month = _MONTHS.get(match[1].lower())
        return _compose(int(match[2]), month, None) if month else None
    return None


def _compose(year: int, month: int | None, day: int | None) -> str | None:
    if month is None:
        return f"{year:04d}"
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}" if day is None else f"{year:04d}-{month:02d}-{day:02d}"


def iso_date(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` (the CSL, the UN and the DPL's Last_Update), possibly followed by a
    time or a UTC offset (the UN writes ``2015-07-01-04:00``), else None."""
    match = _ISO_DAY.match(text.strip())
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match[1])
    except ValueError:
        return None


def us_date(text: str) -> dt.date | None:
    """``MM/DD/YYYY`` (the DPL's order dates), else None."""
    match = _US_DATE.match(text.strip())
    if match is None:
        return None
    try:
        return dt.date(int(match[3]), int(match[1]), int(match[2]))
    except ValueError:
        return None


def newest_plausible(dates: Iterable[dt.date]) -> dt.date | None:
    """The newest date that another, different date precedes by at most a year: a typo far
    in the future stands alone and is passed over. None when no date has such a neighbour
    (too few dates to judge)."""
    ordered = sorted({date for date in dates if date >= EARLIEST_PLAUSIBLE})
    for newer, older in zip(reversed(ordered[1:]), reversed(ordered[:-1]), strict=True):
        if newer - older <= PLAUSIBLE_LEAD:
            return newer
    return None


def implausible(date: dt.date, newest: dt.date | None) -> bool:
    """Before 1900, or more than a year after the file's newest plausible date."""
    if date < EARLIEST_PLAUSIBLE:
        return True
    return newest is not None and date > newest + PLAUSIBLE_LEAD

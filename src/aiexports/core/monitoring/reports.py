"""Reporting periods of a license and which of them are late (``LATE_REPORT``)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from aiexports.core.monitoring.model import MonitoringProfile


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date
    """Inclusive."""
    due: dt.date
    settled_by: dt.date | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` ``months`` later; a day past the month's end is its last day (31 Jan + 1 →
    28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def periods(profile: MonitoringProfile, grace_days: int, until: dt.date) -> list[Period]:
    """The license's reporting periods that ended before ``until``, each settled by the
    earliest report after its end that no earlier period took."""
    every = profile.limits.report_every
    if every is None:
        return []
    ended: list[tuple[dt.date, dt.date]] = []
    step = 0
    while True:
        start = add_months(profile.valid_from, step * every.months)
        if start > profile.valid_until or start >= until:
            break
        next_start = add_months(profile.valid_from, (step + 1) * every.months)
        end = min(next_start - dt.timedelta(days=1), profile.valid_until)
        if end >= until:
            break
        ended.append((start, end))
        step += 1
    reports = sorted(report for report in profile.reports if report <= until)
    found: list[Period] = []
    open_periods: list[int] = []
    settled: dict[int, dt.date] = {}
    position = 0
    for report in reports:
        # Periods that ended before this report are open to it, earliest first.
        while position < len(ended) and ended[position][1] < report:
            open_periods.append(position)
            position += 1
        if open_periods:
            settled[open_periods.pop(0)] = report
    for index, (start, end) in enumerate(ended):
        due = end + dt.timedelta(days=grace_days)
        found.append(Period(start, end, due, settled.get(index)))
    return found


def late(profile: MonitoringProfile, grace_days: int, as_of: dt.date) -> list[Period]:
    """Periods whose report is due before ``as_of`` and has not been received."""
    return [
        period
        for period in periods(profile, grace_days, as_of)
        if period.settled_by is None and period.due < as_of
    ]

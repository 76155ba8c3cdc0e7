"""The licensing clock: how long an application has been with the agency against the
90-day processing target, and who holds it now.

How days are counted (15 CFR 750.4(a), (c)):

- Days are UTC calendar days. The clock starts on the UTC date of the first submission:
  that date is day 0, the next date is day 1.
- The days between a return to the applicant (``returned_without_action``) and the next
  submission are the applicant's and do not count against the target: the clock is paused
  from the date of the return to the date of the resubmission. A return and a resubmission
  on the same date pause nothing.
- The clock stops on the date of a final decision (approval, denial) or a withdrawal.
- ``agency_days`` = days elapsed since the first submission − days with the applicant.
  The target is met while ``agency_days <= 90``; the expected decision date is the date on
  which ``agency_days`` would reach 90 if the application stays with the agency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

TARGET_DAYS = 90
CITATIONS = ("15 CFR 750.4(a)(1)", "15 CFR 750.4(c)")

Holder = Literal["applicant", "agency", "officer", "nobody"]
FINAL_STATES = frozenset({"approved", "approved_with_conditions", "denied", "withdrawn"})
RETURNED = "returned_without_action"


@dataclass(frozen=True, slots=True)
class StateChange:
    """One step of an application's history: the state it entered and when."""

    at: dt.datetime
    state: str
    by: str | None = None


@dataclass(frozen=True, slots=True)
class Interval:
    holder: Literal["applicant", "agency"]
    start: dt.date
    end: dt.date | None
    """The date the interval ended (None: it has not)."""

    def days(self, today: dt.date) -> int:
        return ((self.end or today) - self.start).days


@dataclass(frozen=True, slots=True)
class LicensingClock:
    state: str
    submitted_on: dt.date | None
    today: dt.date
    stopped_on: dt.date | None
    elapsed_days: int
    agency_days: int
    applicant_days: int
    holder: Holder
    held_by: str | None
    intervals: tuple[Interval, ...]

    @property
    def running(self) -> bool:
        return (
            self.submitted_on is not None and self.stopped_on is None and self.holder != "applicant"
        )

    @property
    def paused(self) -> bool:
        return (
            self.submitted_on is not None and self.stopped_on is None and self.holder == "applicant"
        )

    @property
    def days_remaining(self) -> int | None:
        return None if self.submitted_on is None else TARGET_DAYS - self.agency_days

    @property
    def overdue(self) -> bool:
        return self.agency_days > TARGET_DAYS

    @property
    def expected_decision(self) -> dt.date | None:
        """While the agency holds it: the day the target falls (today when already past);
        paused with the applicant or not yet submitted: unknown; stopped: the day it
        stopped."""
        if self.stopped_on is not None:
            return self.stopped_on
        if not self.running:
            return None
        remaining = TARGET_DAYS - self.agency_days
        return self.today + dt.timedelta(days=max(remaining, 0))

    def urgency(self) -> tuple[int, dt.date]:
        """Sort key of the officer's queue: fewest days left first, then oldest."""
        remaining = self.days_remaining
        return (
            remaining if remaining is not None else TARGET_DAYS,
            self.submitted_on or self.today,
        )

    def contract(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "target_days": TARGET_DAYS,
            "submitted_on": _day(self.submitted_on),
            "as_of": self.today.isoformat(),
            "stopped_on": _day(self.stopped_on),
            "running": self.running,
            "paused": self.paused,
            "elapsed_days": self.elapsed_days,
            "agency_days": self.agency_days,
            "applicant_days": self.applicant_days,
            "days_remaining": self.days_remaining,
            "overdue": self.overdue,
            "expected_decision": _day(self.expected_decision),
            "holder": self.holder,
            "held_by": self.held_by,
            "intervals": [
                {
                    "holder": i.holder,
                    "from": i.start.isoformat(),
                    "to": _day(i.end),
                    "days": i.days(self.stopped_on or self.today),
                }
                for i in self.intervals
            ],
            "counting": (
                "UTC calendar days from the first submission (day 0); days from a return "
                "to the applicant until the resubmission are not counted; the clock stops "
                "at a final decision or withdrawal"
            ),
            "citations": list(CITATIONS),
        }


def licensing_clock(
    changes: Iterable[StateChange], state: str, assigned_to: str | None, now: dt.datetime
) -> LicensingClock:
    """The clock of an application whose state changes are ``changes`` (in order), now in
    ``state``; ``now`` is when it is read."""
    today = _utc_day(now)
    intervals: list[Interval] = []
    submitted_on: dt.date | None = None
    stopped_on: dt.date | None = None
    for change in _ordered(changes):
        day = _utc_day(change.at)
        if change.state == "submitted":
            if submitted_on is None:
                submitted_on = day
            _close(intervals, day)
            intervals.append(Interval("agency", day, None))
            stopped_on = None
        elif submitted_on is None:
            continue
        elif change.state == RETURNED:
            _close(intervals, day)
            intervals.append(Interval("applicant", day, None))
        elif change.state in FINAL_STATES:
            _close(intervals, day)
            stopped_on = day
    end = stopped_on or today
    applicant = sum(i.days(end) for i in intervals if i.holder == "applicant")
    elapsed = (end - submitted_on).days if submitted_on is not None else 0
    holder: Holder
    held_by = None
    if state in FINAL_STATES:
        holder = "nobody"
    elif state in ("draft", RETURNED):
        holder = "applicant"
    elif state == "under_review" and assigned_to is not None:
        holder, held_by = "officer", assigned_to
    else:
        holder = "agency"
    return LicensingClock(
        state=state,
        submitted_on=submitted_on,
        today=today,
        stopped_on=stopped_on,
        elapsed_days=elapsed,
        agency_days=elapsed - applicant,
        applicant_days=applicant,
        holder=holder,
        held_by=held_by,
        intervals=tuple(intervals),
    )


def _ordered(changes: Iterable[StateChange]) -> Sequence[StateChange]:
    return sorted(changes, key=lambda c: c.at)


def _close(intervals: list[Interval], day: dt.date) -> None:
    if intervals and intervals[-1].end is None:
        last = intervals[-1]
        intervals[-1] = Interval(last.holder, last.start, day)


def _utc_day(at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        return at.date()
    return at.astimezone(dt.UTC).date()


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None

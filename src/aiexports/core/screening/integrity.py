"""Whether a list download may replace the installed one, and how old the lists in use are.

A list that silently shrinks is worse than an old one: an empty UN file, an SDN file
without its aliases, a download cut short or an older file installed over a newer one all
turn listed parties into clear ones. Each check below names what it found; an operator
who knows better installs anyway (``--force``) and the report keeps the reasons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from aiexports.core.screening.snapshot import FeedImport, ListSnapshot

DEFAULT_MAX_LOSS = 0.10
"""The share of a feed's entries or names a download may drop (delistings are a few a
month; a tenth of a list gone at once is a broken download)."""
DEFAULT_MAX_AGE_DAYS = 30


def download_problems(
    current: ListSnapshot, feeds: Sequence[FeedImport], max_loss: float = DEFAULT_MAX_LOSS
) -> list[tuple[str, str]]:
    """(feed, reason) for each reason not to install ``feeds`` over ``current``."""
    installed = {feed.provenance.feed: feed for feed in current.feeds}
    problems: list[tuple[str, str]] = []
    for feed in feeds:
        name = feed.provenance.feed
        old = installed.get(name)
        report = feed.report
        if report.entries == 0:
            had = f" (the installed one has {old.report.entries:,})" if old else ""
            problems.append((name, f"the download has no entries{had}"))
            continue
        if report.missing_parts:
            problems.append(
                (
                    name,
                    f"the download lacks {', '.join(report.missing_parts)}, which the format "
                    "needs (aliases and addresses would be lost)",
                )
            )
        if old is not None:
            for what, before, after in (
                ("entries", old.report.entries, report.entries),
                ("names and aliases", old.report.names, report.names),
            ):
                if before and after < before and (before - after) / before > max_loss:
                    problems.append(
                        (
                            name,
                            f"it would drop {before - after:,} of {before:,} {what} "
                            f"({(before - after) / before:.0%}; at most {max_loss:.0%} may go "
                            "at once)",
                        )
                    )
            new_date, old_date = feed.provenance.as_of, old.provenance.as_of
            if new_date and old_date and new_date[:10] < old_date[:10]:
                problems.append(
                    (
                        name,
                        f"the download is as of {new_date[:10]}, older than the installed one "
                        f"(as of {old_date[:10]})",
                    )
                )
    return problems


@dataclass(frozen=True)
class FeedAge:
    feed: str
    as_of: str | None
    days: int | None
    """Days from the feed's as-of date to today; None when the files state no date."""

    def stale(self, max_days: int) -> bool:
        return self.days is None or self.days > max_days

    def describe(self) -> str:
        if self.days is None:
            return f"{self.feed}: the files state no date, so its age is unknown"
        return f"{self.feed}: as of {self.as_of}, {self.days:,} days old"

    def contract(self) -> dict[str, object]:
        return {"feed": self.feed, "as_of": self.as_of, "age_days": self.days}


def stale_warnings(ages: Sequence[FeedAge], max_days: int) -> list[str]:
    """A warning for each list older than ``max_days`` (or undated)."""
    return [
        f"list {age.describe()} (warned past {max_days} days)"
        for age in ages
        if age.stale(max_days)
    ]


def feed_ages(snapshot: ListSnapshot, today: dt.date) -> list[FeedAge]:
    ages = []
    for feed in snapshot.feeds:
        as_of = feed.provenance.as_of
        days = None
        if as_of:
            try:
                days = (today - dt.date.fromisoformat(as_of[:10])).days
            except ValueError:
                days = None
        ages.append(FeedAge(feed.provenance.feed, as_of, days))
    return ages

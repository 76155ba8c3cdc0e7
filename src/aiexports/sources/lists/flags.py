"""Data oddities found while importing a feed: kept, flagged on the entry and counted.

An oddity never stops an import (that is what :class:`~aiexports.errors.ListFormatError`
is for): the value is kept as well as it can be, the entry carries the flag, and the feed's
report counts the flag with a few located examples so that a reviewer can look them up.
"""

from __future__ import annotations

from collections import Counter

from aiexports.core.screening.snapshot import FlagCount

EXAMPLES_PER_FLAG = 5


class Oddities:
    """Every oddity of one feed, in the order they were met."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._examples: dict[str, list[str]] = {}

    def note(self, flag: str, where: str, detail: str) -> str:
        """Count ``flag`` seen at ``where`` ("file:line"); returns the flag."""
        self._counts[flag] += 1
        examples = self._examples.setdefault(flag, [])
        if len(examples) < EXAMPLES_PER_FLAG:
            examples.append(f"{where}: {detail}")
        return flag

    def at(self, where: str) -> EntryFlags:
        """A recorder for the oddities of the entry read at ``where``."""
        return EntryFlags(self, where)

    def report(self) -> tuple[FlagCount, ...]:
        return tuple(
            FlagCount(flag=flag, count=count, examples=tuple(self._examples[flag]))
            for flag, count in sorted(self._counts.items())
        )


class EntryFlags:
    """The flags of one entry; each one is also counted in the feed's :class:`Oddities`,
    located at ``where`` (which a reader moves along when an entry spans several rows)."""

    def __init__(self, oddities: Oddities, where: str) -> None:
        self.oddities = oddities
        self.where = where
        self._flags: set[str] = set()

    def __call__(self, flag: str, detail: str) -> None:
        self._flags.add(self.oddities.note(flag, self.where, detail))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._flags))

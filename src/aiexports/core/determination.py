"""The determination (spec section 2): the outcome of assessing a deal, explained."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from aiexports.core.records import Day, Record
from aiexports.core.vocabulary import Outcome, ReviewPolicy

JsonValue = Any


class Finding(Record):
    """What one rule found about a deal, with the law behind it."""

    rule: str
    outcome: Outcome
    review_policy: ReviewPolicy | None = None
    message: str
    citations: tuple[str, ...]
    evidence: dict[str, JsonValue] = Field(default_factory=dict)


class Condition(Record):
    """A term the deal must carry when it goes ahead."""

    id: str
    text: str
    binding: bool = True
    source_rule: str


class EffectiveRange(Record):
    start: Day | None
    end: Day | None

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def nearest(self, day: dt.date) -> dt.date:
        """``day`` clamped into this range."""
        if self.start is not None and day < self.start:
            return self.start
        if self.end is not None and day > self.end:
            return self.end
        return day

    def distance(self, day: dt.date) -> int:
        return abs((self.nearest(day) - day).days)


class PolicyRef(Record):
    id: str
    effective: EffectiveRange
    version: str
    title: str = ""
    digest: str = Field(default="", description="sha256 of the pack's content")


class Determination(Record):
    deal_id: str | None
    outcome: Outcome
    review_policy: ReviewPolicy | None
    policy: PolicyRef
    findings: tuple[Finding, ...]
    conditions: tuple[Condition, ...]
    decision_id: str
    data_versions: dict[str, str]
    screening_adjudications: tuple[dict[str, JsonValue], ...] = Field(
        default=(),
        description="Remembered adjudications that bore on the parties' matches: applied "
        "(a cleared match raises no finding; a confirmed one is marked) or invalidated "
        "(the party or the entry changed since, and the alert stands)",
    )

    def contract(self) -> dict[str, JsonValue]:
        """The JSON form of the contract (dates as ISO strings, enums as their words)."""
        return self.model_dump(mode="json")

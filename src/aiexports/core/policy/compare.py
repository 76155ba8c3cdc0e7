"""How a deal's determination changes between two policy packs, and across a portfolio."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aiexports.core.determination import Determination
from aiexports.core.policy.engine import OutcomeSummary
from aiexports.core.vocabulary import Outcome

Decided = Determination | OutcomeSummary
"""A full determination, or only what a comparison reads of one."""


def _rules(decided: Decided) -> set[str]:
    if isinstance(decided, OutcomeSummary):
        return set(decided.rules)
    return {finding.rule for finding in decided.findings}


def _conditions(decided: Decided) -> set[str]:
    if isinstance(decided, OutcomeSummary):
        return set(decided.conditions)
    return {condition.id for condition in decided.conditions}


D = TypeVar("D", Determination, OutcomeSummary)


@dataclass(frozen=True)
class PolicyDifference(Generic[D]):
    """Determination ``b`` (under the other pack) against ``a`` (under the first); for a
    portfolio, outcome summaries are enough."""

    a: D
    b: D

    @property
    def direction(self) -> str:
        """``stricter``, ``less_strict`` or ``same`` (of the outcome under ``b``)."""
        delta = self.b.outcome.strictness - self.a.outcome.strictness
        return "stricter" if delta > 0 else "less_strict" if delta < 0 else "same"

    @property
    def outcome_changed(self) -> bool:
        return self.a.outcome is not self.b.outcome

    @property
    def review_policy_changed(self) -> bool:
        return self.a.review_policy is not self.b.review_policy

    @property
    def rules_added(self) -> list[str]:
        """Rules that fired under ``b`` only."""
        return sorted(_rules(self.b) - _rules(self.a))

    @property
    def rules_removed(self) -> list[str]:
        """Rules that fired under ``a`` only."""
        return sorted(_rules(self.a) - _rules(self.b))

    @property
    def conditions_added(self) -> list[str]:
        return sorted(_conditions(self.b) - _conditions(self.a))

    @property
    def conditions_removed(self) -> list[str]:
        return sorted(_conditions(self.a) - _conditions(self.b))

    @property
    def changed(self) -> bool:
        return bool(
            self.outcome_changed
            or self.review_policy_changed
            or self.rules_added
            or self.rules_removed
            or self.conditions_added
            or self.conditions_removed
        )

    def contract(self) -> dict[str, object]:
        """Both determinations and what differs (the JSON of ``assess --compare-policy``)."""
        assert isinstance(self.a, Determination)
        assert isinstance(self.b, Determination)
        return {
            "policy": self.a.contract(),
            "compare_policy": self.b.contract(),
            "differences": self.summary(),
        }

    def summary(self) -> dict[str, object]:
        return {
            "outcome": {"from": str(self.a.outcome), "to": str(self.b.outcome)},
            "review_policy": {
                "from": self.a.review_policy and str(self.a.review_policy),
                "to": self.b.review_policy and str(self.b.review_policy),
            },
            "direction": self.direction,
            "outcome_changed": self.outcome_changed,
            "rules_added": self.rules_added,
            "rules_removed": self.rules_removed,
            "conditions_added": self.conditions_added,
            "conditions_removed": self.conditions_removed,
        }


@dataclass
class ImpactTally:
    """Counts of how a portfolio's outcomes move from pack A to pack B, and why."""

    policy: str
    against: str
    deals: int = 0
    outcome_changed: int = 0
    stricter: int = 0
    less_strict: int = 0
    review_policy_changed: int = 0
    any_change: int = 0
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    rules_added: Counter[str] = field(default_factory=Counter)
    rules_removed: Counter[str] = field(default_factory=Counter)
    outcomes_a: Counter[str] = field(default_factory=Counter)
    outcomes_b: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, object]] = field(default_factory=list)
    example_limit: int = 20

    def add(self, difference: PolicyDifference[Any], where: str) -> None:
        self.deals += 1
        self.outcomes_a[str(difference.a.outcome)] += 1
        self.outcomes_b[str(difference.b.outcome)] += 1
        if difference.changed:
            self.any_change += 1
        if difference.review_policy_changed and not difference.outcome_changed:
            self.review_policy_changed += 1
        if not difference.outcome_changed:
            return
        self.outcome_changed += 1
        if difference.direction == "stricter":
            self.stricter += 1
        else:
            self.less_strict += 1
        self.transitions[(str(difference.a.outcome), str(difference.b.outcome))] += 1
        self.rules_added.update(difference.rules_added)
        self.rules_removed.update(difference.rules_removed)
        if len(self.examples) < self.example_limit:
            self.examples.append(
                {"deal_id": difference.a.deal_id, "where": where, **difference.summary()}
            )

    def merge(self, other: ImpactTally) -> None:
        """Add the tally of a later part of the same portfolio."""
        self.deals += other.deals
        self.outcome_changed += other.outcome_changed
        self.stricter += other.stricter
        self.less_strict += other.less_strict
        self.review_policy_changed += other.review_policy_changed
        self.any_change += other.any_change
        self.transitions.update(other.transitions)
        self.rules_added.update(other.rules_added)
        self.rules_removed.update(other.rules_removed)
        self.outcomes_a.update(other.outcomes_a)
        self.outcomes_b.update(other.outcomes_b)
        room = self.example_limit - len(self.examples)
        self.examples.extend(other.examples[: max(room, 0)])

    def report(self) -> dict[str, object]:
        order = [outcome.value for outcome in reversed(Outcome)]
        return {
            "policy": self.policy,
            "against": self.against,
            "deals": self.deals,
            "outcome_changed": self.outcome_changed,
            "stricter": self.stricter,
            "less_strict": self.less_strict,
            "review_policy_changed_only": self.review_policy_changed,
            "any_change": self.any_change,
            "outcomes": {
                self.policy: {o: self.outcomes_a[o] for o in order},
                self.against: {o: self.outcomes_b[o] for o in order},
            },
            "transitions": [
                {"from": a, "to": b, "deals": count}
                for (a, b), count in sorted(
                    self.transitions.items(), key=lambda item: (-item[1], item[0])
                )
            ],
            "why": {
                "rules_firing_only_under_against": dict(self.rules_added.most_common()),
                "rules_firing_only_under_policy": dict(self.rules_removed.most_common()),
            },
            "examples": self.examples,
        }

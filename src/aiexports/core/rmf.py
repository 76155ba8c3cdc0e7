"""NIST AI RMF assessments of a deployer: per subcategory a status, a maturity 0–4,
evidence and notes; scores per function and category; gaps against what a package's
governance and the deal's ``GOV-RMF`` condition require, each a dated remediation item.

The framework is data (its subcategory ids, e.g. ``GOVERN 1.1``: the function is the first
word, the category the id without its last part); a revised RMF is a new catalog file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from aiexports.core.catalog import FrameworkCatalog
from aiexports.core.records import CountryCode, Day, NonEmptyStr, PlainStr, Record

Status = Literal["not_started", "partial", "implemented", "not_applicable"]
Maturity = Annotated[int, Field(ge=0, le=4, strict=True)]
EvidenceRef = Annotated[NonEmptyStr, Field(max_length=500, pattern=r"^[^|\n]+$")]
"""An evidence reference (a document id, a URL): one line, no ``|`` (the CSV's separator)."""


class Deployer(Record):
    name: Annotated[NonEmptyStr, Field(max_length=500)]
    country: CountryCode
    role: Literal["end_user", "licensee"]


class AssessmentItem(Record):
    subcategory: Annotated[NonEmptyStr, Field(max_length=40)]
    status: Status
    maturity: Maturity = 0
    evidence: Annotated[tuple[EvidenceRef, ...], Field(max_length=100)] = ()
    notes: Annotated[PlainStr, Field(max_length=5000)] = ""
    reason: Annotated[PlainStr, Field(max_length=2000)] = Field(
        default="", description="Why the subcategory does not apply (not_applicable only)"
    )

    @model_validator(mode="after")
    def _reason_when_not_applicable(self) -> AssessmentItem:
        if self.status == "not_applicable" and not self.reason.strip():
            raise ValueError("a not_applicable subcategory gives its reason")
        if self.status != "not_applicable" and self.reason:
            raise ValueError("only a not_applicable subcategory has a reason")
        if self.status == "implemented" and self.maturity == 0:
            raise ValueError("an implemented subcategory has a maturity of at least 1")
        return self


class RmfAssessment(Record):
    framework: NonEmptyStr = "nist-ai-rmf-1.0"
    deployer: Deployer
    date: Day
    package: Annotated[str, Field(max_length=200)] | None = None
    items: Annotated[tuple[AssessmentItem, ...], Field(max_length=1000)]

    @model_validator(mode="after")
    def _each_subcategory_once(self) -> RmfAssessment:
        seen = [i.subcategory for i in self.items]
        twice = sorted({s for s in seen if seen.count(s) > 1})
        if twice:
            raise ValueError(f"subcategories assessed twice: {twice}")
        return self


def check_against(assessment: RmfAssessment, catalog: FrameworkCatalog) -> list[str]:
    """The assessment's subcategories the framework does not have."""
    return sorted(
        i.subcategory for i in assessment.items if i.subcategory not in catalog.subcategories
    )


def function_of(subcategory: str) -> str:
    return subcategory.split(" ", 1)[0]


def category_of(subcategory: str) -> str:
    return subcategory.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Score:
    id: str
    assessed: int
    applicable: int
    implemented: int
    mean_maturity: float | None

    def contract(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "assessed": self.assessed,
            "applicable": self.applicable,
            "implemented": self.implemented,
            "mean_maturity": self.mean_maturity,
        }


def scores(
    assessment: RmfAssessment, catalog: FrameworkCatalog, by: Literal["function", "category"]
) -> list[Score]:
    """Per function or category: how many of its subcategories were assessed, apply, are
    implemented, and the mean maturity of those that apply (a subcategory not assessed
    counts as not started, maturity 0)."""
    group = function_of if by == "function" else category_of
    given = {i.subcategory: i for i in assessment.items}
    found: dict[str, list[AssessmentItem | None]] = {}
    for subcategory in sorted(catalog.subcategories, key=_order):
        found.setdefault(group(subcategory), []).append(given.get(subcategory))
    result = []
    for key, items in found.items():
        applicable = [i for i in items if i is None or i.status != "not_applicable"]
        maturities = [i.maturity if i is not None else 0 for i in applicable]
        result.append(
            Score(
                key,
                sum(1 for i in items if i is not None),
                len(applicable),
                sum(1 for i in applicable if i is not None and i.status == "implemented"),
                round(sum(maturities) / len(maturities), 2) if maturities else None,
            )
        )
    return result


@dataclass(frozen=True)
class Gap:
    subcategory: str
    status: str
    maturity: int
    required: int
    due: dt.date
    condition: str
    why: str

    def contract(self) -> dict[str, Any]:
        return {
            "subcategory": self.subcategory,
            "status": self.status,
            "maturity": self.maturity,
            "required_maturity": self.required,
            "due": self.due.isoformat(),
            "condition": self.condition,
            "why": self.why,
        }


def gaps(
    assessment: RmfAssessment,
    required: Iterable[str],
    required_maturity: int,
    due_days: Mapping[str, int],
    condition: str = "GOV-RMF",
) -> list[Gap]:
    """Each required subcategory below ``required_maturity`` or not implemented, as a
    remediation item of ``condition`` due ``due_days[status]`` days after the assessment
    (a required subcategory marked not applicable is a gap too: the package commits to it)."""
    given = {i.subcategory: i for i in assessment.items}
    found = []
    for subcategory in sorted(set(required), key=_order):
        item = given.get(subcategory)
        status = item.status if item is not None else "not_started"
        maturity = item.maturity if item is not None else 0
        if status == "implemented" and maturity >= required_maturity:
            continue
        if status == "implemented":
            why = f"implemented at maturity {maturity}, below the {required_maturity} required"
            kind = "below_maturity"
        elif item is None:
            why, kind = "not assessed", "not_started"
        else:
            why, kind = f"{status.replace('_', ' ')}", status
        found.append(
            Gap(
                subcategory,
                status,
                maturity,
                required_maturity,
                assessment.date + dt.timedelta(days=due_days[kind]),
                condition,
                why,
            )
        )
    return found


def _order(subcategory: str) -> tuple[str, tuple[int, ...]]:
    function, _, numbers = subcategory.partition(" ")
    return function, tuple(int(n) for n in numbers.split(".") if n.isdigit())

"""The public proposal rubric: criteria with weights and scales, published as versioned
data, and the scorecard an evaluator fills in against one version of it.

A criterion scored ``s`` on a scale ``min..max`` with weight ``w`` contributes
``w × (s − min) / (max − min)`` points; weights add up to 100, so the total is out of 100
and each criterion's share of it is its contribution.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from aiexports.core.records import Count, Day, Identifier, NonEmptyStr, Number, Record
from aiexports.errors import InputError, Issue

WEIGHT_TOTAL = 100.0


class Level(Record):
    score: Annotated[Count, Field(ge=0, le=100)]
    meaning: NonEmptyStr


class Criterion(Record):
    id: Identifier
    title: NonEmptyStr
    question: NonEmptyStr = Field(description="What the evaluator judges")
    weight: Annotated[Number, Field(gt=0, le=WEIGHT_TOTAL)]
    scale_min: Annotated[Count, Field(ge=0, le=100)] = 0
    scale_max: Annotated[Count, Field(ge=1, le=100)] = 5
    levels: tuple[Level, ...] = Field(default=(), description="What scores mean")
    citations: tuple[NonEmptyStr, ...] = ()

    @model_validator(mode="after")
    def _scale(self) -> Self:
        if self.scale_min >= self.scale_max:
            raise ValueError("scale_min is below scale_max")
        for level in self.levels:
            if not self.scale_min <= level.score <= self.scale_max:
                raise ValueError(f"level {level.score} is outside the scale")
        return self


class Rubric(Record):
    id: Identifier
    version: Annotated[Count, Field(ge=1)]
    title: NonEmptyStr
    published: Day
    summary: NonEmptyStr
    criteria: Annotated[tuple[Criterion, ...], Field(min_length=1, max_length=50)]

    @model_validator(mode="after")
    def _weights(self) -> Self:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("criterion ids are unique")
        total = sum(c.weight for c in self.criteria)
        if abs(total - WEIGHT_TOTAL) > 1e-9:
            raise ValueError(f"criterion weights add up to {WEIGHT_TOTAL:g}, not {total:g}")
        return self


MAX_REASON = 4000


def scorecard(rubric: Rubric, body: object) -> dict[str, Any]:
    """An evaluator's scores checked against ``rubric``: every criterion scored within its
    scale, each with a reason; the total and each criterion's contribution computed.
    ``body`` is ``{"criterion id": {"score": n, "reason": "..."}, ...}``."""
    if not isinstance(body, Mapping):
        raise InputError(Issue("the scores are an object of criterion id → score", field="scores"))
    issues: list[Issue] = []
    known = {c.id for c in rubric.criteria}
    for name in sorted(set(map(str, body)) - known):
        issues.append(
            Issue(
                f"no criterion {name!r} in rubric {rubric.id} v{rubric.version}",
                field=f"scores.{name}",
            )
        )
    lines: list[dict[str, Any]] = []
    for criterion in rubric.criteria:
        where = f"scores.{criterion.id}"
        given = body.get(criterion.id)
        if not isinstance(given, Mapping):
            issues.append(Issue("every criterion is scored, with a reason", field=where))
            continue
        extra = set(given) - {"score", "reason"}
        if extra:
            issues.append(
                Issue(f"unknown fields: {', '.join(sorted(map(str, extra)))}", field=where)
            )
        score, reason = given.get("score"), given.get("reason")
        if not isinstance(score, int) or isinstance(score, bool):
            issues.append(Issue("a whole number", field=f"{where}.score"))
        elif not criterion.scale_min <= score <= criterion.scale_max:
            issues.append(
                Issue(
                    f"{score} is outside the scale {criterion.scale_min}–{criterion.scale_max}",
                    field=f"{where}.score",
                )
            )
        if not isinstance(reason, str) or not reason.strip():
            issues.append(Issue("a reason is given for every score", field=f"{where}.reason"))
        elif len(reason) > MAX_REASON:
            issues.append(Issue(f"at most {MAX_REASON:,} characters", field=f"{where}.reason"))
        elif not all(c.isprintable() or c in "\n\t" for c in reason):
            issues.append(Issue("no control characters", field=f"{where}.reason"))
        if issues:
            continue
        assert isinstance(score, int)
        assert isinstance(reason, str)
        span = criterion.scale_max - criterion.scale_min
        contribution = criterion.weight * (score - criterion.scale_min) / span
        lines.append(
            {
                "criterion": criterion.id,
                "title": criterion.title,
                "weight": criterion.weight,
                "score": score,
                "scale": [criterion.scale_min, criterion.scale_max],
                "contribution": round(contribution, 4),
                "reason": " ".join(reason.split()),
            }
        )
    if issues:
        raise InputError(issues)
    total = round(sum(line["contribution"] for line in lines), 2)
    return {
        "rubric": {"id": rubric.id, "version": rubric.version},
        "total": total,
        "out_of": WEIGHT_TOTAL,
        "criteria": lines,
        "explanation": "; ".join(
            f"{line['title']}: {line['score']}/{line['scale'][1]} × weight {line['weight']:g} "
            f"= {line['contribution']:g}"
            for line in lines
        )
        + f"; total {total:g} of {WEIGHT_TOTAL:g}",
    }

"""The proposal rubric and the arithmetic of a scorecard (weights out of 100; a criterion
contributes its weight times the score's share of its scale)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from aiexports.core.rubric import Rubric, scorecard
from aiexports.errors import InputError
from aiexports.sources.reference import bundled_rubric


def _rubric(**changes: Any) -> Rubric:
    data: dict[str, Any] = {
        "id": "r",
        "version": 1,
        "title": "t",
        "published": "2026-04-01",
        "summary": "s",
        "criteria": [
            {"id": "a", "title": "A", "question": "?", "weight": 60},
            {
                "id": "b",
                "title": "B",
                "question": "?",
                "weight": 40,
                "scale_min": 1,
                "scale_max": 3,
            },
        ],
    }
    data.update(changes)
    return Rubric.model_validate(data)


def test_contributions_and_total() -> None:
    card = scorecard(
        _rubric(), {"a": {"score": 4, "reason": "r1"}, "b": {"score": 2, "reason": "r2"}}
    )
    assert [line["contribution"] for line in card["criteria"]] == [48.0, 20.0]  # 60×4/5, 40×1/2
    assert card["total"] == 68.0
    assert card["rubric"] == {"id": "r", "version": 1}
    assert "total 68 of 100" in card["explanation"]


def test_the_extremes_of_the_scales_give_0_and_100() -> None:
    low = scorecard(_rubric(), {"a": {"score": 0, "reason": "x"}, "b": {"score": 1, "reason": "x"}})
    high = scorecard(
        _rubric(), {"a": {"score": 5, "reason": "x"}, "b": {"score": 3, "reason": "x"}}
    )
    assert (low["total"], high["total"]) == (0.0, 100.0)


def test_every_criterion_needs_a_score_in_scale_and_a_reason() -> None:
    with pytest.raises(InputError) as caught:
        scorecard(
            _rubric(),
            {"a": {"score": 6, "reason": " "}, "c": {"score": 1, "reason": "x"}},
        )
    fields = sorted(i.field or "" for i in caught.value.issues)
    assert fields == ["scores.a.reason", "scores.a.score", "scores.b", "scores.c"]
    with pytest.raises(InputError):
        scorecard(
            _rubric(), {"a": {"score": True, "reason": "x"}, "b": {"score": 2, "reason": "x"}}
        )


def test_a_rubric_whose_weights_do_not_add_up_to_100_is_refused() -> None:
    with pytest.raises(ValidationError, match="add up to 100"):
        _rubric(criteria=[{"id": "a", "title": "A", "question": "?", "weight": 50}])
    with pytest.raises(ValidationError, match="unique"):
        _rubric(
            criteria=[
                {"id": "a", "title": "A", "question": "?", "weight": 50},
                {"id": "a", "title": "A", "question": "?", "weight": 50},
            ]
        )


def test_the_bundled_rubric_names_the_criteria_the_program_weighs() -> None:
    rubric = bundled_rubric()
    assert {c.id for c in rubric.criteria} == {
        "national_interest",
        "us_content",
        "contested_market",
        "sovereignty",
        "security",
    }
    assert all(c.citations and c.levels for c in rubric.criteria)

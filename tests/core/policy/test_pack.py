"""Policy packs: dated parameters, effective ranges, choosing a pack, reading pack files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aiexports.core.determination import EffectiveRange
from aiexports.core.policy.pack import Dated, PackShelf
from aiexports.errors import InputError
from aiexports.sources.reference import pack_from_file

D = dt.date


def test_dated_value_is_the_last_step_on_or_before_the_date() -> None:
    dated = Dated[int].model_validate(
        [{"value": 1}, {"since": "2026-01-15", "value": 2}, {"since": "2026-06-01", "value": 3}]
    )
    assert dated.at(D(2020, 1, 1)) == 1
    assert dated.at(D(2026, 1, 14)) == 1
    assert dated.at(D(2026, 1, 15)) == 2
    assert dated.at(D(2026, 5, 31)) == 2
    assert dated.at(D(2027, 1, 1)) == 3


@pytest.mark.parametrize(
    "steps",
    [
        [{"since": "2026-01-01", "value": 1}, {"value": 2}],
        [{"value": 1}, {"since": "2026-06-01", "value": 2}, {"since": "2026-01-01", "value": 3}],
        [],
    ],
)
def test_ill_ordered_steps_are_refused(steps: list[dict]) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError
        Dated[int].model_validate(steps)


def test_effective_range_nearest_date() -> None:
    window = EffectiveRange(start=D(2025, 1, 13), end=D(2025, 5, 12))
    assert window.contains(D(2025, 1, 13))
    assert window.contains(D(2025, 5, 12))
    assert not window.contains(D(2025, 5, 13))
    assert window.nearest(D(2026, 11, 26)) == D(2025, 5, 12)
    assert window.nearest(D(2024, 1, 1)) == D(2025, 1, 13)


def test_the_bundled_packs_cover_every_date_once(shelf: PackShelf) -> None:
    day = D(2024, 1, 1)
    while day < D(2027, 1, 1):
        shelf.in_force(day)  # exactly one pack, or it raises
        day += dt.timedelta(days=3)


DRAFT = """id: draft
extends: us-baseline
title: Draft
version: d1
effective: [{start: 2027-01-01, end: null}]
rules: [EMBARGO, PROGRAM_CONDITIONS]
parameters:
  psv_min_accelerators:
    - value: {value}
"""


def test_a_draft_pack_inherits_what_it_does_not_set(tmp_path: Path, shelf: PackShelf) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(DRAFT.replace("{value}", "500"))
    pack = pack_from_file(path)
    assert pack.values_at(D(2027, 2, 1)).psv_min_accelerators == 500
    assert pack.citations["EMBARGO"] == shelf.named("us-baseline").citations["EMBARGO"]
    assert pack.digest
    assert pack.digest != shelf.named("us-baseline").digest


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        (
            lambda t: t.replace("{value}", "lots"),
            9,
            "parameters.psv_min_accelerators[0].value",
            "valid integer",
        ),
        (
            lambda t: t.replace("psv_min_accelerators", "psv_minimum").replace("{value}", "5"),
            8,
            "parameters.psv_minimum",
            "unknown field",
        ),
        (
            lambda t: t.replace("PROGRAM_CONDITIONS]", "NO_SUCH_RULE]").replace("{value}", "5"),
            6,
            "rules[1]",
            "unknown rule 'NO_SUCH_RULE'",
        ),
        (
            lambda t: t.replace("extends: us-baseline", "extends: nothing").replace("{value}", "5"),
            2,
            "extends",
            "extends unknown pack 'nothing'",
        ),
        (
            lambda t: t.replace(
                "[{start: 2027-01-01, end: null}]",
                "[{start: 2027-01-01, end: null}, {start: 2028-01-01, end: null}]",
            ).replace("{value}", "5"),
            None,
            None,
            "effective ranges overlap",
        ),
    ],
)
def test_a_broken_pack_file_names_file_line_and_field(
    change: object, line: int | None, field: str | None, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(change(DRAFT))  # type: ignore[operator]
    with pytest.raises(InputError) as raised:
        pack_from_file(path)
    issue = raised.value.issues[0]
    assert issue.source == str(path)
    assert message in issue.message
    if line is not None:
        assert issue.line == line
    if field is not None:
        assert issue.field == field


def test_a_draft_inherits_the_base_rules_when_it_names_none(
    tmp_path: Path, shelf: PackShelf
) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(
        "id: draft-only-psv\nextends: us-baseline\nparameters:\n"
        "  psv_min_accelerators:\n    - value: 64\n"
    )
    pack = pack_from_file(path)
    base = shelf.named("us-baseline")
    assert pack.rules == base.rules
    assert pack.effective == base.effective
    assert pack.values_at(D(2026, 3, 1)).psv_min_accelerators == 64


def test_a_condition_placeholder_no_rule_fills_is_located(tmp_path: Path) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(
        "id: draft-text\nextends: us-baseline\nconditions:\n"
        "  MON-PSV:\n    text: Verify the {acelerators} accelerators.\n"
    )
    with pytest.raises(InputError) as raised:
        pack_from_file(path)
    issue = raised.value.issues[0]
    assert "{acelerators}" in issue.message
    assert "accelerators" in issue.message  # what the rule does fill in
    assert (issue.source, issue.line, issue.field) == (str(path), 5, "conditions.MON-PSV.text")


def test_a_draft_may_not_take_a_bundled_pack_id(tmp_path: Path) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(
        "extends: us-baseline\nid: us-baseline\nparameters:\n"
        "  psv_min_accelerators:\n    - value: 64\n"
    )
    with pytest.raises(InputError) as raised:
        pack_from_file(path)
    issue = raised.value.issues[0]
    assert (issue.line, issue.field) == (2, "id")
    assert "bundled pack 'us-baseline'" in issue.message

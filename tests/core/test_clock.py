"""The licensing clock against the counting rule written in :mod:`aiexports.core.clock`
(15 CFR 750.4: 90 calendar days; days the application is back with the applicant are not
counted), with fixed times."""

from __future__ import annotations

import datetime as dt

from aiexports.core.clock import TARGET_DAYS, StateChange, licensing_clock

UTC = dt.UTC


def at(day: str, time: str = "12:00", zone: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=zone)


def changes(*steps: tuple[str, str]) -> list[StateChange]:
    return [StateChange(at(day), state) for day, state in steps]


def test_a_draft_has_no_clock() -> None:
    found = licensing_clock(changes(("2026-01-01", "draft")), "draft", None, at("2026-03-01"))
    assert found.submitted_on is None
    assert (found.elapsed_days, found.agency_days, found.days_remaining) == (0, 0, None)
    assert found.holder == "applicant"
    assert not found.running
    assert not found.paused
    assert found.expected_decision is None


def test_the_day_of_submission_is_day_zero_in_utc() -> None:
    history = changes(("2026-01-10", "draft"), ("2026-01-10", "submitted"))
    same_day = licensing_clock(history, "submitted", None, at("2026-01-10", "23:59"))
    next_day = licensing_clock(history, "submitted", None, at("2026-01-11", "00:01"))
    assert same_day.agency_days == 0
    assert next_day.agency_days == 1
    assert same_day.expected_decision == dt.date(2026, 4, 10)  # 90 days after 10 January
    assert next_day.expected_decision == dt.date(2026, 4, 10)


def test_days_are_utc_calendar_days_whatever_the_offset_of_the_times() -> None:
    new_york = dt.timezone(dt.timedelta(hours=-5))
    # 21:30 in New York on 31 January is 02:30 UTC on 1 February.
    history = [StateChange(at("2026-01-31", "21:30", new_york), "submitted")]
    found = licensing_clock(history, "submitted", None, at("2026-02-11"))
    assert found.submitted_on == dt.date(2026, 2, 1)
    assert found.agency_days == 10


def test_days_with_the_applicant_are_not_counted_and_the_clock_resumes() -> None:
    history = changes(
        ("2026-01-01", "submitted"),
        ("2026-01-05", "under_review"),
        ("2026-01-21", "returned_without_action"),  # 20 days with the agency
        ("2026-02-10", "submitted"),  # 20 days with the applicant
    )
    found = licensing_clock(history, "submitted", None, at("2026-03-01"))
    assert found.elapsed_days == 59
    assert found.applicant_days == 20
    assert found.agency_days == 39
    assert found.days_remaining == TARGET_DAYS - 39
    assert found.expected_decision == dt.date(2026, 3, 1) + dt.timedelta(days=51)
    assert [(i.holder, i.start.isoformat(), i.end) for i in found.intervals] == [
        ("agency", "2026-01-01", dt.date(2026, 1, 21)),
        ("applicant", "2026-01-21", dt.date(2026, 2, 10)),
        ("agency", "2026-02-10", None),
    ]


def test_while_returned_the_clock_is_paused_and_the_applicant_holds_it() -> None:
    history = changes(("2026-01-01", "submitted"), ("2026-01-31", "returned_without_action"))
    found = licensing_clock(history, "returned_without_action", None, at("2026-02-20"))
    assert found.paused
    assert not found.running
    assert found.holder == "applicant"
    assert (found.agency_days, found.applicant_days) == (30, 20)
    assert found.expected_decision is None
    later = licensing_clock(history, "returned_without_action", None, at("2026-06-01"))
    assert later.agency_days == 30  # a long wait with the applicant costs the agency nothing


def test_a_return_and_resubmission_on_one_day_pause_nothing() -> None:
    history = changes(
        ("2026-01-01", "submitted"),
        ("2026-01-15", "returned_without_action"),
        ("2026-01-15", "submitted"),
    )
    found = licensing_clock(history, "submitted", None, at("2026-01-31"))
    assert (found.applicant_days, found.agency_days) == (0, 30)


def test_several_rounds_add_up() -> None:
    history = changes(
        ("2026-01-01", "submitted"),
        ("2026-01-11", "returned_without_action"),  # 10 agency
        ("2026-01-16", "submitted"),  # 5 applicant
        ("2026-02-15", "returned_without_action"),  # 30 agency
        ("2026-03-17", "submitted"),  # 30 applicant
    )
    found = licensing_clock(history, "submitted", None, at("2026-03-27"))
    assert (found.applicant_days, found.agency_days) == (35, 50)
    assert found.elapsed_days == 85


def test_a_final_decision_stops_the_clock_on_its_day() -> None:
    history = changes(
        ("2026-01-01", "submitted"),
        ("2026-01-02", "under_review"),
        ("2026-02-15", "approved_with_conditions"),
    )
    found = licensing_clock(history, "approved_with_conditions", None, at("2026-12-01"))
    assert found.stopped_on == dt.date(2026, 2, 15)
    assert found.agency_days == 45
    assert not found.running
    assert not found.overdue
    assert found.holder == "nobody"
    assert found.expected_decision == dt.date(2026, 2, 15)


def test_past_the_target_it_is_overdue_and_expected_today() -> None:
    history = changes(("2026-01-01", "submitted"), ("2026-01-03", "under_review"))
    found = licensing_clock(history, "under_review", "usr_1", at("2026-04-06"))
    assert found.agency_days == 95
    assert found.overdue
    assert found.days_remaining == -5
    assert found.expected_decision == dt.date(2026, 4, 6)
    assert (found.holder, found.held_by) == ("officer", "usr_1")


def test_the_ninetieth_day_is_still_within_the_target() -> None:
    history = changes(("2026-01-01", "submitted"))
    found = licensing_clock(history, "submitted", None, at("2026-04-01"))
    assert found.agency_days == 90
    assert not found.overdue
    assert found.days_remaining == 0


def test_the_queue_puts_the_fewest_days_left_first() -> None:
    now = at("2026-04-01")
    old = licensing_clock(changes(("2026-01-01", "submitted")), "submitted", None, now)
    paused_long = licensing_clock(
        changes(
            ("2025-12-01", "submitted"),
            ("2025-12-11", "returned_without_action"),
            ("2026-03-01", "submitted"),
        ),
        "submitted",
        None,
        now,
    )
    fresh = licensing_clock(changes(("2026-03-30", "submitted")), "submitted", None, now)
    ordered = sorted([fresh, paused_long, old], key=lambda c: c.urgency())
    # Submitted first but paused 80 days: 41 agency days, less urgent than 90.
    assert [c.agency_days for c in ordered] == [90, 41, 2]

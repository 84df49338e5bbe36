"""The quarterly inspection's pure rules: quarters in China time, and what makes an
inspection's record inconsistent."""

import datetime as dt

import pytest

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.credit import RecordedKind
from agencyflow.domain.inspections import (
    Checklist,
    InspectionDecisions,
    RectificationOrder,
    decision_violations,
    next_quarter,
    previous_quarter,
    quarter_bounds,
    quarter_of,
)

TODAY = dt.date(2026, 11, 20)
QUARTER_START = dt.date(2026, 10, 1)


def checklist(**failed: bool) -> Checklist:
    answers = dict.fromkeys(Checklist.model_fields, True)
    answers.update(failed)
    return Checklist.model_validate(answers)


def codes(checked: Checklist, decisions: InspectionDecisions, on: dt.date = TODAY) -> list[str]:
    return [v.code for v in decision_violations(checked, decisions, on, QUARTER_START, TODAY)]


def test_quarters_run_in_china_time_and_follow_each_other() -> None:
    assert quarter_of(dt.date(2026, 12, 31)) == "2026Q4"
    assert quarter_of(dt.date(2027, 1, 1)) == "2027Q1"
    assert quarter_bounds("2026Q4") == (
        dt.datetime(2026, 10, 1, tzinfo=CHINA_TZ),
        dt.datetime(2027, 1, 1, tzinfo=CHINA_TZ),
    )
    assert next_quarter("2026Q4") == "2027Q1" and previous_quarter("2027Q1") == "2026Q4"
    with pytest.raises(ValueError):
        quarter_bounds("2026Q5")


def test_a_consistent_inspection_has_no_violations() -> None:
    decisions = InspectionDecisions(
        rectification=RectificationOrder(deadline=dt.date(2026, 12, 20), requirements="补齐档案"),
        credit=[RecordedKind.AFFILIATION],
    )
    assert codes(checklist(archives=False, no_affiliation=False), decisions) == []


def test_nothing_to_rectify_when_every_item_conforms() -> None:
    order = RectificationOrder(deadline=dt.date(2026, 12, 20), requirements="x")
    assert codes(checklist(), InspectionDecisions(rectification=order)) == [
        "inspection.nothing_to_rectify"
    ]


def test_a_deadline_must_lie_ahead() -> None:
    order = RectificationOrder(deadline=TODAY, requirements="x")
    assert codes(checklist(archives=False), InspectionDecisions(rectification=order)) == [
        "inspection.deadline_passed"
    ]


def test_a_veto_needs_its_checklist_item_failed() -> None:
    for kind, item in (
        (RecordedKind.AFFILIATION, "no_affiliation"),
        (RecordedKind.SUBCONTRACTING, "no_subcontracting"),
        (RecordedKind.FALSE_REPORT, "no_false_reports"),
    ):
        decisions = InspectionDecisions(credit=[kind])
        assert codes(checklist(), decisions) == ["inspection.veto_unfounded"]
        assert codes(checklist(**{item: False}), decisions) == []


def test_dates_outside_the_quarter_or_ahead_of_today_are_refused() -> None:
    none = InspectionDecisions()
    assert codes(checklist(), none, TODAY + dt.timedelta(days=1)) == ["inspection.future"]
    assert codes(checklist(), none, dt.date(2026, 9, 30)) == ["inspection.before_quarter"]


def test_a_credit_kind_once_per_inspection() -> None:
    decisions = InspectionDecisions(
        credit=[RecordedKind.WORK_BEYOND_SCOPE, RecordedKind.WORK_BEYOND_SCOPE]
    )
    assert codes(checklist(), decisions) == ["inspection.credit_repeated"]

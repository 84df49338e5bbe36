"""Credit rules at every boundary: the window, the score, the grade, the next change (R8)."""

import datetime as dt

import pytest

from agencyflow.config.policy import Policy
from agencyflow.domain.credit import (
    CreditGrade,
    RecordedKind,
    add_months,
    counts,
    counts_until,
    deduction,
    first_expiry,
    grade,
    score,
    standing,
)
from agencyflow.domain.project import CreditEvent

RULES = Policy().credit_rules()
AT = dt.datetime(2026, 1, 31, 9, 30, tzinfo=dt.UTC)


def _event(
    points: int | None, at: dt.datetime = AT, kind: str = "x", **details: int
) -> CreditEvent:
    return CreditEvent(
        agency_uscc="A",
        source=f"s/{at}/{points}",
        kind=kind,
        occurred_at=at,
        points=points,
        details=dict(details),
    )


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (
            dt.datetime(2026, 1, 31, 9, 30, tzinfo=dt.UTC),
            1,
            dt.datetime(2026, 2, 28, 9, 30, tzinfo=dt.UTC),
        ),
        (dt.datetime(2027, 12, 31, tzinfo=dt.UTC), 2, dt.datetime(2028, 2, 29, tzinfo=dt.UTC)),
        (dt.datetime(2026, 11, 15, tzinfo=dt.UTC), 12, dt.datetime(2027, 11, 15, tzinfo=dt.UTC)),
        (dt.datetime(2026, 12, 1, tzinfo=dt.UTC), 1, dt.datetime(2027, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_months_are_calendar_months(
    moment: dt.datetime, months: int, expected: dt.datetime
) -> None:
    assert add_months(moment, months) == expected


def test_an_event_counts_for_twelve_months_from_when_it_occurred() -> None:
    event = _event(5)
    end = counts_until(event, RULES)
    assert end == dt.datetime(2027, 1, 31, 9, 30, tzinfo=dt.UTC)
    assert not counts(event, AT - dt.timedelta(microseconds=1), RULES)
    assert counts(event, AT, RULES)
    assert counts(event, end - dt.timedelta(microseconds=1), RULES)
    assert not counts(event, end, RULES)
    window = Policy(credit_window_months=6).credit_rules()
    assert counts_until(event, window) == dt.datetime(2026, 7, 31, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        (100, CreditGrade.A),
        (90, CreditGrade.A),
        (89, CreditGrade.B),
        (80, CreditGrade.B),
        (79, CreditGrade.C),
        (70, CreditGrade.C),
        (69, CreditGrade.D),
        (-5, CreditGrade.D),
    ],
)
def test_grade_thresholds(points: int, expected: CreditGrade) -> None:
    assert grade(points, RULES) is expected


def test_grade_thresholds_follow_the_policy() -> None:
    strict = Policy(credit_grade_a_min=95, credit_grade_b_min=85, credit_grade_c_min=75)
    assert grade(94, strict.credit_rules()) is CreditGrade.B
    assert grade(74, strict.credit_rules()) is CreditGrade.D


def test_score_is_the_initial_less_what_counts() -> None:
    later = AT + dt.timedelta(days=200)
    events = [_event(5), _event(10, later), _event(2, later + dt.timedelta(days=1))]
    assert score(events, later, RULES) == 100 - 5 - 10
    assert score(events, counts_until(events[0], RULES), RULES) == 100 - 10 - 2
    assert grade(score(events, later + dt.timedelta(days=1), RULES), RULES) is CreditGrade.B
    assert score([_event(10)] * 11, AT, RULES) == -10


def test_events_written_before_their_points_were_settled_count_by_their_kind() -> None:
    assert deduction(_event(None, kind="report.late", days_late=59), RULES) == 2
    assert deduction(_event(None, kind="report.late", days_late=60), RULES) == 5
    assert deduction(_event(None, kind="spot_check.failed"), RULES) == 5
    assert deduction(_event(None, kind="unknown"), RULES) == 0
    assert deduction(_event(0, kind="major_hazard.reported_late"), RULES) == 0


def test_the_first_expiry_is_when_the_first_event_stops_counting() -> None:
    later = AT + dt.timedelta(days=40)
    events = [_event(5, later), _event(0), _event(2, later)]
    assert first_expiry(events, RULES) == counts_until(events[1], RULES)
    assert first_expiry([], RULES) is None


def test_a_veto_makes_the_grade_d_whatever_the_score_while_it_counts() -> None:
    veto = _event(None, kind="affiliation")
    assert deduction(veto, RULES) == 0
    assert standing([veto], AT, RULES) == (100, CreditGrade.D)
    assert standing([veto], counts_until(veto, RULES), RULES) == (100, CreditGrade.A)
    assert standing([_event(5)], AT, RULES) == (95, CreditGrade.A)
    assert {kind.value for kind in RecordedKind if kind.is_veto} == {
        "false_report",
        "affiliation",
        "subcontracting",
    }

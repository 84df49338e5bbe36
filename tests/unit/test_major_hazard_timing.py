"""The 2-hour rule's pure parts: when a hazard may say it was found, and how late it came."""

import datetime as dt

from agencyflow.config.policy import Policy
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.hazard import HazardReport
from agencyflow.domain.hazard_rules import CLOCK_SKEW, discovered_in_visit, report_delay
from agencyflow.domain.project import ProjectRequest
from agencyflow.workflows.hazard.found import new_hazard
from agencyflow.workflows.steps import Context
from tests.factories import hazard, project_request
from tests.workflows.agency_helpers import agency_actor

VISIT = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 21, 12, tzinfo=CHINA_TZ)
DEFAULT = Policy()


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), CHINA_TZ)


def test_a_hazard_is_found_on_its_visit_day_or_the_night_after_and_never_ahead() -> None:
    assert discovered_in_visit(_at(VISIT, 0), VISIT, NOW)
    assert discovered_in_visit(_at(VISIT + dt.timedelta(days=1), 1), VISIT, NOW)
    assert not discovered_in_visit(_at(VISIT - dt.timedelta(days=1), 23), VISIT, NOW)
    assert not discovered_in_visit(_at(VISIT + dt.timedelta(days=2), 1), VISIT, NOW)
    # A device's clock a little ahead of ours is its error; further ahead is the future.
    day_after = VISIT + dt.timedelta(days=1)
    assert discovered_in_visit(NOW + CLOCK_SKEW, day_after, NOW)
    assert not discovered_in_visit(NOW + CLOCK_SKEW + dt.timedelta(seconds=1), day_after, NOW)
    # The day is China's: 23:30 UTC on the 19th is 07:30 on the 20th in Lishui.
    assert discovered_in_visit(dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.UTC), VISIT, NOW)


def _major(found: dt.datetime, policy: Policy = DEFAULT) -> tuple[bool, list[int | None]]:
    report = HazardReport.model_validate(hazard(level="major", discovered_at=found.isoformat()))
    made = new_hazard(
        "P-h1",
        report,
        project_id="P",
        agency_uscc="A",
        request=ProjectRequest.model_validate(project_request()),
        visit_id="v1",
        actor=agency_actor(1),
        ctx=Context(now=NOW, policy=policy),
    )
    assert made.record.major is not None
    assert made.record.major.reported_after == report_delay(report, NOW)
    return made.record.major.reported_late, [e.points for e in made.credit_events]


def test_two_hours_after_discovery_is_in_time_a_minute_more_is_late() -> None:
    assert _major(NOW - dt.timedelta(hours=2)) == (False, [])
    assert _major(NOW - dt.timedelta(hours=2, minutes=1)) == (True, [0])


def test_the_late_report_costs_what_the_policy_says() -> None:
    deductions = Policy().credit_deductions.model_copy(update={"major_hazard_reported_late": 3})
    strict = Policy(major_hazard_report_within=dt.timedelta(hours=1), credit_deductions=deductions)
    assert _major(NOW - dt.timedelta(minutes=90), strict) == (True, [3])

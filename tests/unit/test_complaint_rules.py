"""Complaints' pure rules (issue 13, acceptance): the reward at its bounds, and routing."""

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from agencyflow.config.policy import Policy
from agencyflow.domain.complaints import (
    Report,
    first_reporter,
    handling_county,
    may_handle,
    reward_for,
)
from agencyflow.domain.identity import Actor, Role

RULES = Policy().reward_rules()


@pytest.mark.parametrize(
    ("fine", "reward", "bound"),
    [
        ("0", "3000.00", "min"),  # a true report earns the minimum, fine or not
        ("19999.99", "3000.00", None),  # 15 % is 2,999.9985: 3,000.00 once rounded to the fen
        ("19999.9", "3000.00", "min"),  # 2,999.985 → 2,999.99: raised to the minimum
        ("20000", "3000.00", None),  # exactly the minimum, by the share
        ("20001", "3000.15", None),
        ("1000000", "150000.00", None),
        ("3333333.33", "500000.00", None),  # 15 % rounds to exactly the maximum
        ("3333340", "500000.00", "max"),
        ("100000000", "500000.00", "max"),
    ],
)
def test_the_reward_is_the_share_of_the_fine_within_its_bounds(
    fine: str, reward: str, bound: str | None
) -> None:
    computed = reward_for(Decimal(fine), RULES)
    assert computed.reward_yuan == Decimal(reward)
    assert computed.bound == bound
    assert (computed.share_percent, computed.min_yuan, computed.max_yuan) == (15, 3000, 500_000)


def test_the_national_cap_is_a_policy_setting() -> None:
    national = Policy(complaint_reward_max_yuan=300_000).reward_rules()
    assert reward_for(Decimal("10000000"), national).reward_yuan == Decimal("300000.00")
    with pytest.raises(ValidationError):
        Policy(complaint_reward_min_yuan=5_000, complaint_reward_max_yuan=4_000)


def test_a_negative_fine_is_refused() -> None:
    with pytest.raises(ValueError):
        reward_for(Decimal("-1"), RULES)


def test_a_complaint_goes_where_the_agency_worked() -> None:
    assert handling_county("331121", "331102") == "331121"  # the enterprise's county
    assert handling_county(None, "331102") == "331102"  # else the agency's own
    assert handling_county(None, None) is None  # an out-of-town agency: the city


def test_only_the_handling_office_handles_a_complaint() -> None:
    county = Actor(user_id=1, name="莲都", role=Role.COUNTY_REGULATOR, county_code="331102")
    other = Actor(user_id=2, name="龙泉", role=Role.COUNTY_REGULATOR, county_code="331181")
    city = Actor(user_id=3, name="市局", role=Role.CITY_REGULATOR)
    agency = Actor(user_id=4, name="机构", role=Role.AGENCY, agency_uscc="91331102MA00010049")
    assert may_handle(county, "331102") and may_handle(city, "331102")
    assert not may_handle(other, "331102") and not may_handle(agency, "331102")
    assert may_handle(city, None)  # the city's own complaints
    assert not may_handle(county, None)


def test_the_first_report_filed_keeps_the_reward_anonymous_or_not() -> None:
    at = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    reports = [
        Report(code="JBB", filed_at=at + dt.timedelta(hours=1), reporter_ref="r-named"),
        Report(code="JBA", filed_at=at),  # anonymous, but first
        Report(code="JBC", filed_at=at),  # as early: the code decides, so the rule is total
    ]
    assert first_reporter(reports).code == "JBA"
    assert first_reporter(reports[:1]).code == "JBB"

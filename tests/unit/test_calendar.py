import datetime as dt

import pytest

from agencyflow.domain.calendar import (
    CHINA_TZ,
    add_working_days,
    is_working_day,
    working_days_deadline,
)


def test_national_day_2026_holiday_and_its_swapped_working_weekends() -> None:
    # 2026: 1–7 October off; Sunday 20 September and Saturday 10 October are worked (调休).
    assert is_working_day(dt.date(2026, 9, 20))
    assert is_working_day(dt.date(2026, 10, 10))
    for day in range(1, 8):
        assert not is_working_day(dt.date(2026, 10, day))
    assert not is_working_day(dt.date(2026, 10, 11))  # an ordinary Sunday


def test_adding_working_days_across_national_day_counts_the_swapped_saturday() -> None:
    # From Wednesday 30 September: 8 (Thu), 9 (Fri), 10 (swapped Sat), 12 (Mon), 13 (Tue).
    assert add_working_days(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 13)


def test_adding_working_days_across_spring_festival_2026() -> None:
    # 15–23 February off; Saturday 14 and Saturday 28 February worked.
    assert add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 14)
    assert add_working_days(dt.date(2026, 2, 14), 1) == dt.date(2026, 2, 24)


def test_zero_working_days_is_the_start_and_negative_is_refused() -> None:
    assert add_working_days(dt.date(2026, 10, 3), 0) == dt.date(2026, 10, 3)
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 10, 3), -1)


def test_deadline_ends_at_china_midnight_after_the_last_working_day() -> None:
    # Filed at 17:00 UTC on 29 September, which is already the 30th in China.
    filed = dt.datetime(2026, 9, 29, 17, 0, tzinfo=dt.UTC)
    deadline = working_days_deadline(filed, 5)
    assert deadline == dt.datetime(2026, 10, 14, tzinfo=CHINA_TZ)


def test_deadline_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        working_days_deadline(dt.datetime(2026, 9, 30), 5)  # noqa: DTZ001


def test_a_year_beyond_the_published_schedules_still_skips_statutory_holidays() -> None:
    # chinese_calendar knows years up to those the State Council has published; later
    # years fall back to weekdays minus the statutory holidays.
    assert not is_working_day(dt.date(2030, 1, 1))  # New Year's Day, a Tuesday
    assert is_working_day(dt.date(2030, 1, 2))
    assert not is_working_day(dt.date(2030, 1, 5))  # a Saturday

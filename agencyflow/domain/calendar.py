"""China's working-day calendar (工作日), official holidays and swapped weekends (调休) included.

Policies such as "the county regulator acts within 5 working days" count on this one
calendar. The State Council publishes each year's schedule late in the year before;
`chinese_calendar` carries the published years. For a year it does not know yet we
fall back to weekdays minus the statutory holidays of the `holidays` package, which
misses only that year's swapped working weekends: a deadline may then fall a day
later, never earlier, than the official one.
"""

import datetime as dt
from functools import cache

import chinese_calendar
import holidays
from pydantic import BaseModel

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time. China has no daylight saving, so a fixed offset is exact."""


@cache
def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after the day, China time: a deadline "by" that day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CHINA_TZ)


def _statutory_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("CN", years=year))


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day in mainland China."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and day not in _statutory_holidays(day.year)


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_deadline(start: dt.datetime, count: int) -> dt.datetime:
    """When a "within ``count`` working days" period that began at ``start`` ends.

    The period ends at midnight China time after the ``count``-th working day following
    the day of ``start``, so a filing received on a Friday afternoon gets the full days.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    local_day = start.astimezone(CHINA_TZ).date()
    last_day = add_working_days(local_day, count)
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), CHINA_TZ)


class WorkingDaysDeadline(BaseModel):
    """A request for `working_days_deadline`, as workflows send it to their local activity."""

    start: dt.datetime
    working_days: int

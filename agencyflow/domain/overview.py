"""概览: a jurisdiction's numbers at a glance, and their trend by month (R16)."""

import datetime as dt
from collections.abc import Mapping

from pydantic import BaseModel

from .calendar import CHINA_TZ
from .hazard_rules import HazardCounts


class CountyFigures(BaseModel):
    county_code: str
    open_projects: int
    overdue_reports: int
    hazards_found: int
    open_hazards: int
    overdue_hazards: int
    unacknowledged_major: int
    rectification_rate: float
    """Rectified over found; 1.0 where nothing was found."""


class MonthFigures(BaseModel):
    month: str
    """``2026-11``, in China time."""
    projects_started: int
    hazards_found: int
    hazards_rectified: int


class Overview(BaseModel):
    counties: list[CountyFigures]
    months: list[MonthFigures]


def county_figures(
    county_code: str,
    open_projects: int,
    overdue_reports: int,
    counts: HazardCounts,
    unacknowledged: int,
) -> CountyFigures:
    return CountyFigures(
        county_code=county_code,
        open_projects=open_projects,
        overdue_reports=overdue_reports,
        hazards_found=counts.found,
        open_hazards=counts.open,
        overdue_hazards=counts.overdue,
        unacknowledged_major=unacknowledged,
        rectification_rate=counts.rectification_rate,
    )


def months_back(now: dt.datetime, months: int) -> list[str]:
    """The last ``months`` months up to ``now``'s, oldest first, as ``YYYY-MM``."""
    local = now.astimezone(CHINA_TZ)
    year, month = local.year, local.month
    found = []
    for _ in range(months):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


def monthly(
    months: list[str],
    started: Mapping[str, int],
    found: Mapping[str, int],
    rectified: Mapping[str, int],
) -> list[MonthFigures]:
    """Projects started, hazards found and hazards rectified in each of ``months``, from
    counts by ``YYYY-MM`` in China time (a month with none is 0)."""
    return [
        MonthFigures(
            month=month,
            projects_started=started.get(month, 0),
            hazards_found=found.get(month, 0),
            hazards_rectified=rectified.get(month, 0),
        )
        for month in months
    ]

"""``/overview``: the regulators' numbers per county and their trend by month (R16)."""

import datetime as dt
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query

from agencyflow.api.deps import EngineDep, Regulator, own_county
from agencyflow.api.params import CountyQuery
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.hazard_rules import HazardCounts
from agencyflow.domain.overview import Overview, county_figures, monthly, months_back
from agencyflow.domain.regions import JURISDICTIONS
from agencyflow.store import hazard_lists, projects

router = APIRouter(prefix="/overview", tags=["overview"])


@router.get("", name="overview.show")
async def overview(
    actor: Regulator,
    engine: EngineDep,
    county: CountyQuery = None,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> Overview:
    """Per county: open projects, overdue reports, open and overdue hazards, major hazards not
    yet acknowledged, the rectification rate; and by month: projects filed, hazards found
    and rectified. A county regulator sees its own county."""
    county = own_county(actor, county)
    now = dt.datetime.now(dt.UTC)
    shown = months_back(now, months)
    first = dt.datetime.fromisoformat(f"{shown[0]}-01").replace(tzinfo=CHINA_TZ)

    def read() -> Overview:
        counted = {c.county_code: c for c in projects.county_counts(engine, county)}
        tallied = hazard_lists.by_county(engine, now, county)
        nothing = (HazardCounts.tallied(0, 0, 0, 0, 0), 0)
        codes = [j.code for j in JURISDICTIONS if county in (None, j.code)]
        figures = [
            county_figures(
                code,
                counted[code].open if code in counted else 0,
                counted[code].overdue if code in counted else 0,
                *tallied.get(code, nothing),
            )
            for code in codes
        ]
        started = projects.started_by_month(engine, county, first)
        found, closed = hazard_lists.found_and_closed_by_month(engine, county, first)
        return Overview(counties=figures, months=monthly(shown, started, found, closed))

    return await anyio.to_thread.run_sync(read)

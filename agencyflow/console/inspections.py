"""季度检查: each county's quarterly full-coverage inspection, its coverage, and one
agency's inspection page with the forms to record it and re-check its rectification."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from agencyflow.api.params import Offset, UsccPath
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.credit import RecordedKind
from agencyflow.domain.inspections import (
    QUARTER,
    ChecklistItem,
    InterviewDecision,
    previous_quarter,
    quarter_of,
)

from .projects import COUNTIES
from .web import SignedIn, api_get, list_page, render

router = APIRouter(prefix="/console/inspections", include_in_schema=False)

PAGE = 50
CHOICES = {
    "checklist": ChecklistItem.choices(),
    "interviews": InterviewDecision.choices(),
    "credit": RecordedKind.choices(),
    "counties": COUNTIES,
    "statuses": {
        "pending": "待检查",
        "overdue": "逾期未检查",
        "done": "已检查",
        "rectifying": "整改中",
    },
    "conforming": {"true": "符合", "false": "不符合"},
}
QuarterQuery = Annotated[str | None, Query(max_length=6, pattern=QUARTER.pattern)]


def recent_quarters(count: int = 4) -> list[str]:
    found = [quarter_of(dt.datetime.now(CHINA_TZ).date())]
    while len(found) < count:
        found.append(previous_quarter(found[-1]))
    return found


@router.get("", name="console.inspections")
async def inspection_list(
    request: Request,
    who: SignedIn,
    quarter: QuarterQuery = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    chosen = quarter or recent_quarters()[0]
    coverage = (
        await api_get(request, "/inspections/coverage", {"quarter": chosen})
        if who.actor.role.is_regulator
        else []
    )
    return await list_page(
        request,
        who,
        "inspections.html",
        "/inspections",
        {"quarter": chosen, "status": status},
        limit=PAGE,
        offset=offset,
        quarter=chosen,
        quarters=recent_quarters(),
        coverage=coverage,
        choices=CHOICES,
    )


@router.get("/{county}/{quarter}/{uscc}", name="console.inspection")
async def inspection_page(
    request: Request,
    county: Annotated[str, Path(max_length=6, pattern=r"^\d{6}$")],
    quarter: Annotated[str, Path(max_length=6, pattern=QUARTER.pattern)],
    uscc: UsccPath,
    who: SignedIn,
) -> HTMLResponse:
    shown = await api_get(request, f"/inspections/{county}/{quarter}/{uscc}")
    task = shown["task"]
    regulator = who.actor.role.is_regulator
    rectification = task.get("rectification")
    may = set()
    if regulator and task["result"] is None:
        may.add("inspect")
    if regulator and rectification and not rectification["closed"]:
        may.add("recheck")
    return render(
        request,
        "inspection.html",
        who,
        shown=shown,
        c=shown["campaign"],
        t=task,
        r=task["result"],
        may=may,
        today=dt.datetime.now(CHINA_TZ).date().isoformat(),
        choices=CHOICES,
    )

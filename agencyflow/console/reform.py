"""改革任务: each county's reform programme (R1, R15): the programmes in reach and the tasks
late and not closed out; a programme's page with its service-type list, its task list with
owners (责任清单), evidence and sign-off (销号清单), and the forms the viewer may use."""

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from agencyflow.api.routes.reform import CountyPath, YearPath
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.domain.reform import TaskStatus
from agencyflow.domain.service_types import ServiceType

from .projects import COUNTIES
from .web import SignedIn, api_get, render

router = APIRouter(prefix="/console/reform", include_in_schema=False)

CHOICES = {
    "service_types": ServiceType.choices(),
    "statuses": TaskStatus.choices(),
    "counties": COUNTIES,
    "sign_off": {"true": "同意销号", "false": "退回补充材料"},
}


def _this_year() -> int:
    return dt.datetime.now(CHINA_TZ).year


@router.get("", name="console.reform")
async def reform_list(request: Request, who: SignedIn) -> HTMLResponse:
    programmes = await api_get(request, "/reform")
    late = await api_get(request, "/reform/tasks", {"overdue": "true", "limit": 100})
    year = _this_year()
    # Where a regulator may open this year's programme by hand (before the Schedule has).
    counties = [who.actor.county_code] if who.actor.county_code else list(COUNTIES)
    opened = {(p["county_code"], p["year"]) for p in programmes}
    may_open = (
        [c for c in counties if (c, year) not in opened] if who.actor.role.is_regulator else []
    )
    return render(
        request,
        "reform.html",
        who,
        programmes=programmes,
        late=late,
        year=year,
        may_open=may_open,
        choices=CHOICES,
    )


@router.get("/{county_code}/{year}", name="console.reform_programme")
async def reform_page(
    request: Request, county_code: CountyPath, year: YearPath, who: SignedIn
) -> HTMLResponse:
    shown = await api_get(request, f"/reform/{county_code}/{year}")
    role = who.actor.role
    running = not shown["finished"] and role.is_regulator
    now = dt.datetime.now(dt.UTC)
    tasks: list[dict[str, Any]] = [
        {
            **task,
            "late": task["status"] != "closed" and dt.datetime.fromisoformat(task["due_at"]) < now,
            "may": _may(task, running, role),
        }
        for task in shown["tasks"]
    ]
    rows = shown["types"]["types"]
    return render(
        request,
        "reform_programme.html",
        who,
        shown=shown,
        tasks=tasks,
        rows=rows,
        may_edit_types=running,
        choices=CHOICES,
    )


def _may(task: dict[str, Any], running: bool, role: Role) -> set[str]:
    if not running or task["status"] == "closed":
        return set()
    may = {"owner"}
    if task["status"] == "open":
        may.add("evidence")
    if task["status"] == "submitted" and role is Role.CITY_REGULATOR:
        may.add("sign_off")
    return may

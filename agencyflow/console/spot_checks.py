"""抽查: the half year's sample per county with its coverage, and a check's page."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from agencyflow.api.params import Offset, ProjectIdPath
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.project import FailureReason, SpotCheckVerdict
from agencyflow.domain.sampling import PERIOD
from agencyflow.domain.service_types import ServiceType
from agencyflow.domain.spot_checks import SpotCheckOrigin

from .projects import COUNTIES
from .web import SignedIn, api_get, render

router = APIRouter(prefix="/console/spot-checks", include_in_schema=False)

PAGE = 20
CHOICES = {
    "verdicts": SpotCheckVerdict.choices(),
    "failure_reasons": FailureReason.choices(),
    "origins": SpotCheckOrigin.choices(),
    "service_types": ServiceType.choices(),
    "counties": COUNTIES,
}


def current_half_year() -> str:
    today = dt.datetime.now(CHINA_TZ).date()
    return f"{today.year}H{1 if today.month < 7 else 2}"


def recent_half_years(count: int = 4) -> list[str]:
    year, half = map(int, current_half_year().split("H"))
    found = []
    for _ in range(count):
        found.append(f"{year}H{half}")
        year, half = (year - 1, 2) if half == 1 else (year, 1)
    return found


@router.get("", name="console.spot_checks")
async def spot_check_list(
    request: Request,
    who: SignedIn,
    period: Annotated[str | None, Query(max_length=6, pattern=PERIOD.pattern)] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    chosen = period or recent_half_years()[1]  # the half year sampled last
    coverage = await api_get(request, "/spot-checks/coverage", {"period": chosen})
    found = await api_get(
        request, "/spot-checks", {"period": chosen, "limit": PAGE, "offset": offset}
    )
    return render(
        request,
        "spot_checks.html",
        who,
        period=chosen,
        periods=recent_half_years(),
        coverage=coverage,
        page=found,
        limit=PAGE,
        offset=offset,
        choices=CHOICES,
    )


@router.get("/{pid}", name="console.spot_check")
async def spot_check_page(request: Request, pid: ProjectIdPath, who: SignedIn) -> HTMLResponse:
    shown = await api_get(request, f"/spot-checks/{pid}")
    progress = shown["progress"]
    regulator = who.actor.role.is_regulator
    may = {"examine", "decide"} if progress["verdict"] is None and regulator else set()
    if regulator and progress.get("rectify_by") and not progress.get("rectified_at"):
        may.add("confirm")
    return render(
        request,
        "spot_check.html",
        who,
        shown=shown,
        s=shown["subject"],
        p=progress,
        may=may,
        choices=CHOICES,
    )

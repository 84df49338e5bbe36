"""机构, 一企一档 and 概览: the registers regulators keep and the numbers they watch."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agencyflow.api.params import CountyQuery, Offset, UsccPath
from agencyflow.domain.agency import AgencyStatus
from agencyflow.domain.credit import CreditGrade
from agencyflow.domain.identity import Role

from .charts import bars, columns
from .projects import COUNTIES
from .web import SignedIn, api_get, list_page, render

router = APIRouter(prefix="/console", include_in_schema=False)

PAGE = 20


@router.get("/agencies", name="console.agencies")
async def agency_list(
    request: Request,
    who: SignedIn,
    county: CountyQuery = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    grade: Annotated[str | None, Query(max_length=1)] = None,
    offset: Offset = 0,
) -> Response:
    if who.actor.role is Role.AGENCY and who.actor.agency_uscc:
        # An agency's register is itself.
        return RedirectResponse(
            request.url_for("console.agency", uscc=who.actor.agency_uscc), status_code=303
        )
    filters = {"county": county, "status": status, "grade": grade}
    return await list_page(
        request,
        who,
        "agencies.html",
        "/agencies",
        filters,
        limit=PAGE,
        offset=offset,
        statuses=AgencyStatus.choices(),
        grades=CreditGrade.choices(),
        counties=COUNTIES,
    )


@router.get("/agencies/{uscc}", name="console.agency")
async def agency_page(request: Request, uscc: UsccPath, who: SignedIn) -> HTMLResponse:
    agency = await api_get(request, f"/agencies/{uscc}")
    credit = await api_get(request, f"/agencies/{uscc}/credit")
    reviewing = who.actor.role.is_regulator and agency["status"] == AgencyStatus.PENDING_REVIEW
    return render(
        request,
        "agency.html",
        who,
        a=agency,
        shown=agency,
        credit=credit,
        reviewing=reviewing,
        counties=COUNTIES,
    )


@router.get("/enterprises", name="console.enterprise_search")
async def enterprise_search(
    request: Request, who: SignedIn, uscc: Annotated[str, Query(max_length=32)] = ""
) -> Response:
    return RedirectResponse(request.url_for("console.enterprise", uscc=uscc.strip() or "-"), 303)


@router.get("/enterprises/{uscc}", name="console.enterprise")
async def enterprise_page(request: Request, uscc: UsccPath, who: SignedIn) -> HTMLResponse:
    """一企一档: the enterprise's projects and its hazard ledger, with the downloads."""
    file = await api_get(request, f"/enterprises/{uscc}/file")
    ledger = await api_get(request, f"/enterprises/{uscc}/ledger")
    return render(request, "enterprise.html", who, file=file, ledger=ledger, counties=COUNTIES)


@router.get("/overview", name="console.overview")
async def overview_page(request: Request, who: SignedIn) -> HTMLResponse:
    figures = await api_get(request, "/overview")
    counties = figures["counties"]
    months = figures["months"]
    hazards_chart = bars(
        [(COUNTIES[c["county_code"]], [c["open_hazards"], c["overdue_hazards"]]) for c in counties],
        ["整改中隐患", "逾期隐患"],
    )
    projects_chart = bars(
        [
            (COUNTIES[c["county_code"]], [c["open_projects"], c["overdue_reports"]])
            for c in counties
        ],
        ["在办项目", "报告逾期"],
    )
    trend = columns(
        [m["month"] for m in months],
        [[m["projects_started"], m["hazards_found"], m["hazards_rectified"]] for m in months],
        ["新备案项目", "发现隐患", "整改销号"],
    )
    return render(
        request,
        "overview.html",
        who,
        counties=counties,
        months=months,
        names=COUNTIES,
        hazards_chart=hazards_chart,
        projects_chart=projects_chart,
        trend=trend,
    )


@router.get("/verifications", name="console.verifications")
async def verification_due_page(
    request: Request, who: SignedIn, offset: Offset = 0
) -> HTMLResponse:
    """现场核查: who is left to verify on site this round (R9)."""
    return await list_page(
        request,
        who,
        "verifications.html",
        "/verifications/due",
        {},
        limit=PAGE,
        offset=offset,
        statuses=AgencyStatus.choices(),
        counties=COUNTIES,
    )

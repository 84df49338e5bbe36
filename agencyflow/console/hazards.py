"""隐患: the list with its counts, the board of major hazards, and a hazard's page."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from agencyflow.api.params import CountyQuery, HazardIdPath, Offset
from agencyflow.domain.hazard import HazardLevel, HazardStatus, ReinspectionOutcome
from agencyflow.domain.identity import Role

from .projects import COUNTIES
from .web import SignedIn, Viewer, api_get, list_page, render

router = APIRouter(prefix="/console/hazards", include_in_schema=False)

PAGE = 50
"""Hazards a list page shows; the counts above it are of all of them."""
BOARD = 500
"""Open major hazards the board shows at most, of each status."""
CHOICES = {
    "levels": HazardLevel.choices(),
    "statuses": HazardStatus.choices(),
    "outcomes": ReinspectionOutcome.choices(),
    "verdicts": {"true": "整改合格，销号", "false": "不合格，退回整改"},
    "counties": COUNTIES,
}


@router.get("", name="console.hazards")
async def hazard_list(
    request: Request,
    who: SignedIn,
    county: CountyQuery = None,
    level: Annotated[str | None, Query(max_length=20)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    filters = {"county": county, "level": level, "status": status}
    return await list_page(
        request,
        who,
        "hazards.html",
        "/hazards",
        filters,
        limit=PAGE,
        offset=offset,
        choices=CHOICES,
    )


@router.get("/major", name="console.major_hazards")
async def major_board(request: Request, who: SignedIn) -> HTMLResponse:
    """重大隐患: open major hazards, the least advanced on their ladder first."""
    open_ones = [
        hazard
        for status in (HazardStatus.OPEN, HazardStatus.EVIDENCE_SUBMITTED)
        for hazard in (
            await api_get(
                request,
                "/hazards",
                {"level": HazardLevel.MAJOR.value, "status": status.value, "limit": BOARD},
            )
        )["items"]
    ]
    open_ones.sort(key=_rung)
    return render(request, "major_board.html", who, hazards=open_ones, counties=COUNTIES)


def _rung(hazard: dict[str, Any]) -> tuple[int, str]:
    major = hazard.get("major") or {}
    if not major.get("acknowledged_at"):
        return (0, hazard["found_at"])
    if not major.get("supervised_deadline"):
        return (1, hazard["found_at"])
    return (2, hazard["found_at"])


@router.get("/{hazard_id}", name="console.hazard")
async def hazard_page(request: Request, hazard_id: HazardIdPath, who: SignedIn) -> HTMLResponse:
    shown = await api_get(request, f"/hazards/{hazard_id}")
    return render(
        request,
        "hazard.html",
        who,
        shown=shown,
        h=shown["hazard"],
        may=_steps(who, shown["hazard"]),
        choices=CHOICES,
    )


def _steps(who: Viewer, hazard: dict[str, Any]) -> set[str]:
    """The forms offered (the API decides; see `projects._steps`)."""
    if hazard["status"] == HazardStatus.CLOSED.value:
        return set()
    role, major = who.actor.role, hazard.get("major")
    if role is Role.AGENCY and who.actor.agency_uscc == hazard["agency_uscc"]:
        return {"evidence", "reinspect"}
    if role is Role.ENTERPRISE:
        return {"evidence"}
    if role.is_regulator and major is not None:
        if not major.get("acknowledged_at"):
            return {"acknowledge"}
        steps = {"supervise"}
        if hazard["status"] == HazardStatus.EVIDENCE_SUBMITTED.value:
            steps.add("verify")
        return steps
    return set()

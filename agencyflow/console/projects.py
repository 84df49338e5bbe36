"""项目: the list with its filters, and a project's page with the steps its viewer may take."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from agencyflow.api.params import CountyQuery, Offset, ProjectIdPath, UsccQuery
from agencyflow.domain.hazard import HazardCategory, HazardKind, HazardLevel
from agencyflow.domain.identity import Role
from agencyflow.domain.project import FailureReason, ProjectStage, SpotCheckVerdict, VisitActivity
from agencyflow.domain.regions import JURISDICTIONS
from agencyflow.domain.service_types import ServiceType

from .web import SignedIn, Viewer, api_get, list_page, render

router = APIRouter(prefix="/console/projects", include_in_schema=False)

PAGE = 20
"""Projects a page of the list shows."""
HAZARDS_SHOWN = 200
"""A project's hazards its page lists, newest first; the ledger has them all."""
COUNTIES = {j.code: j.name for j in JURISDICTIONS}
CHOICES = {
    "stages": ProjectStage.choices(),
    "activities": VisitActivity.choices(),
    "kinds": HazardKind.choices(),
    "categories": HazardCategory.choices(),
    "levels": HazardLevel.choices(),
    "verdicts": SpotCheckVerdict.choices(),
    "failure_reasons": FailureReason.choices(),
    "counties": COUNTIES,
    "service_types": ServiceType.choices(),
    "roles": Role.choices(),
}


@router.get("", name="console.projects")
async def project_list(
    request: Request,
    who: SignedIn,
    county: CountyQuery = None,
    agency: UsccQuery = None,
    enterprise: UsccQuery = None,
    stage: Annotated[str | None, Query(max_length=20)] = None,
    overdue: Annotated[str | None, Query(max_length=5)] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    filters = {
        "county": county,
        "agency": agency,
        "enterprise": enterprise,
        "stage": stage,
        "overdue": overdue,
    }
    return await list_page(
        request,
        who,
        "projects.html",
        "/projects",
        filters,
        limit=PAGE,
        offset=offset,
        choices=CHOICES,
    )


@router.get("/{pid}", name="console.project")
async def project_page(request: Request, pid: ProjectIdPath, who: SignedIn) -> HTMLResponse:
    shown = await api_get(request, f"/projects/{pid}")
    hazards = await api_get(request, f"/projects/{pid}/hazards", {"limit": HAZARDS_SHOWN})
    team = shown["project"]["notification"]["staff"]
    return render(
        request,
        "project.html",
        who,
        shown=shown,
        p=shown["project"],
        hazards=hazards,
        may=_steps(who, shown["project"]),
        staff={s["professional_id"]: f"{s['professional_id']} {s['name']}" for s in team},
        choices=CHOICES,
        counties=COUNTIES,
    )


def _steps(who: Viewer, project: dict[str, Any]) -> set[str]:
    """The forms the page offers: a convenience only, for the API decides; a form shown at
    the wrong moment is refused there with the same code as any other client's request."""
    role = who.actor.role
    report = project.get("report") or {}
    if role.is_regulator and report.get("receipt_number") and project.get("spot_check") is None:
        # Any time, the project open or closed (R14): a spot check is a workflow of its own
        # (the project's own check, within its window, stays open to API clients).
        hand_check = {"add_check"}
    else:
        hand_check = set()
    if project.get("closed_at"):
        return hand_check
    stage, filing = project["stage"], project["filing_status"]
    if role is Role.AGENCY and who.actor.agency_uscc == project["agency_uscc"]:
        steps = {
            "filing": {"refile"} if filing == "returned" else set(),
            "planning": {"plan"},
            "in_service": {"visit", "end"},
            "reporting": {"report"},
        }.get(stage, set())
        return steps
    if role.is_regulator:
        steps = {"acknowledge", "return"} if filing == "pending" else set()
        if stage == "spot_check":
            check = project.get("spot_check")
            steps |= {"verdict"} if check is not None and check.get("verdict") is None else set()
        return steps | hand_check
    return set()

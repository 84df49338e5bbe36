"""``/inspections``: the quarterly full-coverage inspection (全覆盖检查, R7, R14).

Each quarter `InspectionQuarterWorkflow` (a Temporal Schedule, first day of the quarter)
opens one campaign per county with a task for every agency active there, out-of-town ones
serving its enterprises too. The county's regulators (or the city) record each inspection
with its checklist, findings and decisions, and re-check ordered rectifications; the city
sees every county's coverage. An agency reads its own inspections.
"""

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel, Field
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from agencyflow.api.commands import Commands, unseen
from agencyflow.api.deps import Regulator, allow, own_county
from agencyflow.api.params import CountyQuery, Limit, Offset, UsccQuery
from agencyflow.api.schemas.paging import Page
from agencyflow.api.temporal_errors import reaching_temporal
from agencyflow.domain.bounded import Day
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.errors import Conflict, NotFound, RuleViolations
from agencyflow.domain.identity import Actor, Role, may_access
from agencyflow.domain.inspections import (
    FIRST_QUARTER,
    QUARTER,
    Checklist,
    Findings,
    InspectionDecisions,
    InspectionTarget,
    quarter_of,
)
from agencyflow.domain.regions import JURISDICTIONS
from agencyflow.domain.timeline import TimelineEntry
from agencyflow.store import agencies, inspections, projects, timeline
from agencyflow.store.inspections import InspectionCoverage, InspectionView, TaskStatus
from agencyflow.store.types import utcnow
from agencyflow.workflows.inspection.models import (
    CampaignInput,
    Inspection,
    Recheck,
    campaign_workflow_id,
    task_resource,
)
from agencyflow.workflows.inspection.workflow import InspectionCampaignWorkflow

router = APIRouter(prefix="/inspections", tags=["inspections"])

Reader = Annotated[
    Actor, Depends(allow(Role.COUNTY_REGULATOR, Role.CITY_REGULATOR, Role.ADMIN, Role.AGENCY))
]
CityOrAdmin = Annotated[Actor, Depends(allow(Role.CITY_REGULATOR, Role.ADMIN))]
QuarterPath = Annotated[str, Path(max_length=6, pattern=QUARTER.pattern, examples=["2026Q4"])]
QuarterQuery = Annotated[str | None, Query(max_length=6, pattern=QUARTER.pattern)]
CountyPath = Annotated[str, Path(max_length=6, pattern=r"^\d{6}$")]
UsccTaskPath = Annotated[str, Path(max_length=32)]


InspectionPage = Page[InspectionView]


class InspectionDetail(InspectionView):
    timeline: list[TimelineEntry]


class InspectionBody(BaseModel):
    inspected_on: Day
    checklist: Checklist
    """Each item true when it conforms; every item answered."""
    findings: Findings
    decisions: InspectionDecisions = InspectionDecisions()


class RecheckBody(BaseModel):
    rechecked_on: Day
    conforming: bool
    notes: Annotated[str, Field(min_length=1, max_length=2000)]
    new_deadline: Day | None = None
    """Required when the rectification is not put right."""


class CampaignsBody(BaseModel):
    quarter: Annotated[str, Field(max_length=6, pattern=QUARTER.pattern)]


class CampaignsOpened(BaseModel):
    quarter: str
    opened: list[str]
    """Counties whose campaign this request opened (the others had theirs already)."""


class Inspections(Commands):
    def in_reach(self, actor: Actor, county: str, quarter: str, uscc: str) -> None:
        """Regulators of the county (and the city) reach its tasks; an agency its own."""
        self.request.state.audit_resource = task_resource(county, quarter, uscc)
        reach = (
            actor.agency_uscc == uscc
            if actor.role is Role.AGENCY
            else may_access(actor, county_code=county)
        )
        if not reach:
            raise unseen(actor, "inspection", f"{county}/{quarter}/{uscc}", missing=False)

    async def visible(self, actor: Actor, county: str, quarter: str, uscc: str) -> InspectionView:
        self.in_reach(actor, county, quarter, uscc)
        found = await anyio.to_thread.run_sync(inspections.get, self.engine, county, quarter, uscc)
        if found is None:
            raise unseen(actor, "inspection", f"{county}/{quarter}/{uscc}", missing=True)
        return found

    async def answer(self, actor: Actor, county: str, quarter: str, uscc: str) -> InspectionDetail:
        def read() -> tuple[InspectionView | None, list[TimelineEntry]]:
            entries = timeline.entries(
                self.engine,
                task_resource(county, quarter, uscc),
                regulators=actor.role is not Role.AGENCY,
            )
            return inspections.get(self.engine, county, quarter, uscc), entries

        found, entries = await anyio.to_thread.run_sync(read)
        assert found is not None, "an update returned before its record was written"
        return InspectionDetail(campaign=found.campaign, task=found.task, timeline=entries)

    async def target(self, actor: Actor, county: str, uscc: str) -> InspectionTarget:
        """The agency, if it is under the county or works there (R14: the county inspects
        out-of-town agencies serving its enterprises)."""
        snapshot = await anyio.to_thread.run_sync(agencies.get, self.engine, uscc)
        if snapshot is None:
            raise unseen(actor, "agency", uscc, missing=True)
        here = snapshot.jurisdiction_code == county
        if not here and not await anyio.to_thread.run_sync(
            projects.works_in, self.engine, uscc, county
        ):
            raise Conflict(
                f"the agency is neither under {county} nor serving an enterprise there",
                code="inspection.not_in_county",
            )
        return InspectionTarget(
            agency_uscc=uscc, agency_name=snapshot.facts.legal_name, out_of_town=not here
        )

    async def update(
        self, actor: Actor, county: str, quarter: str, uscc: str, update: Any, arg: Any
    ) -> InspectionDetail:
        campaign = await anyio.to_thread.run_sync(
            inspections.campaign, self.engine, county, quarter
        )
        if campaign is None:
            raise NotFound(
                f"no inspection campaign for {county} in {quarter}", code="inspection.no_campaign"
            )
        try:
            workflow_id = campaign_workflow_id(self.settings.temporal_task_queue, county, quarter)
            await self.send(workflow_id, update, arg, actor)
        except NotFound:
            raise Conflict(
                f"the {quarter} campaign is closed: record it in this quarter's",
                code="inspection.campaign_closed",
            ) from None
        return await self.answer(actor, county, quarter, uscc)


Service = Annotated[Inspections, Depends(Inspections)]


@router.get("", name="inspections.list")
async def list_inspections(
    actor: Reader,
    service: Service,
    county: CountyQuery = None,
    quarter: QuarterQuery = None,
    agency: UsccQuery = None,
    status: Annotated[TaskStatus | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> InspectionPage:
    """Inspection tasks in the caller's reach (an agency: its own), newest quarter first, the
    overdue and undone before the done."""
    if actor.role is Role.AGENCY:
        agency = actor.agency_uscc
    else:
        county = own_county(actor, county)
    total, items = await anyio.to_thread.run_sync(
        lambda: inspections.search(
            service.engine,
            county_code=county,
            quarter=quarter,
            agency_uscc=agency,
            status=status,
            limit=limit,
            offset=offset,
        )
    )
    return InspectionPage(total=total, items=items)


@router.get("/coverage", name="inspections.coverage")
async def coverage(
    actor: Regulator,
    service: Service,
    quarter: QuarterQuery = None,
    county: CountyQuery = None,
) -> list[InspectionCoverage]:
    """Per county, the quarter's campaign (this quarter unless asked): planned, done,
    overdue, still rectifying."""
    county = own_county(actor, county)
    asked = quarter or quarter_of(utcnow().astimezone(CHINA_TZ).date())
    return await anyio.to_thread.run_sync(
        lambda: inspections.coverage(service.engine, county_code=county, quarter=asked)
    )


@router.post("/campaigns", name="inspections.open_campaigns", status_code=status.HTTP_201_CREATED)
async def open_campaigns(
    body: CampaignsBody, actor: CityOrAdmin, service: Service
) -> CampaignsOpened:
    """Open the quarter's campaigns that are missing (the Schedule opens them on the
    quarter's first day; this is for a quarter it missed). This quarter or an earlier one."""
    today = utcnow().astimezone(CHINA_TZ).date()
    if body.quarter > quarter_of(today):
        raise RuleViolations.one(
            "inspection.future_quarter",
            "quarter",
            f"a campaign opens when its quarter begins: now {quarter_of(today)}",
        )
    if body.quarter < FIRST_QUARTER:
        raise RuleViolations.one(
            "inspection.before_reform",
            "quarter",
            f"campaigns begin with the reform, in {FIRST_QUARTER}",
        )
    queue = service.settings.temporal_task_queue
    opened: list[str] = []
    for county in JURISDICTIONS:
        try:
            async with reaching_temporal(service.settings.command_timeout_seconds):
                await service.temporal.start_workflow(
                    InspectionCampaignWorkflow.run,
                    CampaignInput(county_code=county.code, quarter=body.quarter),
                    id=campaign_workflow_id(queue, county.code, body.quarter),
                    task_queue=queue,
                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                )
        except WorkflowAlreadyStartedError:
            continue
        opened.append(county.code)
    return CampaignsOpened(quarter=body.quarter, opened=opened)


@router.get("/{county}/{quarter}/{uscc}", name="inspections.show")
async def show(
    county: CountyPath, quarter: QuarterPath, uscc: UsccTaskPath, actor: Reader, service: Service
) -> InspectionDetail:
    await service.visible(actor, county, quarter, uscc)
    return await service.answer(actor, county, quarter, uscc)


@router.post(
    "/{county}/{quarter}/{uscc}", name="inspections.inspect", status_code=status.HTTP_201_CREATED
)
async def inspect(
    county: CountyPath,
    quarter: QuarterPath,
    uscc: UsccTaskPath,
    body: InspectionBody,
    actor: Regulator,
    service: Service,
) -> InspectionDetail:
    """The inspection of one agency in the county's quarter, with its checklist, findings
    and decisions: rectification order (a re-check follows), warning or interview (约谈),
    credit events (a veto refers the agency to the city)."""
    service.in_reach(actor, county, quarter, uscc)
    target = await service.target(actor, county, uscc)
    command = Inspection(actor=actor, target=target, **body.model_dump())
    return await service.update(
        actor, county, quarter, uscc, InspectionCampaignWorkflow.inspect, command
    )


@router.post("/{county}/{quarter}/{uscc}/recheck", name="inspections.recheck")
async def recheck(
    county: CountyPath,
    quarter: QuarterPath,
    uscc: UsccTaskPath,
    body: RecheckBody,
    actor: Regulator,
    service: Service,
) -> InspectionDetail:
    """The re-check of an ordered rectification: put right, or not (a new deadline, and the
    city is told)."""
    await service.visible(actor, county, quarter, uscc)
    command = Recheck(actor=actor, agency_uscc=uscc, **body.model_dump())
    return await service.update(
        actor, county, quarter, uscc, InspectionCampaignWorkflow.recheck, command
    )

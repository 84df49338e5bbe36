"""``/spot-checks``: reports' spot checks as things of their own (R10, R14): the half-year's
sample per county with its coverage, and each check's examination and verdict.

A sampled check is opened by `SpotCheckSamplingWorkflow` (a Temporal Schedule, 1 January
and 1 July); its project may be long closed by then. A regulator of the report's county
(or the city) examines the report, then a verdict is given, by another regulator when the
policy asks for four eyes; a failure deducts the points chosen from the agency's credit.
"""

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from agencyflow.api.commands import Commands, unseen
from agencyflow.api.deps import Regulator, allow, own_county
from agencyflow.api.params import CountyQuery, Limit, Offset, ProjectIdPath
from agencyflow.api.schemas.paging import Page
from agencyflow.domain.bounded import Day
from agencyflow.domain.errors import Conflict, NotFound
from agencyflow.domain.identity import Actor, Role, may_access
from agencyflow.domain.project import FailureReason, SpotCheckVerdict
from agencyflow.domain.sampling import PERIOD
from agencyflow.domain.spot_checks import SpotCheckOrigin, subject_of_project
from agencyflow.domain.timeline import TimelineEntry
from agencyflow.store import projects, spot_checks, timeline
from agencyflow.store.spot_checks import Coverage, SpotCheckView
from agencyflow.store.types import utcnow
from agencyflow.workflows.spot_check.models import (
    Examination,
    Rectified,
    SpotCheckInput,
    SpotCheckOpening,
    Verdict,
    spot_check_resource,
    spot_check_workflow_id,
)
from agencyflow.workflows.spot_check.workflow import SpotCheckWorkflow

router = APIRouter(prefix="/spot-checks", tags=["spot checks"])

Reader = Annotated[
    Actor, Depends(allow(Role.COUNTY_REGULATOR, Role.CITY_REGULATOR, Role.ADMIN, Role.AGENCY))
]
PeriodQuery = Annotated[str | None, Query(max_length=6, pattern=PERIOD.pattern)]


SpotCheckPage = Page[SpotCheckView]


class SpotCheckDetail(SpotCheckView):
    timeline: list[TimelineEntry]


class ExaminationBody(BaseModel):
    findings: Annotated[str, Field(min_length=1, max_length=4000)]


class VerdictBody(BaseModel):
    verdict: SpotCheckVerdict
    reasons: Annotated[list[FailureReason], Field(max_length=len(FailureReason))] = []
    notes: Annotated[str, Field(max_length=4000)] = ""
    points: Annotated[int, Field(ge=0, le=100)] | None = None
    rectify_by: Day | None = None
    """On a failure: the agency corrects the report by then (责令整改)."""
    refer: bool = False
    """On a failure for a false report: referred as a veto (一票否决) to the city."""


class RectifiedBody(BaseModel):
    notes: Annotated[str, Field(min_length=1, max_length=2000)]


class SpotChecks(Commands):
    async def visible(self, pid: str, actor: Actor) -> SpotCheckView:
        self.request.state.audit_resource = spot_check_resource(pid)
        found = await anyio.to_thread.run_sync(spot_checks.get, self.engine, pid)
        if found is None or not may_access(
            actor, county_code=found.subject.county_code, agency_uscc=found.subject.agency_uscc
        ):
            raise unseen(actor, "spot_check", pid, missing=found is None)
        return found

    async def answer(self, pid: str, actor: Actor) -> SpotCheckDetail:
        def read() -> tuple[SpotCheckView | None, list[TimelineEntry]]:
            entries = timeline.entries(
                self.engine, spot_check_resource(pid), regulators=actor.role is not Role.AGENCY
            )
            return spot_checks.get(self.engine, pid), entries

        found, entries = await anyio.to_thread.run_sync(read)
        assert found is not None
        return SpotCheckDetail(subject=found.subject, progress=found.progress, timeline=entries)

    async def update(self, pid: str, actor: Actor, update: Any, arg: Any) -> SpotCheckDetail:
        found = await self.visible(pid, actor)
        try:
            await self.send(spot_check_workflow_id(pid), update, arg, actor)
        except NotFound:
            if found.progress.verdict is not None:  # its workflow ended with the verdict
                raise Conflict(
                    "the spot check has its verdict already", code="spot_check.not_open"
                ) from None
            raise
        return await self.answer(pid, actor)


Service = Annotated[SpotChecks, Depends(SpotChecks)]


@router.get("", name="spot_checks.list")
async def list_checks(
    actor: Regulator,
    service: Service,
    county: CountyQuery = None,
    period: PeriodQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> SpotCheckPage:
    """Checks in the regulator's reach, those awaiting a verdict first, by due date."""
    county = own_county(actor, county)
    total, items = await anyio.to_thread.run_sync(
        lambda: spot_checks.search(
            service.engine, county_code=county, period=period, limit=limit, offset=offset
        )
    )
    return SpotCheckPage(total=total, items=items)


@router.get("/coverage", name="spot_checks.coverage")
async def coverage(
    actor: Regulator,
    service: Service,
    period: Annotated[str, Query(max_length=6, pattern=PERIOD.pattern)],
    county: CountyQuery = None,
) -> list[Coverage]:
    """Per county, the half year's sample: drawn, decided, overdue."""
    county = own_county(actor, county)
    return await anyio.to_thread.run_sync(
        lambda: spot_checks.coverage(service.engine, county_code=county, period=period)
    )


@router.get("/{pid}", name="spot_checks.show")
async def show(pid: ProjectIdPath, actor: Reader, service: Service) -> SpotCheckDetail:
    await service.visible(pid, actor)
    return await service.answer(pid, actor)


@router.post("/{pid}", name="spot_checks.open", status_code=status.HTTP_201_CREATED)
async def open_check(pid: ProjectIdPath, actor: Regulator, service: Service) -> SpotCheckDetail:
    """A check a regulator adds by hand (R14): any report the platform has taken, whether or
    not its project is still open; due the policy's time from now."""
    head = await anyio.to_thread.run_sync(projects.head, service.engine, pid)
    service.request.state.audit_resource = spot_check_resource(pid)
    if head is None or not may_access(actor, county_code=head.county_code):
        raise unseen(actor, "project", pid, missing=head is None)
    report = head.report
    if report is None or report.awaiting_receipt:
        raise Conflict(
            "only a report the provincial platform has taken can be spot-checked",
            code="spot_check.no_report",
        )
    checked = await anyio.to_thread.run_sync(spot_checks.get, service.engine, pid)
    if checked is not None or head.spot_check is not None:
        raise Conflict("the report is already being spot-checked", code="spot_check.already_open")
    policy = service.settings.policy
    subject = subject_of_project(
        head, SpotCheckOrigin.MANUAL, utcnow() + policy.spot_check_sample_due
    )
    start = WithStartWorkflowOperation(
        SpotCheckWorkflow.run,
        SpotCheckInput(project_id=pid, policy=policy, limits=service.settings.history_limits()),
        id=spot_check_workflow_id(pid),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        task_queue=service.settings.temporal_task_queue,
    )
    opening = SpotCheckOpening(actor=actor, subject=subject)
    try:
        await service.start(SpotCheckWorkflow.open, opening, actor, start)
    except WorkflowAlreadyStartedError:
        raise Conflict(
            "the report is already being spot-checked", code="spot_check.already_open"
        ) from None
    return await service.answer(pid, actor)


@router.post("/{pid}/examination", name="spot_checks.examine")
async def examine(
    pid: ProjectIdPath, body: ExaminationBody, actor: Regulator, service: Service
) -> SpotCheckDetail:
    """What the examining regulator found in the report, judged against its guideline."""
    command = Examination(actor=actor, findings=body.findings)
    return await service.update(pid, actor, SpotCheckWorkflow.examine, command)


@router.post("/{pid}/verdict", name="spot_checks.decide")
async def decide(
    pid: ProjectIdPath, body: VerdictBody, actor: Regulator, service: Service
) -> SpotCheckDetail:
    """The verdict; a failure names its reasons and the points deducted (policy range)."""
    command = Verdict(actor=actor, **body.model_dump())
    return await service.update(pid, actor, SpotCheckWorkflow.decide, command)


@router.post("/{pid}/rectification", name="spot_checks.confirm_rectified")
async def confirm_rectified(
    pid: ProjectIdPath, body: RectifiedBody, actor: Regulator, service: Service
) -> SpotCheckDetail:
    """A regulator confirms the failed report was corrected as ordered."""
    command = Rectified(actor=actor, notes=body.notes)
    return await service.update(pid, actor, SpotCheckWorkflow.confirm_rectified, command)

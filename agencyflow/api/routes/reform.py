"""``/reform``: each county's reform programme (R1, R15): its service-type list with each
type's quality-control checkpoints and adopted report guidelines, and its dated tasks with
their owners (责任清单), evidence and the city's sign-off (销号清单).

One programme per county and year (`ReformProgrammeWorkflow`), opened by the yearly
Schedule or here by a regulator. A county's regulators act on their own county only (403
for any other, whether or not its programme exists); the city sees and acts on all, and
alone signs a task off. Agencies and enterprises have no part in it.
"""

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from agencyflow.api.commands import Commands
from agencyflow.api.deps import Regulator, allow, own_county
from agencyflow.api.params import CountyQuery, Limit, Offset
from agencyflow.api.routes.hazards import require_files
from agencyflow.api.schemas.paging import Page
from agencyflow.domain.bounded import Reasons
from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.reform import (
    REFORM_YEAR_MAX,
    REFORM_YEAR_MIN,
    EvidenceRequest,
    Owner,
    ServiceTypeList,
    TaskStatus,
)
from agencyflow.domain.regions import JURISDICTIONS
from agencyflow.domain.timeline import TimelineEntry
from agencyflow.store import reform, timeline
from agencyflow.store.reform import ReformProgrammeView, ReformTaskView
from agencyflow.workflows.reform.models import (
    EvidenceSubmission,
    OwnerAssignment,
    ReformInput,
    ReformOpening,
    ServiceTypesUpdate,
    SignOff,
    reform_resource,
    reform_workflow_id,
)
from agencyflow.workflows.reform.workflow import ReformProgrammeWorkflow

router = APIRouter(prefix="/reform", tags=["reform"])

Reader = Annotated[Actor, Depends(allow(Role.COUNTY_REGULATOR, Role.CITY_REGULATOR, Role.ADMIN))]
CountyPath = Annotated[str, Path(max_length=6, pattern=r"^[0-9]{6}$")]
YearPath = Annotated[int, Path(ge=REFORM_YEAR_MIN, le=REFORM_YEAR_MAX)]
TaskKeyPath = Annotated[str, Path(max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
COUNTIES = frozenset(j.code for j in JURISDICTIONS)


class ProgrammeDetail(ReformProgrammeView):
    timeline: list[TimelineEntry]


class ProgrammeKey(BaseModel):
    county_code: str
    year: int


TaskPage = Page[ReformTaskView]


class OwnerBody(BaseModel):
    owner: Owner


class SignOffBody(BaseModel):
    accepted: bool = True
    """False sends the evidence back to the county, with reasons."""
    reasons: Reasons = []


class Programmes(Commands):
    def in_reach(self, county: str, year: int, actor: Actor) -> None:
        """A county's regulators reach their own county only: the same 403 whether the other
        county's programme exists or not."""
        self.request.state.audit_resource = reform_resource(county, year)
        if actor.role is Role.COUNTY_REGULATOR and actor.county_code != county:
            raise Forbidden("the programme is outside your county", code="auth.out_of_scope")

    async def visible(self, county: str, year: int, actor: Actor) -> ReformProgrammeView:
        self.in_reach(county, year, actor)
        found = await anyio.to_thread.run_sync(reform.get, self.engine, county, year)
        if found is None:
            raise NotFound(f"no {year} programme for {county}", code="reform.not_found")
        return found

    async def answer(self, county: str, year: int) -> ProgrammeDetail:
        def read() -> tuple[ReformProgrammeView | None, list[TimelineEntry]]:
            entries = timeline.entries(self.engine, reform_resource(county, year), regulators=True)
            return reform.get(self.engine, county, year), entries

        found, entries = await anyio.to_thread.run_sync(read)
        assert found is not None, "an update returned before its record was written"
        return ProgrammeDetail(**found.model_dump(), timeline=entries)

    async def update(
        self, county: str, year: int, actor: Actor, update: Any, arg: Any
    ) -> ProgrammeDetail:
        found = await self.visible(county, year, actor)
        try:
            await self.send(reform_workflow_id(county, year), update, arg, actor)
        except NotFound:
            if found.finished:  # its workflow ended with the last close-out
                raise Conflict(
                    "every task of the programme is closed", code="reform.closed"
                ) from None
            raise
        return await self.answer(county, year)


Service = Annotated[Programmes, Depends(Programmes)]


@router.get("", name="reform.list")
async def list_programmes(
    actor: Reader, service: Service, county: CountyQuery = None
) -> list[ProgrammeKey]:
    """The programmes on record in the caller's reach, the latest year first."""
    county = own_county(actor, county)
    found = await anyio.to_thread.run_sync(reform.years_of, service.engine, county)
    return [ProgrammeKey(county_code=c, year=y) for c, y in found]


@router.get("/tasks", name="reform.tasks")
async def list_tasks(
    actor: Reader,
    service: Service,
    county: CountyQuery = None,
    year: Annotated[int | None, Query(ge=REFORM_YEAR_MIN, le=REFORM_YEAR_MAX)] = None,
    overdue: bool | None = None,
    task_status: Annotated[TaskStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TaskPage:
    """Every county's tasks by due date (the city's view); ``overdue=true``: those late and
    not closed out."""
    county = own_county(actor, county)
    total, items = await anyio.to_thread.run_sync(
        lambda: reform.search_tasks(
            service.engine,
            county_code=county,
            year=year,
            overdue=overdue,
            status=task_status,
            limit=limit,
            offset=offset,
        )
    )
    return TaskPage(total=total, items=items)


@router.post("/{county_code}/{year}", name="reform.open", status_code=status.HTTP_201_CREATED)
async def open_programme(
    county_code: CountyPath, year: YearPath, actor: Regulator, service: Service
) -> ProgrammeDetail:
    """Open the county's programme for the year by hand (the Schedule opens each year's on
    1 January): its tasks are seeded from policy, each due in the county's inbox."""
    service.in_reach(county_code, year, actor)
    if county_code not in COUNTIES:
        raise RuleViolations(
            [
                Violation(
                    code="reform.unknown_county",
                    field="county_code",
                    message="not a Lishui county code",
                )
            ]
        )
    settings = service.settings
    start = WithStartWorkflowOperation(
        ReformProgrammeWorkflow.run,
        ReformInput(
            county_code=county_code,
            year=year,
            policy=settings.policy,
            limits=settings.history_limits(),
        ),
        id=reform_workflow_id(county_code, year),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        task_queue=settings.temporal_task_queue,
    )
    opening = ReformOpening(actor=actor, county_code=county_code, year=year)
    try:
        await service.start(ReformProgrammeWorkflow.open, opening, actor, start)
    except WorkflowAlreadyStartedError:  # every task closed, its workflow ended
        raise Conflict(
            f"the {year} programme of {county_code} is open already",
            code="reform.already_open",
        ) from None
    return await service.answer(county_code, year)


@router.get("/{county_code}/{year}", name="reform.show")
async def show(
    county_code: CountyPath, year: YearPath, actor: Reader, service: Service
) -> ProgrammeDetail:
    """The programme: its service-type list, its tasks with owners, evidence and close-out."""
    await service.visible(county_code, year, actor)
    return await service.answer(county_code, year)


@router.put("/{county_code}/{year}/service-types", name="reform.service_types")
async def set_service_types(
    county_code: CountyPath,
    year: YearPath,
    body: ServiceTypeList,
    actor: Regulator,
    service: Service,
) -> ProgrammeDetail:
    """The county's service-type list (社会化服务类型清单), whole: per type its flow's
    quality-control checkpoints (质量过程控制) and the report guidelines (报告导则) adopted."""
    command = ServiceTypesUpdate(actor=actor, types=body)
    return await service.update(
        county_code, year, actor, ReformProgrammeWorkflow.set_service_types, command
    )


@router.post("/{county_code}/{year}/tasks/{key}/owner", name="reform.owner")
async def assign_owner(
    county_code: CountyPath,
    year: YearPath,
    key: TaskKeyPath,
    body: OwnerBody,
    actor: Regulator,
    service: Service,
) -> ProgrammeDetail:
    """Name the task's responsible unit (责任清单)."""
    command = OwnerAssignment(actor=actor, key=key, owner=body.owner)
    return await service.update(
        county_code, year, actor, ReformProgrammeWorkflow.assign_owner, command
    )


@router.post("/{county_code}/{year}/tasks/{key}/evidence", name="reform.evidence")
async def submit_evidence(
    county_code: CountyPath,
    year: YearPath,
    key: TaskKeyPath,
    body: EvidenceRequest,
    actor: Regulator,
    service: Service,
) -> ProgrammeDetail:
    """The county's evidence that the task is done: uploaded files (``POST /files``), at
    least one, and a note; the task then awaits the city's sign-off."""
    await service.visible(county_code, year, actor)
    await require_files(service.engine, {"files": list(body.files)})
    command = EvidenceSubmission(actor=actor, key=key, evidence=body)
    return await service.update(
        county_code, year, actor, ReformProgrammeWorkflow.submit_evidence, command
    )


@router.post("/{county_code}/{year}/tasks/{key}/sign-off", name="reform.sign_off")
async def sign_off(
    county_code: CountyPath,
    year: YearPath,
    key: TaskKeyPath,
    body: SignOffBody,
    actor: Regulator,
    service: Service,
) -> ProgrammeDetail:
    """The city's close-out (销号) of the task on its evidence, or the evidence sent back
    with reasons; never by the regulator who submitted it."""
    command = SignOff(actor=actor, key=key, accepted=body.accepted, reasons=body.reasons)
    return await service.update(county_code, year, actor, ReformProgrammeWorkflow.sign_off, command)

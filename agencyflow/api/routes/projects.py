"""Service projects (一项目一报告, R3, R4, R6, R10): from contract to closure.

Every command is an update of the project's workflow; every answer is read back from the
read model, which the update has already brought up to date.
"""

import datetime as dt
import re
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, UploadFile, status
from fastapi.responses import JSONResponse
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from agencyflow.api.commands import Commands, in_scope, unseen
from agencyflow.api.deps import AgencyUser, EngineDep, Regulator, allow
from agencyflow.api.params import CountyQuery, Limit, Offset, ProjectIdPath, UsccQuery
from agencyflow.api.routes.hazards import require_files
from agencyflow.api.schemas.hazards import HazardPage
from agencyflow.api.schemas.projects import (
    FilingReturnBody,
    PlanBody,
    ProjectPage,
    ProjectPublic,
    RefilingBody,
    ServiceEndBody,
    VerdictBody,
    detail,
    summary,
)
from agencyflow.api.upload_names import upload_name
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.project import (
    ProjectHead,
    ProjectRequest,
    ProjectSnapshot,
    ProjectStage,
    VisitReport,
    project_id,
)
from agencyflow.domain.project_rules import check_project_request
from agencyflow.domain.timeline import TimelineEntry
from agencyflow.files import FileStore, sniff
from agencyflow.store import agencies, hazard_lists, projects, reform, spot_checks, timeline
from agencyflow.store import hazards as hazard_store
from agencyflow.workflows.memory import Ack
from agencyflow.workflows.project.models import (
    CreateProject,
    FilingDecision,
    PlanSubmission,
    ProjectInput,
    Refiling,
    ReportUpload,
    ServiceEnd,
    SpotCheckDecision,
    SpotCheckOpening,
    VisitSubmission,
    project_resource,
    project_workflow_id,
)
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow

router = APIRouter(prefix="/projects", tags=["projects"])

PROJECT_ID = re.compile(r"[0-9A-Z]{18}-[0-9a-f]{12}")
"""What `project_id` makes: the agency's USCC and a digest of the contract number."""
SETTLE_WITHIN = 10.0
"""Seconds a visit's answer waits for its hazards' rows; they follow within moments."""

Anyone = Annotated[Actor, Depends(allow())]


class Projects(Commands):
    """What every project route needs: scope checks, updates, answers from the read model."""

    async def visible(self, pid: ProjectIdPath, actor: Actor) -> ProjectHead:
        """The project, if the caller may see it: 404 if unknown, 403 outside its scope."""
        self.request.state.audit_resource = project_resource(pid)
        head = await anyio.to_thread.run_sync(projects.head, self.engine, pid)
        return in_scope(actor, head, "project", pid)

    async def update(
        self, pid: ProjectIdPath, actor: Actor, update: Any, arg: Any
    ) -> ProjectPublic:
        """Send the command straight to the project's workflow, whose checks (who, when) are
        the rules; only when no workflow runs is the read model asked why: unknown (404),
        outside the caller's scope (403), or closed (409)."""
        self.request.state.audit_resource = project_resource(pid)
        if not PROJECT_ID.fullmatch(pid):
            raise NotFound(f"no project {pid}", code="project.not_found")
        try:
            ack: Ack = await self.send(project_workflow_id(pid), update, arg, actor)
        except NotFound:
            head = await self.visible(pid, actor)
            if head.closed_at is not None:
                raise Conflict("the project is closed", code="project.closed") from None
            raise
        except Forbidden:
            # The workflow's own scope check, answered word for word as for a project that
            # does not exist: the message must not tell which it was.
            raise unseen(actor, "project", pid, missing=False) from None
        await self.settled(ack)
        return await self.answer(pid, actor)

    async def settled(self, ack: Ack) -> None:
        """Wait (briefly) until the hazards a visit told of have taken it into account, so
        the caller's next read shows them as the visit left them."""
        if not ack.notified or ack.visit_id is None:
            return
        number = int(ack.visit_id.removeprefix("v"))

        def noted() -> bool:
            return hazard_store.visit_noted(self.engine, ack.notified, number)

        with anyio.move_on_after(SETTLE_WITHIN):
            while not await anyio.to_thread.run_sync(noted):  # noqa: ASYNC110  (no event to await)
                await anyio.sleep(0.02)

    async def answer(self, pid: ProjectIdPath, actor: Actor) -> ProjectPublic:
        """The project as the read model shows it now, timeline included: one trip to it."""
        regulators = actor.role.is_regulator or actor.role is Role.ADMIN

        def read() -> tuple[ProjectSnapshot | None, list[TimelineEntry]]:
            entries = timeline.entries(self.engine, project_resource(pid), regulators=regulators)
            return projects.get(self.engine, pid), entries

        snapshot, entries = await anyio.to_thread.run_sync(read)
        assert snapshot is not None, "an update returned before its record was written"
        url = self.workflow_url(project_workflow_id(pid))
        return detail(snapshot, timeline=entries, temporal_ui_url=url)

    async def agency_of(self, actor: Actor) -> AgencySnapshot:
        assert actor.agency_uscc is not None
        agency = await anyio.to_thread.run_sync(agencies.get, self.engine, actor.agency_uscc)
        if agency is None or not agency.status.is_admitted:
            raise Conflict(
                "the agency is not admitted: apply with POST /agencies first",
                code="agency.not_admitted",
            )
        return agency


Service = Annotated[Projects, Depends(Projects)]


# ---------------------------------------------------------------------- reading


@router.get("", name="projects.list")
async def list_projects(
    actor: Anyone,
    engine: EngineDep,
    county: CountyQuery = None,
    agency: UsccQuery = None,
    enterprise: UsccQuery = None,
    stage: ProjectStage | None = None,
    overdue: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ProjectPage:
    """Projects in the caller's scope: an agency its own, a county its county's."""
    scoped = {
        Role.AGENCY: ("agency", actor.agency_uscc),
        Role.COUNTY_REGULATOR: ("county", actor.county_code),
        Role.ENTERPRISE: ("enterprise", actor.enterprise_uscc),
    }.get(actor.role)
    filters = {"county": county, "agency": agency, "enterprise": enterprise}
    if scoped is not None:
        name, own = scoped
        if filters[name] not in (None, own):
            raise Forbidden(
                f"you may list only your own {name}'s projects", code="auth.out_of_scope"
            )
        filters[name] = own
    total, found = await anyio.to_thread.run_sync(
        lambda: projects.search(
            engine,
            county_code=filters["county"],
            agency_uscc=filters["agency"],
            enterprise_uscc=filters["enterprise"],
            stage=stage,
            overdue=overdue,
            limit=limit,
            offset=offset,
        )
    )
    return ProjectPage(total=total, items=[summary(s) for s in found])


@router.get("/{pid}/hazards", name="projects.hazards")
async def project_hazards(
    pid: ProjectIdPath,
    actor: Anyone,
    service: Service,
    limit: Limit = 50,
    offset: Offset = 0,
) -> HazardPage:
    """The hazards this project found, newest first, with the counts of all of them."""
    await service.visible(pid, actor)
    counts, found = await anyio.to_thread.run_sync(
        lambda: hazard_lists.listing(
            service.engine,
            dt.datetime.now(dt.UTC),
            project_id=pid,
            limit=limit,
            offset=offset,
        )
    )
    return HazardPage(counts=counts, total=counts.found, items=found)


@router.get("/{pid}", name="projects.show")
async def show(pid: ProjectIdPath, actor: Anyone, service: Service) -> ProjectPublic:
    head = await service.visible(pid, actor)
    return await service.answer(head.project_id, actor)


# ---------------------------------------------------------------------- contract and filing


async def _unadopted_guideline(service: Projects, request: ProjectRequest) -> list[Violation]:
    """A guideline the county has not adopted for the service type (R1), when it has
    adopted any for it; a project may name none."""
    if request.guideline is None:
        return []
    adopted = await anyio.to_thread.run_sync(
        reform.adopted_guidelines,
        service.engine,
        request.enterprise.county_code,
        request.service_type,
    )
    if adopted is None or request.guideline in adopted:
        return []
    return [
        Violation(
            code="project.guideline_not_adopted",
            field="guideline",
            message="the county has not adopted this report guideline for the service type; "
            "adopted: " + ", ".join(sorted(adopted)),
        )
    ]


@router.post(
    "",
    name="projects.create",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectPublic,
    responses={200: {"description": "The same contract again: the existing project."}},
)
async def create(request: ProjectRequest, actor: AgencyUser, service: Service) -> Any:
    """File a signed contract (R3); the practice notification goes to the county (R2, R6)."""
    assert actor.agency_uscc is not None
    pid = project_id(actor.agency_uscc, request.contract.number)
    service.request.state.audit_resource = project_resource(pid)
    agency = await service.agency_of(actor)
    existing = await anyio.to_thread.run_sync(projects.head, service.engine, pid)
    if existing is not None and existing.closed_at is not None:
        # Its workflow has ended: answer here rather than start the contract over.
        if existing.request != request:
            raise Conflict(
                f"contract {request.contract.number} already belongs to closed project {pid} "
                "with other terms; a new contract needs its own number",
                code="project.contract_number_taken",
            )
        answer = await service.answer(pid, actor)
        return JSONResponse(answer.model_dump(mode="json"), status_code=status.HTTP_200_OK)
    if existing is None:
        # Checked here as well, so that a refused contract starts nothing at all.
        if not agency.status.may_start_projects:
            raise Conflict(
                f"the agency is {agency.status.label} and may not start new projects",
                code="agency.cannot_start_projects",
            )
        if agency.listing is not None:
            raise Conflict(
                "the agency is on the seriously-untrustworthy list (严重失信, "
                f"{agency.listing.decision_number}, until "
                f"{agency.listing.ends_at.astimezone(CHINA_TZ).date().isoformat()}) "
                "and may not start new projects",
                code="agency.untrustworthy",
            )
        violations = check_project_request(
            request,
            agency,
            service.settings.policy.admission_rules(),
            dt.datetime.now(CHINA_TZ).date(),
        )
        violations += await _unadopted_guideline(service, request)
        if violations:
            raise RuleViolations(violations)
    start = WithStartWorkflowOperation(
        ServiceProjectWorkflow.run,
        ProjectInput(
            project_id=pid,
            agency_uscc=agency.uscc,
            policy=service.settings.policy,
            limits=service.settings.history_limits(),
        ),
        id=project_workflow_id(pid),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        # A project on record is only ever answered by its own run: if that run ended
        # without closing the project, starting an empty one in its place would hide it.
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE
        if existing is None
        else WorkflowIDReusePolicy.REJECT_DUPLICATE,
        task_queue=service.settings.temporal_task_queue,
    )
    try:
        command = CreateProject(actor=actor, request=request, agency=agency)
        await service.start(ServiceProjectWorkflow.create, command, actor, start)
    except WorkflowAlreadyStartedError:
        raise Conflict(
            f"project {pid} is on record but its workflow is no longer running; "
            "an administrator must look at it before it can take steps",
            code="project.workflow_ended",
        ) from None
    answer = await service.answer(pid, actor)
    if existing is not None:
        return JSONResponse(answer.model_dump(mode="json"), status_code=status.HTTP_200_OK)
    return answer


@router.post("/{pid}/filing/acknowledge", name="projects.acknowledge_filing")
async def acknowledge_filing(
    pid: ProjectIdPath, actor: Regulator, service: Service
) -> ProjectPublic:
    """The county regulator confirms the practice notification (执业告知)."""
    decision = FilingDecision(actor=actor)
    return await service.update(pid, actor, ServiceProjectWorkflow.acknowledge_filing, decision)


@router.post("/{pid}/filing/return", name="projects.return_filing")
async def return_filing(
    pid: ProjectIdPath, body: FilingReturnBody, actor: Regulator, service: Service
) -> ProjectPublic:
    decision = FilingDecision(actor=actor, reasons=body.reasons)
    return await service.update(pid, actor, ServiceProjectWorkflow.return_filing, decision)


@router.put("/{pid}/filing", name="projects.refile")
async def refile(
    pid: ProjectIdPath, body: RefilingBody, actor: AgencyUser, service: Service
) -> ProjectPublic:
    """The agency corrects and refiles a returned practice notification."""
    agency = await service.agency_of(actor)
    refiling = Refiling(actor=actor, agency=agency, team=body.team, note=body.note)
    return await service.update(pid, actor, ServiceProjectWorkflow.refile, refiling)


# ---------------------------------------------------------------------- service


@router.post("/{pid}/plan", name="projects.submit_plan")
async def submit_plan(
    pid: ProjectIdPath, body: PlanBody, actor: AgencyUser, service: Service
) -> ProjectPublic:
    """服务方案, before the first visit."""
    submission = PlanSubmission(actor=actor, summary=body.summary)
    return await service.update(pid, actor, ServiceProjectWorkflow.submit_plan, submission)


@router.post("/{pid}/visits", name="projects.record_visit", status_code=status.HTTP_201_CREATED)
async def record_visit(
    pid: ProjectIdPath, visit: VisitReport, actor: AgencyUser, service: Service
) -> ProjectPublic:
    """A visit, with the hazards it found and the re-inspections it made (R5)."""
    photos: dict[str, list[str]] = {}
    for i, hazard in enumerate(visit.hazards):
        photos[f"hazards.{i}.photos"] = hazard.photos
        photos[f"hazards.{i}.example_photos"] = hazard.example_photos
    for i, reinspection in enumerate(visit.reinspections):
        photos[f"reinspections.{i}.after_photos"] = reinspection.after_photos
    await require_files(service.engine, photos)
    submission = VisitSubmission(actor=actor, visit=visit)
    return await service.update(pid, actor, ServiceProjectWorkflow.record_visit, submission)


@router.post("/{pid}/end", name="projects.end_service")
async def end_service(
    pid: ProjectIdPath, body: ServiceEndBody, actor: AgencyUser, service: Service
) -> ProjectPublic:
    """The service activity has ended: the 30 days for the report begin (R10)."""
    end = ServiceEnd(actor=actor, ended_on=body.ended_on)
    return await service.update(pid, actor, ServiceProjectWorkflow.end_service, end)


@router.post("/{pid}/report", name="projects.upload_report", status_code=status.HTTP_201_CREATED)
async def upload_report(
    pid: ProjectIdPath, file: UploadFile, actor: AgencyUser, service: Service
) -> ProjectPublic:
    """The service report (PDF); it is handed to the provincial platform 工业企业安全在线."""
    await service.visible(pid, actor)
    name = upload_name(file.filename, "report.pdf")
    limit = service.settings.upload_max_bytes
    content = await file.read(limit + 1)
    problems = []
    if len(content) > limit:
        problems.append(("file.too_large", f"the report exceeds the limit of {limit} bytes"))
    elif sniff(content) != "application/pdf":
        problems.append(
            ("file.not_pdf", "the service report must be a PDF file (checked by its content)")
        )
    if problems:
        raise RuleViolations([Violation(code=c, field="file", message=m) for c, m in problems])
    store = FileStore(service.settings.files_dir)
    stored = await anyio.to_thread.run_sync(
        lambda: store.put(content, filename=name, content_type="application/pdf")
    )
    upload = ReportUpload(actor=actor, file=stored)
    return await service.update(pid, actor, ServiceProjectWorkflow.upload_report, upload)


# ---------------------------------------------------------------------- spot check


@router.post("/{pid}/spot-check", name="projects.open_spot_check")
async def open_spot_check(pid: ProjectIdPath, actor: Regulator, service: Service) -> ProjectPublic:
    """Within the project's spot-check window; any time: ``POST /spot-checks/{pid}``."""
    if await anyio.to_thread.run_sync(spot_checks.get, service.engine, pid) is not None:
        await service.visible(pid, actor)
        raise Conflict("the report is already being spot-checked", code="spot_check.already_open")
    opening = SpotCheckOpening(actor=actor)
    return await service.update(pid, actor, ServiceProjectWorkflow.open_spot_check, opening)


@router.post("/{pid}/spot-check/verdict", name="projects.decide_spot_check")
async def decide_spot_check(
    pid: ProjectIdPath, body: VerdictBody, actor: Regulator, service: Service
) -> ProjectPublic:
    decision = SpotCheckDecision(actor=actor, **body.model_dump())
    return await service.update(pid, actor, ServiceProjectWorkflow.decide_spot_check, decision)

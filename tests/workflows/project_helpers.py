"""Driving `ServiceProjectWorkflow` directly on a Temporal server, as the API does."""

import datetime as dt
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowHandle

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.hazard import HazardRecord
from agencyflow.domain.identity import Role
from agencyflow.domain.project import (
    ProjectRequest,
    ProjectSnapshot,
    StoredFile,
    VisitReport,
    project_id,
)
from agencyflow.files import FileStore
from agencyflow.store import hazards as hazard_store
from agencyflow.store import projects as project_store
from agencyflow.store.credit import CreditEventRow
from agencyflow.store.inbox import InboxItemRow
from agencyflow.workflows.hazard.workflow import HazardWorkflow
from agencyflow.workflows.memory import Ack
from agencyflow.workflows.project.models import (
    CreateProject,
    FilingDecision,
    PlanSubmission,
    ProjectInput,
    ServiceEnd,
    VisitSubmission,
    project_resource,
    project_workflow_id,
)
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from tests.factories import project_request
from tests.reading import open_items_of, timeline_kinds_of
from tests.workflows.agency_helpers import COUNTY, agency_actor
from tests.workflows.driver import Driver

PDF = b"%PDF-1.7\n% a service report\n%%EOF\n"

Handle = WorkflowHandle[ServiceProjectWorkflow, None]
HazardHandle = WorkflowHandle[HazardWorkflow, None]


class Projects(Driver):
    """Drives projects as the API does: commands as updates, answers read from SQL."""

    def __init__(self, client: Client, task_queue: str, files: FileStore, engine: Engine) -> None:
        super().__init__(client, task_queue, engine)
        self.files = files

    def snapshot(self, handle: Handle) -> ProjectSnapshot:
        snapshot = project_store.get(self.engine, handle.id.removeprefix("project-"))
        assert snapshot is not None
        return snapshot

    async def step(
        self, handle: Handle, update: Any, command: Any, **kwargs: Any
    ) -> ProjectSnapshot:
        """Run the update; answer with the project as the read model shows it after."""
        ack = await handle.execute_update(update, command, **kwargs)
        assert isinstance(ack, Ack)
        return self.snapshot(handle)

    def hazard(self, hazard_id: str) -> HazardHandle:
        return self.client.get_workflow_handle_for(HazardWorkflow.run, f"hazard-{hazard_id}")

    async def hazard_step(self, hazard_id: str, update: Any, command: Any) -> HazardRecord:
        """Run the update on the hazard's workflow; answer with the hazard's row after."""
        await self.hazard(hazard_id).execute_update(update, command)
        record = hazard_store.get(self.engine, hazard_id)
        assert record is not None
        return record

    async def create(
        self,
        agency: AgencySnapshot,
        request: dict[str, Any],
        *,
        policy: Policy | None = None,
        limits: HistoryLimits | None = None,
    ) -> tuple[Handle, ProjectSnapshot]:
        """The agency's signed contract, filed by the agency itself."""
        parsed = ProjectRequest.model_validate(request)
        pid = project_id(agency.uscc, parsed.contract.number)
        handle = await self.start_with(
            ServiceProjectWorkflow.run,
            ProjectInput(
                project_id=pid,
                agency_uscc=agency.uscc,
                policy=policy or Policy(),
                limits=limits or HistoryLimits(),
            ),
            project_workflow_id(pid),
            ServiceProjectWorkflow.create,
            CreateProject(
                actor=agency_actor(int(agency.uscc[10:17])), request=parsed, agency=agency
            ),
        )
        return handle, self.snapshot(handle)

    async def in_service(
        self, agency: AgencySnapshot, request: dict[str, Any], **kwargs: Any
    ) -> tuple[Handle, ProjectSnapshot]:
        """A project whose filing is acknowledged and whose plan is in: visits may begin."""
        handle, _ = await self.create(agency, request, **kwargs)
        actor = agency_actor(int(agency.uscc[10:17]))
        await handle.execute_update(
            ServiceProjectWorkflow.acknowledge_filing, FilingDecision(actor=COUNTY)
        )
        snapshot = await self.step(
            handle,
            ServiceProjectWorkflow.submit_plan,
            PlanSubmission(actor=actor, summary="服务方案"),
        )
        return handle, snapshot

    async def visit(
        self,
        handle: Handle,
        agency: AgencySnapshot,
        *activities: str,
        on: dt.date | None = None,
        hazards: list[dict[str, Any]] | None = None,
        reinspections: list[dict[str, Any]] | None = None,
    ) -> ProjectSnapshot:
        return await self.step(
            handle,
            ServiceProjectWorkflow.record_visit,
            VisitSubmission(
                actor=agency_actor(int(agency.uscc[10:17])),
                visit=VisitReport.model_validate(
                    {
                        "visited_on": (on or dt.datetime.now(CHINA_TZ).date()).isoformat(),
                        "present": ["p1"],
                        "activities": list(activities or ("inspection",)),
                        "hazards": hazards or [],
                        "reinspections": reinspections or [],
                    }
                ),
            ),
        )

    async def end(self, handle: Handle, agency: AgencySnapshot, on: dt.date) -> ProjectSnapshot:
        return await self.step(
            handle,
            ServiceProjectWorkflow.end_service,
            ServiceEnd(actor=agency_actor(int(agency.uscc[10:17])), ended_on=on),
        )

    async def ended(
        self, agency: AgencySnapshot, visited: dt.date, ended: dt.date
    ) -> tuple[Handle, ProjectSnapshot]:
        """A project whose one visit and service end are on these days: it awaits its report."""
        handle, _ = await self.in_service(agency, project_request())
        await self.visit(handle, agency, on=visited)
        return handle, await self.end(handle, agency, ended)

    def received(self, handle: Handle) -> bool:
        """Whether the provincial platform has taken the project's report."""
        report = self.snapshot(handle).report
        return report is not None and report.receipt_number is not None

    def report(self, content: bytes = PDF) -> StoredFile:
        return self.files.put(content, filename="报告.pdf", content_type="application/pdf")


def open_items(engine: Engine, pid: str) -> dict[str, InboxItemRow]:
    return open_items_of(engine, project_resource(pid))


def hazard_items(engine: Engine, hazard_id: str) -> dict[str, InboxItemRow]:
    return open_items_of(engine, f"hazards/{hazard_id}")


def timeline_kinds(engine: Engine, pid: str) -> list[str]:
    return timeline_kinds_of(engine, project_resource(pid))


def credit_kinds(engine: Engine) -> list[tuple[str, int | None, dict[str, Any]]]:
    """Every credit event: its kind, points and details."""
    with Session(engine) as session:
        rows = session.exec(select(CreditEventRow).order_by(col(CreditEventRow.id))).all()
        return [(row.kind, row.points, row.details) for row in rows]


__all__ = ["COUNTY", "Projects", "Role"]

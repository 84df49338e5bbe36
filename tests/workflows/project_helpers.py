"""Driving `ServiceProjectWorkflow` directly on a Temporal server, as the API does."""

import datetime as dt
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy

from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.inbox import InboxStatus
from agencyflow.domain.project import (
    ProjectRequest,
    ProjectSnapshot,
    StoredFile,
    VisitReport,
    project_id,
)
from agencyflow.files import FileStore
from agencyflow.store.credit import CreditEventRow
from agencyflow.store.inbox import InboxItemRow
from agencyflow.store.timeline import TimelineRow
from agencyflow.workflows.project import ServiceProjectWorkflow
from agencyflow.workflows.project_models import (
    CreateProject,
    FilingDecision,
    PlanSubmission,
    ProjectInput,
    ServiceEnd,
    VisitSubmission,
    project_resource,
    project_workflow_id,
)
from tests.workflows.agency_helpers import COUNTY, agency_actor

PDF = b"%PDF-1.7\n% a service report\n%%EOF\n"

Handle = WorkflowHandle[ServiceProjectWorkflow, None]


class Projects:
    def __init__(self, client: Client, task_queue: str, files: FileStore) -> None:
        self.client = client
        self.task_queue = task_queue
        self.files = files

    async def create(
        self,
        agency: AgencySnapshot,
        request: dict[str, Any],
        *,
        actor: Actor | None = None,
        policy: Policy | None = None,
    ) -> tuple[Handle, ProjectSnapshot]:
        parsed = ProjectRequest.model_validate(request)
        pid = project_id(agency.uscc, parsed.contract.number)
        number = int(agency.uscc[10:17])
        start = WithStartWorkflowOperation(
            ServiceProjectWorkflow.run,
            ProjectInput(project_id=pid, agency_uscc=agency.uscc, policy=policy or Policy()),
            id=project_workflow_id(pid),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=self.task_queue,
        )
        snapshot = await self.client.execute_update_with_start_workflow(
            ServiceProjectWorkflow.create,
            CreateProject(actor=actor or agency_actor(number), request=parsed, agency=agency),
            start_workflow_operation=start,
        )
        return await start.workflow_handle(), snapshot

    async def in_service(
        self, agency: AgencySnapshot, request: dict[str, Any], **kwargs: Any
    ) -> tuple[Handle, ProjectSnapshot]:
        """A project whose filing is acknowledged and whose plan is in: visits may begin."""
        handle, _ = await self.create(agency, request, **kwargs)
        actor = agency_actor(int(agency.uscc[10:17]))
        await handle.execute_update(
            ServiceProjectWorkflow.acknowledge_filing, FilingDecision(actor=COUNTY)
        )
        snapshot = await handle.execute_update(
            ServiceProjectWorkflow.submit_plan, PlanSubmission(actor=actor, summary="服务方案")
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
        return await handle.execute_update(
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
        return await handle.execute_update(
            ServiceProjectWorkflow.end_service,
            ServiceEnd(actor=agency_actor(int(agency.uscc[10:17])), ended_on=on),
        )

    def report(self, content: bytes = PDF) -> StoredFile:
        return self.files.put(content, filename="报告.pdf", content_type="application/pdf")


def open_items(engine: Engine, pid: str) -> dict[str, InboxItemRow]:
    with Session(engine) as session:
        rows = session.exec(
            select(InboxItemRow).where(
                InboxItemRow.resource == project_resource(pid),
                InboxItemRow.status == InboxStatus.OPEN.value,
            )
        ).all()
        return {row.kind: row for row in rows}


def timeline_kinds(engine: Engine, pid: str) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(TimelineRow)
            .where(TimelineRow.resource == project_resource(pid))
            .order_by(col(TimelineRow.seq))
        ).all()
        return [row.kind for row in rows]


def credit_kinds(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    with Session(engine) as session:
        rows = session.exec(select(CreditEventRow).order_by(col(CreditEventRow.id))).all()
        return [(row.kind, row.details) for row in rows]


__all__ = ["COUNTY", "Projects", "Role"]

"""Driving `AgencyWorkflow` directly on a Temporal server, as the API does."""

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy

from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencyFacts, AgencySnapshot
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.inbox import InboxStatus
from agencyflow.store.inbox import InboxItemRow
from agencyflow.store.timeline import TimelineRow
from agencyflow.workflows.agency import AgencyWorkflow
from agencyflow.workflows.agency_models import (
    AgencyInput,
    Submission,
    agency_resource,
    agency_workflow_id,
)
from tests.factories import uscc

COUNTY = Actor(user_id=2, name="莲都区应急管理局", role=Role.COUNTY_REGULATOR, county_code="331102")
OTHER_COUNTY = Actor(
    user_id=3, name="青田县应急管理局", role=Role.COUNTY_REGULATOR, county_code="331121"
)
CITY = Actor(user_id=4, name="市应急管理局", role=Role.CITY_REGULATOR)


def agency_actor(number: int = 1) -> Actor:
    return Actor(
        user_id=100 + number, name=f"机构{number}", role=Role.AGENCY, agency_uscc=uscc(number)
    )


class Agencies:
    """Submits applications the way the API does."""

    def __init__(self, client: Client, task_queue: str) -> None:
        self.client = client
        self.task_queue = task_queue

    async def submit(
        self,
        application: dict[str, Any],
        *,
        actor: Actor | None = None,
        policy: Policy | None = None,
        history_limit: int | None = None,
    ) -> tuple[WorkflowHandle[AgencyWorkflow, None], AgencySnapshot]:
        facts = AgencyFacts.model_validate(application)
        number = int(facts.uscc[10:17])
        start = WithStartWorkflowOperation(
            AgencyWorkflow.run,
            AgencyInput(uscc=facts.uscc, policy=policy or Policy(), history_limit=history_limit),
            id=agency_workflow_id(facts.uscc),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=self.task_queue,
        )
        snapshot = await self.client.execute_update_with_start_workflow(
            AgencyWorkflow.submit,
            Submission(actor=actor or agency_actor(number), facts=facts),
            start_workflow_operation=start,
        )
        return await start.workflow_handle(), snapshot


def open_items(engine: Engine, uscc_: str) -> dict[str, InboxItemRow]:
    with Session(engine) as session:
        rows = session.exec(
            select(InboxItemRow).where(
                InboxItemRow.resource == agency_resource(uscc_),
                InboxItemRow.status == InboxStatus.OPEN.value,
            )
        ).all()
        return {row.kind: row for row in rows}


def timeline_kinds(engine: Engine, uscc_: str) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(TimelineRow)
            .where(TimelineRow.resource == agency_resource(uscc_))
            .order_by(TimelineRow.seq)  # type: ignore[arg-type]
        ).all()
        return [row.kind for row in rows]

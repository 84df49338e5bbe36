"""A step counts only once it is recorded: a failed record leaves the workflow as it was."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, text
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from agencyflow.domain.project import FilingStatus, ProjectStage
from agencyflow.workflows.project.models import FilingDecision, PlanSubmission
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from tests.factories import agency_snapshot, project_request
from tests.waiting import eventually
from tests.workflows.agency_helpers import COUNTY, agency_actor
from tests.workflows.project_helpers import Projects, open_items, timeline_kinds

AGENCY = 1


@contextmanager
def unwritable(engine: Engine, table: str) -> Iterator[None]:
    """The read model refuses every record that writes ``table``: a database in trouble."""
    with engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))


async def records_failed(handle: WorkflowHandle[Any, Any]) -> int:
    """How many times the workflow has given up on recording a step (each after its bounded
    retries)."""
    history = await handle.fetch_history()
    return sum(
        event.HasField("marker_recorded_event_attributes")
        and event.marker_recorded_event_attributes.HasField("failure")
        for event in history.events
    )


async def test_an_update_whose_record_fails_did_not_happen(
    projects: Projects, engine: Engine
) -> None:
    agency = agency_snapshot(AGENCY)
    handle, created = await projects.create(agency, project_request())
    await handle.execute_update(
        ServiceProjectWorkflow.acknowledge_filing, FilingDecision(actor=COUNTY)
    )
    plan = PlanSubmission(actor=agency_actor(AGENCY), summary="服务方案")

    with unwritable(engine, "timeline_event"):
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update(ServiceProjectWorkflow.submit_plan, plan)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    assert (cause.type, cause.details[0]["code"]) == ("Unavailable", "record.failed")

    # Neither the workflow nor the read model moved.
    state = await handle.query(ServiceProjectWorkflow.state)
    assert state.progress is not None and state.progress.plan_submitted_at is None
    assert projects.snapshot(handle).stage is ProjectStage.PLANNING
    assert "plan.submit" in open_items(engine, created.project_id)

    # The same request, once the database is back, is taken once.
    planned = await projects.step(handle, ServiceProjectWorkflow.submit_plan, plan)
    assert planned.stage is ProjectStage.IN_SERVICE
    assert timeline_kinds(engine, created.project_id) == [
        "project.created",
        "filing.acknowledged",
        "plan.submitted",
    ]
    assert "plan.submit" not in open_items(engine, created.project_id)


async def test_a_timer_whose_record_fails_is_taken_again_later(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle, created = await projects.create(agency_snapshot(AGENCY), project_request())
    assert created.filing_due_at is not None
    now = await time_skipping_env.get_current_time()

    with unwritable(engine, "timeline_event"):
        await time_skipping_env.sleep(created.filing_due_at - now + dt.timedelta(minutes=1))
        await eventually(lambda: _at_least_one_failed(handle), within=30)
        state = await handle.query(ServiceProjectWorkflow.state)
        assert state.progress is not None and not state.progress.filing_escalated

    await time_skipping_env.sleep(dt.timedelta(minutes=2))
    await eventually(lambda: "filing.escalated" in open_items(engine, created.project_id))
    assert timeline_kinds(engine, created.project_id) == ["project.created", "filing.escalated"]
    state = await handle.query(ServiceProjectWorkflow.state)
    assert state.progress is not None and state.progress.filing_escalated
    assert state.progress.filing_status is FilingStatus.PENDING


async def _at_least_one_failed(handle: WorkflowHandle[ServiceProjectWorkflow, None]) -> bool:
    return await records_failed(handle) >= 1

import datetime as dt
import time
import uuid

from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.inbox import InboxStatus
from agencyflow.store.inbox import InboxItemRow
from agencyflow.worker import build_worker
from tests.workflows.probe import StepInput, StepResult, StepWithDeadline


def _items(engine: Engine, resource: str) -> dict[str, InboxItemRow]:
    with Session(engine) as session:
        rows = session.exec(select(InboxItemRow).where(InboxItemRow.resource == resource)).all()
        return {row.kind: row for row in rows}


async def test_a_30_day_deadline_passes_in_well_under_a_second(
    time_skipping_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> None:
    resource = f"probes/{uuid.uuid4().hex}"
    client = time_skipping_env.client
    async with build_worker(client, settings, engine, workflows=[StepWithDeadline]):
        began = time.monotonic()
        result = await client.execute_workflow(
            StepWithDeadline.run,
            StepInput(resource=resource, county_code="331102", deadline=dt.timedelta(days=30)),
            id=f"probe-{uuid.uuid4()}",
            task_queue=settings.temporal_task_queue,
            result_type=StepResult,
        )
        wall = time.monotonic() - began

    assert result.outcome == "escalated"
    assert result.ended_at - result.started_at >= dt.timedelta(days=30)
    assert wall < 1.0, f"30 workflow days took {wall:.2f}s of wall time"
    items = _items(engine, resource)
    assert items["probe.review"].status == InboxStatus.WITHDRAWN.value
    assert items["probe.review"].due_at == result.started_at + dt.timedelta(days=30)
    assert items["probe.escalation"].status == InboxStatus.OPEN.value
    assert items["probe.escalation"].scope_kind == "city"


async def test_the_step_taken_in_time_withdraws_its_item_without_escalation(
    time_skipping_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> None:
    resource = f"probes/{uuid.uuid4().hex}"
    client = time_skipping_env.client
    async with build_worker(client, settings, engine, workflows=[StepWithDeadline]):
        handle = await client.start_workflow(
            StepWithDeadline.run,
            StepInput(resource=resource, county_code="331102", deadline=dt.timedelta(days=30)),
            id=f"probe-{uuid.uuid4()}",
            task_queue=settings.temporal_task_queue,
        )
        await handle.signal(StepWithDeadline.done)
        result = await handle.result()

    assert result.outcome == "done"
    assert result.ended_at - result.started_at < dt.timedelta(days=30)
    items = _items(engine, resource)
    assert set(items) == {"probe.review"}
    assert items["probe.review"].status == InboxStatus.WITHDRAWN.value

import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.inbox import InboxStatus
from agencyflow.store.inbox import InboxItemRow
from agencyflow.worker import build_worker
from tests.workflows.probe import StepInput, StepResult, StepWithDeadline


@pytest_asyncio.fixture
async def client(
    time_skipping_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[Client]:
    """The time-skipping server's client, with the service's worker running the probe."""
    async with build_worker(
        time_skipping_env.client, settings, engine, workflows=[StepWithDeadline]
    ):
        yield time_skipping_env.client


async def _probe(
    client: Client, settings: Settings, resource: str
) -> WorkflowHandle[StepWithDeadline, StepResult]:
    """A probe of ``resource``: its review item is due in 30 days, then it escalates."""
    return await client.start_workflow(
        StepWithDeadline.run,
        StepInput(resource=resource, county_code="331102", deadline=dt.timedelta(days=30)),
        id=f"probe-{uuid.uuid4()}",
        task_queue=settings.temporal_task_queue,
    )


def _items(engine: Engine, resource: str) -> dict[str, InboxItemRow]:
    with Session(engine) as session:
        rows = session.exec(select(InboxItemRow).where(InboxItemRow.resource == resource)).all()
        return {row.kind: row for row in rows}


async def test_a_30_day_deadline_passes_in_well_under_a_second(
    client: Client, settings: Settings, engine: Engine
) -> None:
    resource = f"probes/{uuid.uuid4().hex}"
    began = time.monotonic()
    result = await (await _probe(client, settings, resource)).result()
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
    client: Client, settings: Settings, engine: Engine
) -> None:
    resource = f"probes/{uuid.uuid4().hex}"
    handle = await _probe(client, settings, resource)
    await handle.signal(StepWithDeadline.done)
    result = await handle.result()

    assert result.outcome == "done"
    assert result.ended_at - result.started_at < dt.timedelta(days=30)
    items = _items(engine, resource)
    assert set(items) == {"probe.review"}
    assert items["probe.review"].status == InboxStatus.WITHDRAWN.value

"""The worker's tuning comes from settings (issue 14, point 3), and a worker that keeps no
workflow in memory (``worker_max_cached_workflows = 0``: every task replays its history)
still carries a project's deadlines: the cache bounds memory, never correctness."""

import datetime as dt

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.complaints import ComplaintOutcome, ComplaintStage, ComplaintSubject
from agencyflow.store import complaints
from agencyflow.worker import build_worker
from agencyflow.workflows.complaint.models import (
    Acceptance,
    ComplaintInput,
    Outcome,
    complaint_workflow_id,
)
from agencyflow.workflows.complaint.workflow import ComplaintWorkflow
from tests.reading import timeline_kinds_of
from tests.waiting import eventually
from tests.workflows.agency_helpers import COUNTY

TUNED = {
    "worker_max_cached_workflows": 0,
    "worker_max_concurrent_workflow_tasks": 7,
    "worker_max_concurrent_activities": 9,
    "worker_max_concurrent_local_activities": 11,
    "worker_workflow_task_polls": 3,
    "worker_activity_task_polls": 2,
    "worker_sticky_schedule_to_start_seconds": 4.0,
}


async def test_a_worker_without_a_cache_still_keeps_every_deadline(
    settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    tuned = settings.model_copy(update=TUNED)
    worker = build_worker(time_skipping_env.client, tuned, engine)
    config = worker.config()
    assert config["max_cached_workflows"] == 0
    assert config["max_concurrent_workflow_tasks"] == 7
    assert config["max_concurrent_activities"] == 9
    assert config["max_concurrent_local_activities"] == 11
    assert config["max_concurrent_workflow_task_polls"] == 3
    assert config["max_concurrent_activity_task_polls"] == 2
    assert config["sticky_queue_schedule_to_start_timeout"] == dt.timedelta(seconds=4)

    code = "CTUNED1"
    async with worker:
        handle = await time_skipping_env.client.start_workflow(
            ComplaintWorkflow.run,
            ComplaintInput(
                code=code,
                policy=tuned.policy,
                filing=ComplaintSubject(
                    code=code,
                    agency_uscc=None,
                    agency_name="丽水某咨询公司",
                    county_code="331102",
                    account="未到现场即出具报告",
                    filed_at=await time_skipping_env.get_current_time(),
                ),
            ),
            id=complaint_workflow_id(code),
            task_queue=tuned.temporal_task_queue,
        )
        await eventually(lambda: complaints.get(engine, code) is not None)
        await handle.execute_update(ComplaintWorkflow.accept, Acceptance(actor=COUNTY))
        # Both reminders fire on a worker that replays the whole history for each.
        await time_skipping_env.sleep(dt.timedelta(days=51))
        await eventually(
            lambda: timeline_kinds_of(engine, f"complaints/{code}").count("complaint.reminded") == 2
        )
        await handle.execute_update(
            ComplaintWorkflow.decide,
            Outcome(
                actor=COUNTY,
                outcome=ComplaintOutcome.NOT_TRUE,
                findings="经查不属实",
                published="经查不属实",
            ),
        )
        await handle.result()
    shown = complaints.get(engine, code)
    assert shown is not None and shown.progress.stage is ComplaintStage.DECIDED

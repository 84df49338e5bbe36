"""The Temporal worker: every workflow and activity of the service on one task queue."""

import concurrent.futures
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from agencyflow.activities.agencies import AgencyActivities
from agencyflow.activities.calendar import compute_working_days_deadline
from agencyflow.activities.inbox import InboxActivities
from agencyflow.config.settings import Settings
from agencyflow.workflows.agency import AgencyWorkflow

WORKFLOWS: Sequence[type] = (AgencyWorkflow,)
"""Every workflow type of the service."""

# Our pure modules and pydantic are deterministic; passing them through saves
# re-importing them into every workflow sandbox.
_PASSTHROUGH = ("agencyflow.domain", "agencyflow.config.policy", "pydantic", "pydantic_core")


def activities(engine: Engine) -> list[Callable[..., Any]]:
    inbox = InboxActivities(engine)
    agencies = AgencyActivities(engine)
    return [
        inbox.send,
        inbox.withdraw,
        agencies.record,
        agencies.claim_full_time,
        compute_working_days_deadline,
    ]


def build_worker(
    client: Client,
    settings: Settings,
    engine: Engine,
    *,
    task_queue: str | None = None,
    workflows: Sequence[type] = WORKFLOWS,
    activity_executor: concurrent.futures.Executor | None = None,
) -> Worker:
    """A worker for the service; tests pass their own task queue and extra workflows."""
    return Worker(
        client,
        task_queue=task_queue or settings.temporal_task_queue,
        workflows=list(workflows),
        activities=activities(engine),
        # Activities touch the database synchronously; they run on these threads.
        activity_executor=activity_executor or concurrent.futures.ThreadPoolExecutor(32),
        # On shutdown, let running activities finish their (idempotent) writes.
        graceful_shutdown_timeout=timedelta(seconds=10),
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*_PASSTHROUGH)
        ),
    )

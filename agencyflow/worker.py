"""The Temporal worker: every workflow and activity of the service on one task queue."""

import concurrent.futures
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Replayer, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from agencyflow.activities.agencies import AgencyActivities
from agencyflow.activities.calendar import compute_working_days_deadline
from agencyflow.activities.hazards import HazardActivities
from agencyflow.activities.inbox import InboxActivities
from agencyflow.activities.platform import PlatformActivities
from agencyflow.activities.projects import ProjectActivities
from agencyflow.activities.rules import admission_verdict
from agencyflow.config.settings import Settings
from agencyflow.files import FileStore
from agencyflow.platform import ProvincialPlatform
from agencyflow.platform.http import HttpPlatform
from agencyflow.platform.outbox import OutboxPlatform
from agencyflow.temporal_client import DATA_CONVERTER
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from agencyflow.workflows.hazard.workflow import HazardWorkflow
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from agencyflow.workflows.reconciliation import PlatformReconciliationWorkflow

WORKFLOWS: Sequence[type] = (
    AgencyWorkflow,
    ServiceProjectWorkflow,
    HazardWorkflow,
    PlatformReconciliationWorkflow,
)
"""Every workflow type of the service."""

# Our pure modules and pydantic are deterministic; passing them through saves
# re-importing them into every workflow sandbox.
_PASSTHROUGH = (
    "agencyflow.domain",
    "agencyflow.config.policy",
    "agencyflow.config.limits",
    "agencyflow.workflows",
    "agencyflow.activities.names",
    "agencyflow.activities.platform",
    "pydantic",
    "pydantic_core",
)


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*_PASSTHROUGH)
    )


def build_replayer(workflows: Sequence[type] = WORKFLOWS) -> Replayer:
    """A replayer that runs histories through the workflows exactly as the worker does."""
    return Replayer(
        workflows=list(workflows),
        data_converter=DATA_CONVERTER,
        workflow_runner=workflow_runner(),
    )


def make_platform(settings: Settings, engine: Engine) -> ProvincialPlatform:
    if settings.platform == "http":
        token = settings.platform_token.get_secret_value() if settings.platform_token else None
        client = httpx.Client(base_url=settings.platform_url, timeout=60)
        return HttpPlatform(client, token)
    return OutboxPlatform(engine)


def activities(
    settings: Settings, engine: Engine, platform: ProvincialPlatform | None = None
) -> list[Callable[..., Any]]:
    inbox = InboxActivities(engine)
    provincial = PlatformActivities(
        engine, FileStore(settings.files_dir), platform or make_platform(settings, engine)
    )
    return [
        inbox.send,
        inbox.withdraw,
        AgencyActivities(engine).record,
        ProjectActivities(engine).record,
        HazardActivities(engine).record,
        provincial.submit_report,
        provincial.reports_awaiting_receipt,
        compute_working_days_deadline,
        admission_verdict,
    ]


def build_worker(
    client: Client,
    settings: Settings,
    engine: Engine,
    *,
    task_queue: str | None = None,
    workflows: Sequence[type] = WORKFLOWS,
    activity_executor: concurrent.futures.Executor | None = None,
    platform: ProvincialPlatform | None = None,
) -> Worker:
    """A worker for the service; tests pass their own task queue, workflows or platform."""
    return Worker(
        client,
        task_queue=task_queue or settings.temporal_task_queue,
        workflows=list(workflows),
        activities=activities(settings, engine, platform),
        # Activities touch the database synchronously; they run on these threads.
        activity_executor=activity_executor or concurrent.futures.ThreadPoolExecutor(32),
        # On shutdown, let running activities finish their (idempotent) writes.
        graceful_shutdown_timeout=timedelta(seconds=10),
        workflow_runner=workflow_runner(),
    )

"""The Temporal worker: every workflow and activity of the service on one task queue."""

import concurrent.futures
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, Worker, WorkflowRunner

from agencyflow.activities.agencies import AgencyActivities
from agencyflow.activities.calendar import compute_working_days_deadline
from agencyflow.activities.capability import CapabilityActivities
from agencyflow.activities.complaints import ComplaintActivities
from agencyflow.activities.hazards import HazardActivities
from agencyflow.activities.in_time import CommitInTime
from agencyflow.activities.inbox import InboxActivities
from agencyflow.activities.inspections import InspectionActivities, InspectionPlanActivities
from agencyflow.activities.platform import PlatformActivities
from agencyflow.activities.projects import ProjectActivities
from agencyflow.activities.reform import ReformActivities, ReformPolicyActivities
from agencyflow.activities.rules import AdmissionActivities, admission_verdict
from agencyflow.activities.spot_checks import SpotCheckActivities, SpotCheckDrawActivities
from agencyflow.config.settings import Settings
from agencyflow.files import FileStore
from agencyflow.platform import ProvincialPlatform
from agencyflow.platform.http import HttpPlatform
from agencyflow.platform.outbox import OutboxPlatform
from agencyflow.temporal_client import DATA_CONVERTER
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from agencyflow.workflows.capability.workflow import CapabilityTestWorkflow
from agencyflow.workflows.complaint.workflow import ComplaintWorkflow
from agencyflow.workflows.hazard.workflow import HazardWorkflow
from agencyflow.workflows.inspection.quarter import InspectionQuarterWorkflow
from agencyflow.workflows.inspection.workflow import InspectionCampaignWorkflow
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from agencyflow.workflows.reconciliation import PlatformReconciliationWorkflow
from agencyflow.workflows.reform.launch import ReformLaunchWorkflow
from agencyflow.workflows.reform.workflow import ReformProgrammeWorkflow
from agencyflow.workflows.spot_check.sampling import SpotCheckSamplingWorkflow
from agencyflow.workflows.spot_check.workflow import SpotCheckWorkflow

WORKFLOWS: Sequence[type] = (
    AgencyWorkflow,
    ServiceProjectWorkflow,
    HazardWorkflow,
    PlatformReconciliationWorkflow,
    CapabilityTestWorkflow,
    SpotCheckWorkflow,
    SpotCheckSamplingWorkflow,
    InspectionCampaignWorkflow,
    InspectionQuarterWorkflow,
    ComplaintWorkflow,
    ReformProgrammeWorkflow,
    ReformLaunchWorkflow,
)
"""Every workflow type of the service."""


def workflow_runner() -> WorkflowRunner:
    """Workflows run without Temporal's sandbox.

    The sandbox re-imports a workflow's modules into each run and intercepts calls to the
    clock, randomness and I/O; it does so only for modules it does not pass through, and
    every module our workflows use (domain rules, policy, the workflows themselves) must
    be passed through to be affordable, so it would guard nothing of ours while costing a
    call into the sandbox for every payload (measured: a quarter of the worker's time at
    load). Determinism is held instead by the lint rules of ``workflows/`` and ``domain/``
    (no clock, no randomness, no UUIDs: ruff TID251), which CI runs, and by replaying the
    recorded histories in ``tests/replay/`` on every change.
    """
    return UnsandboxedWorkflowRunner()


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
        CapabilityActivities(engine).record,
        SpotCheckActivities(engine).record,
        SpotCheckDrawActivities(engine, settings.policy).draw,
        InspectionActivities(engine).record,
        ComplaintActivities(engine).record,
        InspectionPlanActivities(engine, settings.policy).plan,
        ReformActivities(engine).record,
        ReformPolicyActivities(settings.policy).policy_in_force,
        provincial.submit_report,
        provincial.reports_awaiting_receipt,
        compute_working_days_deadline,
        admission_verdict,
        AdmissionActivities(settings.policy).assess,
    ]


def activity_threads(settings: Settings) -> concurrent.futures.ThreadPoolExecutor:
    """The threads every activity and local activity runs on (they touch the database
    synchronously): one for each activity slot besides ``worker_activity_threads`` for the
    records, so hand-offs waiting on a slow platform can hold at most their own threads and
    never make a step's record wait (it would time out, and the step would be refused)."""
    return concurrent.futures.ThreadPoolExecutor(
        settings.worker_activity_threads + settings.worker_max_concurrent_activities,
        thread_name_prefix="activity",
    )


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
        activity_executor=activity_executor or activity_threads(settings),
        max_cached_workflows=settings.worker_max_cached_workflows,
        max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
        max_concurrent_activities=settings.worker_max_concurrent_activities,
        max_concurrent_local_activities=settings.worker_max_concurrent_local_activities,
        max_concurrent_workflow_task_polls=settings.worker_workflow_task_polls,
        max_concurrent_activity_task_polls=settings.worker_activity_task_polls,
        sticky_queue_schedule_to_start_timeout=timedelta(
            seconds=settings.worker_sticky_schedule_to_start_seconds
        ),
        # On shutdown, let running activities finish their (idempotent) writes.
        graceful_shutdown_timeout=timedelta(seconds=10),
        workflow_runner=workflow_runner(),
        interceptors=[CommitInTime()],
    )

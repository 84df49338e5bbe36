"""Temporal Schedules the service keeps: what runs by the calendar rather than per thing."""

from typing import Any

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
)

from agencyflow.config.settings import Settings
from agencyflow.workflows.inspection.models import QuarterInput
from agencyflow.workflows.inspection.quarter import InspectionQuarterWorkflow
from agencyflow.workflows.reconciliation import PlatformReconciliationWorkflow, ReconciliationInput
from agencyflow.workflows.reform.launch import ReformLaunchWorkflow
from agencyflow.workflows.reform.models import LaunchInput
from agencyflow.workflows.spot_check.models import SamplingInput
from agencyflow.workflows.spot_check.sampling import SpotCheckSamplingWorkflow

log = structlog.get_logger(__name__)


def reconciliation_id(settings: Settings) -> str:
    """One schedule per deployment: deployments that share a namespace keep task queues apart."""
    return f"platform-reconciliation-{settings.temporal_task_queue}"


def _in_china_time(
    settings: Settings, workflow: Any, arg: Any, workflow_id: str, when: ScheduleCalendarSpec
) -> Schedule:
    """The workflow started at ``when``, China time; a start while one runs is skipped."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            workflow, arg, id=workflow_id, task_queue=settings.temporal_task_queue
        ),
        spec=ScheduleSpec(calendars=[when], time_zone_name="Asia/Shanghai"),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


def reconciliation_schedule(settings: Settings) -> Schedule:
    """Every day at 02:00 China time: reports without a receipt are handed over again."""
    return _in_china_time(
        settings,
        PlatformReconciliationWorkflow.run,
        ReconciliationInput(),
        reconciliation_id(settings),
        ScheduleCalendarSpec(hour=[ScheduleRange(2)], minute=[ScheduleRange(0)]),
    )


def sampling_id(settings: Settings) -> str:
    return f"spot-check-sampling-{settings.temporal_task_queue}"


def sampling_schedule(settings: Settings) -> Schedule:
    """On 1 January and 1 July at 03:00 China time: the half year just ended is sampled."""
    return _in_china_time(
        settings,
        SpotCheckSamplingWorkflow.run,
        SamplingInput(),
        sampling_id(settings),
        ScheduleCalendarSpec(
            month=[ScheduleRange(1), ScheduleRange(7)],
            day_of_month=[ScheduleRange(1)],
            hour=[ScheduleRange(3)],
            minute=[ScheduleRange(0)],
        ),
    )


def inspection_id(settings: Settings) -> str:
    return f"inspection-quarter-{settings.temporal_task_queue}"


def inspection_schedule(settings: Settings) -> Schedule:
    """On the first day of each quarter at 03:30 China time: every county's campaign."""
    return _in_china_time(
        settings,
        InspectionQuarterWorkflow.run,
        QuarterInput(deployment=settings.temporal_task_queue),
        inspection_id(settings),
        ScheduleCalendarSpec(
            month=[ScheduleRange(m) for m in (1, 4, 7, 10)],
            day_of_month=[ScheduleRange(1)],
            hour=[ScheduleRange(3)],
            minute=[ScheduleRange(30)],
        ),
    )


def reform_id(settings: Settings) -> str:
    return f"reform-launch-{settings.temporal_task_queue}"


def reform_schedule(settings: Settings) -> Schedule:
    """On 1 January at 04:00 China time: every county's reform programme for the year (or the
    policy's ``reform_year``) is opened; a county's programme already open stays as it is."""
    return _in_china_time(
        settings,
        ReformLaunchWorkflow.run,
        LaunchInput(),
        reform_id(settings),
        ScheduleCalendarSpec(
            month=[ScheduleRange(1)],
            day_of_month=[ScheduleRange(1)],
            hour=[ScheduleRange(4)],
            minute=[ScheduleRange(0)],
        ),
    )


async def ensure_schedules(client: Client, settings: Settings) -> None:
    """Create the schedules that are missing; existing ones are left as they are. The
    quarterly inspection runs once when its schedule is created: a service installed in the
    middle of a quarter inspects that quarter too."""
    for schedule_id, schedule, at_once in (
        (reconciliation_id(settings), reconciliation_schedule(settings), False),
        (sampling_id(settings), sampling_schedule(settings), False),
        (inspection_id(settings), inspection_schedule(settings), True),
        (reform_id(settings), reform_schedule(settings), False),
    ):
        try:
            handle = await client.create_schedule(schedule_id, schedule)
            log.info("temporal.schedule_created", id=schedule_id)
        except ScheduleAlreadyRunningError:
            continue
        if at_once:
            await handle.trigger()

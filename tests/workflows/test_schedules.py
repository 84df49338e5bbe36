"""The service's Temporal Schedules (the daily reconciliation, the half-yearly spot-check
sample, the quarterly inspection, the yearly reform programmes), created by the worker, on the
dev server."""

from sqlalchemy import Engine
from temporalio.client import Client, ScheduleActionStartWorkflow

from agencyflow.config.settings import Settings
from agencyflow.schedules import (
    ensure_schedules,
    inspection_id,
    reconciliation_id,
    reform_id,
    sampling_id,
)
from agencyflow.worker import build_worker
from agencyflow.workflows.reconciliation import ReconciliationResult
from tests.waiting import eventually


async def test_the_reconciliation_runs_every_day_at_two_china_time(
    temporal: Client, api_settings: Settings, engine: Engine
) -> None:
    await ensure_schedules(temporal, api_settings)
    await ensure_schedules(temporal, api_settings)  # a second worker leaves it as it is
    schedule = temporal.get_schedule_handle(reconciliation_id(api_settings))
    try:
        described = await schedule.describe()
        spec = described.schedule.spec
        assert spec.time_zone_name == "Asia/Shanghai"
        [calendar] = spec.calendars
        assert [(r.start, r.end) for r in calendar.hour] == [(2, 2)]
        assert [(r.start, r.end) for r in calendar.minute] == [(0, 0)]
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "PlatformReconciliationWorkflow"
        assert action.task_queue == api_settings.temporal_task_queue

        # Triggered now, as it will be at two in the morning: it runs on a worker and ends.
        async with build_worker(temporal, api_settings, engine):
            await schedule.trigger()
            await eventually(lambda: _ran(schedule), within=30)
            recent = (await schedule.describe()).info.recent_actions[-1]
            started = recent.action.workflow_id
            handle = temporal.get_workflow_handle(started, result_type=ReconciliationResult)
            result = await handle.result()
        assert result.signalled == 0
    finally:
        await _delete_all(temporal, api_settings)


async def _ran(schedule: object) -> bool:
    described = await schedule.describe()  # type: ignore[attr-defined]
    return bool(described.info.recent_actions)


async def test_the_spot_check_sample_is_drawn_each_first_of_january_and_july(
    temporal: Client, api_settings: Settings
) -> None:
    await ensure_schedules(temporal, api_settings)
    schedule = temporal.get_schedule_handle(sampling_id(api_settings))
    try:
        described = await schedule.describe()
        spec = described.schedule.spec
        assert spec.time_zone_name == "Asia/Shanghai"
        [calendar] = spec.calendars
        assert [(r.start, r.end) for r in calendar.month] == [(1, 1), (7, 7)]
        assert [(r.start, r.end) for r in calendar.day_of_month] == [(1, 1)]
        assert [(r.start, r.end) for r in calendar.hour] == [(3, 3)]
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "SpotCheckSamplingWorkflow"
    finally:
        await _delete_all(temporal, api_settings)


async def test_the_inspection_opens_each_quarter_and_once_when_first_created(
    temporal: Client, api_settings: Settings
) -> None:
    await ensure_schedules(temporal, api_settings)
    await ensure_schedules(temporal, api_settings)  # already there: not run again
    schedule = temporal.get_schedule_handle(inspection_id(api_settings))
    try:
        described = await schedule.describe()
        [calendar] = described.schedule.spec.calendars
        assert [(r.start, r.end) for r in calendar.month] == [(1, 1), (4, 4), (7, 7), (10, 10)]
        assert [(r.start, r.end) for r in calendar.day_of_month] == [(1, 1)]
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "InspectionQuarterWorkflow"
        await eventually(lambda: _ran(schedule), within=30)
        assert len((await schedule.describe()).info.recent_actions) == 1
    finally:
        await _delete_all(temporal, api_settings)


async def test_every_countys_reform_programme_is_opened_each_first_of_january(
    temporal: Client, api_settings: Settings
) -> None:
    await ensure_schedules(temporal, api_settings)
    schedule = temporal.get_schedule_handle(reform_id(api_settings))
    try:
        described = await schedule.describe()
        spec = described.schedule.spec
        assert spec.time_zone_name == "Asia/Shanghai"
        [calendar] = spec.calendars
        assert [(r.start, r.end) for r in calendar.month] == [(1, 1)]
        assert [(r.start, r.end) for r in calendar.day_of_month] == [(1, 1)]
        assert [(r.start, r.end) for r in calendar.hour] == [(4, 4)]
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "ReformLaunchWorkflow"
    finally:
        await _delete_all(temporal, api_settings)


async def _delete_all(temporal: Client, settings: Settings) -> None:
    for schedule_id in (
        reconciliation_id(settings),
        sampling_id(settings),
        inspection_id(settings),
        reform_id(settings),
    ):
        await temporal.get_schedule_handle(schedule_id).delete()

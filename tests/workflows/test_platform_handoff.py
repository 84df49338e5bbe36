"""The report's hand-off to 工业企业安全在线, outside every step (R10).

The upload is recorded and answered at once; the platform is only an HTTP API we cannot
reach from here, so these tests put `HttpPlatform` in front of an `httpx.MockTransport`
that plays the platform: down, refusing, or accepting.
"""

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest_asyncio
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.project import ProjectStage
from agencyflow.files import FileStore
from agencyflow.platform.http import HttpPlatform
from agencyflow.store import projects as project_store
from agencyflow.worker import build_worker
from agencyflow.workflows.project.models import ReportUpload, SpotCheckOpening
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from agencyflow.workflows.reconciliation import (
    PlatformReconciliationWorkflow,
    ReconciliationInput,
    ReconciliationResult,
)
from tests.factories import agency_snapshot, project_request
from tests.histories import keep_history
from tests.waiting import eventually
from tests.workflows.agency_helpers import COUNTY, agency_actor
from tests.workflows.project_helpers import Handle, Projects, open_items, timeline_kinds
from tests.workflows.temporal_helpers import refusal, server_today

AGENCY = 1


@dataclass
class FakePlatform:
    """The provincial platform as the tests need it; counts what reached it."""

    answer: int = 503
    reached: int = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.reached += 1
        if self.answer == 200:
            accepted = dt.datetime.now(dt.UTC).isoformat()
            return httpx.Response(200, json={"receipt_number": "ZJ-0001", "accepted_at": accepted})
        return httpx.Response(self.answer, text="文件损坏" if self.answer == 400 else "维护中")


@pytest_asyncio.fixture
async def platform() -> FakePlatform:
    return FakePlatform()


@pytest_asyncio.fixture
async def projects(
    time_skipping_env: WorkflowEnvironment,
    settings: Settings,
    engine: Engine,
    platform: FakePlatform,
) -> AsyncIterator[Projects]:
    client = HttpPlatform(
        httpx.Client(
            base_url="https://platform.example", transport=httpx.MockTransport(platform.handle)
        )
    )
    async with build_worker(time_skipping_env.client, settings, engine, platform=client):
        yield Projects(
            time_skipping_env.client,
            settings.temporal_task_queue,
            FileStore(settings.files_dir),
            engine,
        )


async def _uploaded(projects: Projects, env: WorkflowEnvironment) -> Handle:
    agency = agency_snapshot(AGENCY)
    handle, _ = await projects.in_service(agency, project_request())
    await projects.visit(handle, agency)
    await projects.end(handle, agency, await server_today(env))
    await handle.execute_update(
        ServiceProjectWorkflow.upload_report,
        ReportUpload(actor=agency_actor(AGENCY), file=projects.report()),
    )
    return handle


async def _reconcile(projects: Projects, workflow_id: str) -> ReconciliationResult:
    """One run of the daily reconciliation, as its schedule starts it."""
    return await projects.client.execute_workflow(
        PlatformReconciliationWorkflow.run,
        ReconciliationInput(),
        id=workflow_id,
        task_queue=projects.task_queue,
    )


def _awaiting(projects: Projects) -> list[str]:
    """The projects whose uploaded report still has no receipt from the platform."""
    return project_store.awaiting_receipt(projects.engine, after="", limit=10)


def _receipt(projects: Projects, handle: Handle) -> str | None:
    report = projects.snapshot(handle).report
    return report.receipt_number if report else None


async def test_an_upload_is_answered_while_the_platform_is_down_and_received_later(
    projects: Projects,
    engine: Engine,
    time_skipping_env: WorkflowEnvironment,
    platform: FakePlatform,
) -> None:
    handle = await _uploaded(projects, time_skipping_env)
    uploaded = projects.snapshot(handle)
    pid = uploaded.project_id
    assert uploaded.stage is ProjectStage.SPOT_CHECK  # the upload counts from now
    assert uploaded.report is not None and uploaded.report.awaiting_receipt
    assert _awaiting(projects) == [pid]

    # Six hours without the platform taking it: an admin is told; the project says why it waits.
    await time_skipping_env.sleep(dt.timedelta(hours=6, minutes=1))
    await eventually(lambda: "report.handoff_failing" in open_items(engine, pid))
    item = open_items(engine, pid)["report.handoff_failing"]
    assert (item.role, item.scope_kind) == ("admin", "system")
    waiting = projects.snapshot(handle)
    assert (
        waiting.handoff_failing and waiting.report is not None and waiting.report.awaiting_receipt
    )
    assert platform.reached > 3  # retried with backoff meanwhile
    # The platform may still refuse it: not yet a report to spot-check.
    early = await refusal(
        handle.execute_update(
            ServiceProjectWorkflow.open_spot_check, SpotCheckOpening(actor=COUNTY)
        )
    )
    assert early.details[0]["code"] == "spot_check.awaiting_receipt"
    assert projects.snapshot(handle).spot_check is None

    platform.answer = 200
    await time_skipping_env.sleep(dt.timedelta(minutes=31))
    await eventually(lambda: _receipt(projects, handle) == "ZJ-0001")
    assert "report.handoff_failing" not in open_items(engine, pid)
    assert not projects.snapshot(handle).handoff_failing
    assert _awaiting(projects) == []
    received = projects.snapshot(handle)
    assert received.report is not None and received.report.received_at is not None
    # The spot-check window runs from the receipt, not from the upload.
    assert received.spot_check_window_ends_at is not None
    assert received.spot_check_window_ends_at - received.report.uploaded_at > dt.timedelta(
        days=30, hours=6
    )
    await handle.execute_update(
        ServiceProjectWorkflow.open_spot_check, SpotCheckOpening(actor=COUNTY)
    )
    assert timeline_kinds(engine, pid)[-4:-1] == [
        "report.uploaded",
        "report.handoff_failing",
        "report.received",
    ]
    await keep_history(projects.client, handle.id, "platform-down-then-received")


async def test_a_report_the_platform_refuses_must_be_uploaded_again(
    projects: Projects,
    engine: Engine,
    time_skipping_env: WorkflowEnvironment,
    platform: FakePlatform,
) -> None:
    platform.answer = 400
    handle = await _uploaded(projects, time_skipping_env)
    pid = projects.snapshot(handle).project_id
    await eventually(lambda: projects.snapshot(handle).report_refused is not None)
    refused = projects.snapshot(handle)
    assert refused.stage is ProjectStage.REPORTING and refused.report is None
    assert "文件损坏" in (refused.report_refused or "")
    assert "report.upload" in open_items(engine, pid)
    assert platform.reached == 1  # a refusal is not retried

    platform.answer = 200
    await handle.execute_update(
        ServiceProjectWorkflow.upload_report,
        ReportUpload(
            actor=agency_actor(AGENCY), file=projects.report(b"%PDF-1.7\n% fixed\n%%EOF\n")
        ),
    )
    await eventually(lambda: _receipt(projects, handle) == "ZJ-0001")
    assert projects.snapshot(handle).report_refused is None
    assert "report.upload" not in open_items(engine, pid)
    await keep_history(projects.client, handle.id, "platform-refused")


async def test_the_daily_reconciliation_hands_over_what_the_platform_never_took(
    projects: Projects, time_skipping_env: WorkflowEnvironment, platform: FakePlatform
) -> None:
    handle = await _uploaded(projects, time_skipping_env)
    # A whole day down: the project's own hand-off gives up and waits for the reconciliation.
    await time_skipping_env.sleep(dt.timedelta(days=1, hours=1))
    tried = platform.reached
    await time_skipping_env.sleep(dt.timedelta(hours=6))
    assert platform.reached == tried
    assert _receipt(projects, handle) is None

    platform.answer = 200
    assert (await _reconcile(projects, "platform-reconciliation-test")).signalled == 1
    await eventually(lambda: _receipt(projects, handle) == "ZJ-0001")
    assert _awaiting(projects) == []
    await keep_history(projects.client, "platform-reconciliation-test", "one-report-handed-over")
    # Nothing left to hand over: the next day's run signals no one.
    assert (await _reconcile(projects, "platform-reconciliation-test-2")).signalled == 0

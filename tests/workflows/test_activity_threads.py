"""A provincial platform that does not answer holds only the hand-offs' own threads: every
other step's record still finds a thread and is written (nothing external is awaited by a
step, DESIGN.md "Workflows that last for years")."""

import threading

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.project import ProjectStage
from agencyflow.files import FileStore
from agencyflow.platform import PlatformReceipt, ReportSubmission
from agencyflow.worker import build_worker
from agencyflow.workflows.project.models import ReportUpload
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from tests.factories import agency_snapshot, project_request
from tests.waiting import eventually
from tests.workflows.agency_helpers import agency_actor
from tests.workflows.project_helpers import Projects, timeline_kinds
from tests.workflows.temporal_helpers import server_today

AGENCY = 1
SLOTS = 2


class SilentPlatform:
    """Takes each submission and answers nothing until released."""

    def __init__(self) -> None:
        self.waiting = 0
        self._lock = threading.Lock()
        self.released = threading.Event()

    def submit(self, submission: ReportSubmission, content: bytes) -> PlatformReceipt:
        with self._lock:
            self.waiting += 1
        self.released.wait(120)
        raise TimeoutError("the platform did not answer")


async def test_hand_offs_stuck_on_the_platform_leave_threads_for_every_record(
    time_skipping_env: WorkflowEnvironment,
    settings: Settings,
    engine: Engine,
) -> None:
    tuned = settings.model_copy(
        update={"worker_activity_threads": 2, "worker_max_concurrent_activities": SLOTS}
    )
    projects = Projects(
        time_skipping_env.client, tuned.temporal_task_queue, FileStore(settings.files_dir), engine
    )
    silent = SilentPlatform()
    async with build_worker(time_skipping_env.client, tuned, engine, platform=silent):
        try:
            await _steps_beside_stuck_hand_offs(projects, time_skipping_env, engine, silent)
        finally:
            # Let the stuck threads go before the worker waits for them to end.
            silent.released.set()


async def _steps_beside_stuck_hand_offs(
    projects: Projects, env: WorkflowEnvironment, engine: Engine, silent: SilentPlatform
) -> None:
    agency = agency_snapshot(AGENCY)
    other, _ = await projects.in_service(agency, project_request(contract_number="LS-2026-900"))
    today = await server_today(env)
    for n in range(SLOTS):
        handle, _ = await projects.in_service(
            agency, project_request(contract_number=f"LS-2026-00{n}")
        )
        await projects.visit(handle, agency)
        await projects.end(handle, agency, today)
        await handle.execute_update(
            ServiceProjectWorkflow.upload_report,
            ReportUpload(actor=agency_actor(AGENCY), file=projects.report()),
        )
    # Every activity slot now waits on the platform, each on a thread.
    await eventually(lambda: silent.waiting == SLOTS)

    await projects.visit(other, agency)
    ended = await projects.end(other, agency, today)
    assert ended.stage is ProjectStage.REPORTING
    assert timeline_kinds(engine, ended.project_id)[-2:] == ["visit.recorded", "service.ended"]
    assert silent.waiting == SLOTS

"""Bounded histories: projects and hazards continue as new in mid-life and lose nothing.

A tiny event limit makes them continue as new after nearly every step; the timers still
fire, a repeated update is still answered once, and the read model still shows it all.
"""

import datetime as dt

from sqlalchemy import Engine
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.limits import HistoryLimits
from agencyflow.domain.hazard import HazardStatus, RectificationEvidence
from agencyflow.store import credit as credit_store
from agencyflow.store import hazards as hazard_store
from agencyflow.workflows.hazard.models import (
    Acknowledgement,
    HazardEvidence,
    HazardVerification,
    Supervision,
)
from agencyflow.workflows.hazard.workflow import HazardWorkflow
from agencyflow.workflows.project.models import ReportUpload
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from tests.factories import PHOTO, agency_snapshot, hazard, project_request
from tests.histories import keep_history
from tests.waiting import eventually
from tests.workflows.agency_helpers import CITY, COUNTY, agency_actor
from tests.workflows.project_helpers import Projects, hazard_items, open_items, timeline_kinds
from tests.workflows.temporal_helpers import server_today

AGENCY = 1
TINY = HistoryLimits(max_events=10)


async def _runs(client: Client, workflow_id: str) -> int:
    """How many runs the workflow has had, following continue-as-new back to the first."""
    count, run_id = 0, ""
    while True:
        handle = client.get_workflow_handle(workflow_id, run_id=run_id or None)
        started = (
            (await handle.fetch_history()).events[0].workflow_execution_started_event_attributes
        )
        count += 1
        if not started.continued_execution_run_id:
            return count
        run_id = started.continued_execution_run_id


async def test_a_project_continued_as_new_keeps_its_timers_and_answers(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    agency = agency_snapshot(AGENCY)
    handle, created = await projects.in_service(agency, project_request(), limits=TINY)
    pid = created.project_id
    today = await server_today(time_skipping_env)
    await projects.visit(handle, agency, on=today, hazards=[hazard()])
    ended = await projects.end(handle, agency, today)
    assert ended.report_due_at is not None
    assert await _runs(projects.client, handle.id) > 1

    # The reminders and the deadline still fire, in later runs.
    now = await time_skipping_env.get_current_time()
    await time_skipping_env.sleep(ended.report_due_at - now + dt.timedelta(minutes=1))
    await eventually(lambda: "report.overdue" in open_items(engine, pid))
    kinds = timeline_kinds(engine, pid)
    assert kinds.count("report.reminded") == 2 and kinds.count("report.overdue") == 1

    # An upload, and the same upload again after the workflow continued as new: one upload.
    upload = ReportUpload(actor=agency_actor(AGENCY), file=projects.report())
    first = await handle.execute_update(ServiceProjectWorkflow.upload_report, upload, id="upload-1")
    runs = await _runs(projects.client, handle.id)
    await eventually(lambda: _more_runs(projects.client, handle.id, runs))
    again = await handle.execute_update(ServiceProjectWorkflow.upload_report, upload, id="upload-1")
    assert again == first
    assert timeline_kinds(engine, pid).count("report.uploaded") == 1
    assert [kind for kind, _ in _credit(engine)].count("report.late") == 1
    await keep_history(projects.client, handle.id, "continued-as-new")


async def _more_runs(client: Client, workflow_id: str, than: int) -> bool:
    return await _runs(client, workflow_id) > than


def _credit(engine: Engine) -> list[tuple[str, object]]:
    return [
        (e.kind, e.details) for e in credit_store.of_agency(engine, agency_snapshot(AGENCY).uscc)
    ]


async def test_a_hazard_continued_as_new_is_followed_to_its_end(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    agency = agency_snapshot(AGENCY)
    handle, _ = await projects.in_service(agency, project_request(), limits=TINY)
    visited = await projects.visit(handle, agency, hazards=[hazard(level="major")])
    [hazard_id] = visited.visits[0].hazard_ids
    major: WorkflowHandle[HazardWorkflow, None] = projects.hazard(hazard_id)

    await major.execute_update(HazardWorkflow.acknowledge, Acknowledgement(actor=COUNTY))
    today = await server_today(time_skipping_env)
    await major.execute_update(
        HazardWorkflow.supervise,
        Supervision(actor=COUNTY, deadline=today + dt.timedelta(days=3), notes="挂牌督办"),
    )
    assert await _runs(projects.client, major.id) > 1

    # The supervised deadline passes in a later run: county and city are told.
    await time_skipping_env.sleep(dt.timedelta(days=5))
    await eventually(lambda: "major_hazard.supervision_overdue" in hazard_items(engine, hazard_id))
    assert "major_hazard.supervision_overdue.city" in hazard_items(engine, hazard_id)

    evidence = HazardEvidence(
        actor=agency_actor(AGENCY),
        hazard_id=hazard_id,
        evidence=RectificationEvidence(
            after_photos=[PHOTO], description="已停产整改完毕", rectified_on=today
        ),
    )
    await major.execute_update(HazardWorkflow.submit_evidence, evidence, id="evidence-1")
    runs = await _runs(projects.client, major.id)
    await major.execute_update(HazardWorkflow.verify, HazardVerification(actor=CITY, accepted=True))
    await major.result()
    assert await _runs(projects.client, major.id) >= runs
    record = hazard_store.get(engine, hazard_id)
    assert record is not None and record.status is HazardStatus.CLOSED
    assert [e.kind for e in hazard_store.entries_of(engine, [hazard_id])] == [
        "found",
        "acknowledged",
        "supervised",
        "overdue",
        "evidence",
        "verified",
    ]
    assert hazard_items(engine, hazard_id) == {}
    await keep_history(projects.client, major.id, "continued-as-new")

"""AgencyWorkflow keeps its credit (R8): an event from its project rescores it, a fall to C
or D reaches its regulator, and when the event stops counting the grade rises by itself."""

import datetime as dt

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.credit import CreditGrade
from agencyflow.domain.project import CreditEvent
from agencyflow.store import agencies
from agencyflow.workflows.agency.models import Decision
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from agencyflow.workflows.project.models import ReportUpload
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from tests.factories import facts, fresh_agency
from tests.histories import keep_history
from tests.waiting import eventually
from tests.workflows.agency_helpers import (
    COUNTY,
    Agencies,
    Handle,
    agency_actor,
    open_items,
    timeline_kinds,
)
from tests.workflows.project_helpers import Projects
from tests.workflows.temporal_helpers import server_today


async def _admitted(projects: Projects, settings: Settings, engine: Engine) -> Handle:
    drive = Agencies(projects.client, settings.temporal_task_queue, engine)
    handle, _ = await drive.submit(facts(fresh_agency()))
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    return handle


def _agency(engine: Engine, handle: Handle) -> AgencySnapshot:
    found = agencies.get(engine, handle.id.removeprefix("agency-"))
    assert found is not None
    return found


def _event(handle: Handle, name: str, points: int, at: dt.datetime) -> CreditEvent:
    return CreditEvent(
        agency_uscc=handle.id.removeprefix("agency-"),
        source=f"penalties/{name}",
        kind="administrative_penalty",
        occurred_at=at,
        points=points,
    )


async def test_a_late_report_of_its_project_rescores_the_agency(
    projects: Projects, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await _admitted(projects, settings, engine)
    agency = _agency(engine, handle)
    today = await server_today(time_skipping_env)
    project, ended = await projects.ended(agency, today, today)
    now = await time_skipping_env.get_current_time()
    await time_skipping_env.sleep(ended.report_due_at - now + dt.timedelta(days=1))
    number = int(agency.uscc[10:17])
    upload = ReportUpload(actor=agency_actor(number), file=projects.report())
    await project.execute_update(ServiceProjectWorkflow.upload_report, upload)

    await eventually(lambda: "credit.event" in timeline_kinds(engine, agency.uscc))
    rescored = _agency(engine, handle)
    assert (rescored.credit_score, rescored.credit_grade) == (98, CreditGrade.A)
    assert "credit.grade_changed" not in timeline_kinds(engine, agency.uscc)


async def test_a_fall_to_c_reaches_the_county_and_the_grade_rises_when_the_events_expire(
    projects: Projects, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await _admitted(projects, settings, engine)
    a = handle.id.removeprefix("agency-")
    now = await time_skipping_env.get_current_time()
    first = _event(handle, "a", 11, now)
    await handle.signal(AgencyWorkflow.credit_event, first)
    await handle.signal(AgencyWorkflow.credit_event, first)  # sent twice, taken once
    await handle.signal(AgencyWorkflow.credit_event, _event(handle, "b", 11, now))

    await eventually(lambda: "credit.grade_dropped" in open_items(engine, a))
    fallen = _agency(engine, handle)
    assert (fallen.credit_score, fallen.credit_grade) == (78, CreditGrade.C)
    county = open_items(engine, a)["credit.grade_dropped"]
    assert (county.role, county.scope_id) == ("county_regulator", "331102")
    # One step per event: 89 (B), then 78 (C); the agency's item tells the latest change.
    assert "B 级变为 C 级" in open_items(engine, a)["credit.grade_changed"].title
    assert timeline_kinds(engine, a).count("credit.event") == 2

    await time_skipping_env.sleep(dt.timedelta(days=366))
    await eventually(lambda: "credit.grade_dropped" not in open_items(engine, a))
    risen = _agency(engine, handle)
    assert (risen.credit_score, risen.credit_grade) == (100, CreditGrade.A)
    assert "C 级变为 A 级" in open_items(engine, a)["credit.grade_changed"].title
    assert timeline_kinds(engine, a)[-2:] == ["credit.event_expired", "credit.grade_changed"]
    await keep_history(projects.client, handle.id, "credit-fell-and-rose")

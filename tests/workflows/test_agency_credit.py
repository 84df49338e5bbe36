"""AgencyWorkflow keeps its credit (R8): an event from its project rescores it, a fall to C
or D reaches its regulator, and when the event stops counting the grade rises by itself."""

import datetime as dt

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.credit import CreditGrade, RecordedKind
from agencyflow.domain.project import CreditEvent
from agencyflow.store import credit as credit_store
from agencyflow.workflows.agency.models import (
    CreditObjection,
    ObjectionDecision,
)
from agencyflow.workflows.agency.objection import objection_resource
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from agencyflow.workflows.project.models import ReportUpload
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from tests.histories import keep_history
from tests.reading import open_items_of
from tests.waiting import eventually
from tests.workflows.agency_helpers import (
    CITY,
    Handle,
    agency_actor,
    open_items,
    timeline_kinds,
)
from tests.workflows.credit_helpers import admitted, agency_of, recorded
from tests.workflows.project_helpers import Projects
from tests.workflows.temporal_helpers import refusal, server_today


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
    handle = await admitted(projects, settings, engine)
    agency = agency_of(engine, handle)
    today = await server_today(time_skipping_env)
    project, ended = await projects.ended(agency, today, today)
    now = await time_skipping_env.get_current_time()
    await time_skipping_env.sleep(ended.report_due_at - now + dt.timedelta(days=1))
    number = int(agency.uscc[10:17])
    upload = ReportUpload(actor=agency_actor(number), file=projects.report())
    await project.execute_update(ServiceProjectWorkflow.upload_report, upload)

    await eventually(lambda: "credit.event" in timeline_kinds(engine, agency.uscc))
    rescored = agency_of(engine, handle)
    assert (rescored.credit_score, rescored.credit_grade) == (98, CreditGrade.A)
    assert "credit.grade_changed" not in timeline_kinds(engine, agency.uscc)


async def test_a_fall_to_c_reaches_the_county_and_the_grade_rises_when_the_events_expire(
    projects: Projects, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await admitted(projects, settings, engine)
    a = handle.id.removeprefix("agency-")
    now = await time_skipping_env.get_current_time()
    first = _event(handle, "a", 11, now)
    await handle.signal(AgencyWorkflow.credit_event, first)
    await handle.signal(AgencyWorkflow.credit_event, first)  # sent twice, taken once
    await handle.signal(AgencyWorkflow.credit_event, _event(handle, "b", 11, now))

    await eventually(lambda: "credit.grade_dropped" in open_items(engine, a))
    fallen = agency_of(engine, handle)
    assert (fallen.credit_score, fallen.credit_grade) == (78, CreditGrade.C)
    county = open_items(engine, a)["credit.grade_dropped"]
    assert (county.role, county.scope_id) == ("county_regulator", "331102")
    # One step per event: 89 (B), then 78 (C); the agency's item tells the latest change.
    assert "B 级变为 C 级" in open_items(engine, a)["credit.grade_changed"].title
    assert timeline_kinds(engine, a).count("credit.event") == 2

    await time_skipping_env.sleep(dt.timedelta(days=366))
    await eventually(lambda: "credit.grade_dropped" not in open_items(engine, a))
    risen = agency_of(engine, handle)
    assert (risen.credit_score, risen.credit_grade) == (100, CreditGrade.A)
    assert "C 级变为 A 级" in open_items(engine, a)["credit.grade_changed"].title
    assert timeline_kinds(engine, a)[-2:] == ["credit.event_expired", "credit.grade_changed"]
    await keep_history(projects.client, handle.id, "credit-fell-and-rose")


async def test_an_objection_unanswered_goes_to_the_city_which_revokes_the_event(
    projects: Projects, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await admitted(projects, settings, engine)
    a = handle.id.removeprefix("agency-")
    agency = agency_actor(int(a[10:17]))
    event = await recorded(handle, engine, RecordedKind.ADMINISTRATIVE_PENALTY)
    objection = CreditObjection(actor=agency, source=event.source, reasons=["处罚已撤销"])
    await handle.execute_update(AgencyWorkflow.object_to_credit_event, objection)
    resource = objection_resource(a, 1)
    review = open_items_of(engine, resource)["credit.objection"]
    assert (review.role, review.scope_id) == ("county_regulator", "331102")
    twice = await refusal(handle.execute_update(AgencyWorkflow.object_to_credit_event, objection))
    assert twice.details[0]["code"] == "credit.already_objected"

    await time_skipping_env.sleep(review.due_at - await time_skipping_env.get_current_time())
    await eventually(lambda: "credit.objection.escalated" in open_items_of(engine, resource))
    assert open_items_of(engine, resource)["credit.objection.escalated"].role == "city_regulator"

    revoke = ObjectionDecision(actor=CITY, source=event.source, revoke=True, reasons=["属实"])
    await handle.execute_update(AgencyWorkflow.decide_objection, revoke)
    assert open_items_of(engine, resource) == {}
    (revoked,) = credit_store.of_agency(engine, a)
    assert revoked.revoked_at is not None
    restored = agency_of(engine, handle)
    assert (restored.credit_score, restored.credit_grade) == (100, CreditGrade.A)
    # 90 is still A: the revocation changes the score, not the grade.
    assert timeline_kinds(engine, a)[-3:] == [
        "credit.objected",
        "credit.objection_escalated",
        "credit.objection_decided",
    ]
    await keep_history(projects.client, handle.id, "credit-objection-revoked")


async def test_an_objection_comes_within_five_working_days(
    projects: Projects, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await admitted(projects, settings, engine)
    a = handle.id.removeprefix("agency-")
    event = await recorded(handle, engine, RecordedKind.WORK_BEYOND_SCOPE)
    await time_skipping_env.sleep(dt.timedelta(days=10))  # at least 5 working days, holidays or not
    late = CreditObjection(actor=agency_actor(int(a[10:17])), source=event.source, reasons=["迟"])
    refused = await refusal(handle.execute_update(AgencyWorkflow.object_to_credit_event, late))
    assert refused.details[0]["code"] == "credit.objection_too_late"
    assert open_items_of(engine, objection_resource(a, 1)) == {}

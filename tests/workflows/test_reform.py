"""The county's reform programme (issue 12, point 5; R1, R15) on the time-skipping server:
its tasks seeded from policy into the county's inbox, the service-type list a close-out
needs, evidence and the city's sign-off (four eyes), a task left open past its due date
sent to the city's inbox once, and the yearly launch opening each county's programme once."""

import datetime as dt
from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.settings import Settings
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.reform import (
    EvidenceRequest,
    ReportGuideline,
    ServiceTypeEntry,
    ServiceTypeList,
    TaskStatus,
)
from agencyflow.domain.regions import JURISDICTIONS
from agencyflow.domain.service_types import ServiceType
from agencyflow.store import reform
from agencyflow.worker import build_worker
from agencyflow.workflows.reform.launch import ReformLaunchWorkflow
from agencyflow.workflows.reform.models import (
    EvidenceSubmission,
    LaunchInput,
    OwnerAssignment,
    ReformInput,
    ReformOpening,
    ServiceTypesUpdate,
    SignOff,
    reform_resource,
    reform_workflow_id,
)
from agencyflow.workflows.reform.workflow import ReformProgrammeWorkflow
from tests.histories import keep_history
from tests.reading import open_items_of, timeline_kinds_of
from tests.waiting import eventually
from tests.workflows.agency_helpers import CITY, COUNTY, OTHER_COUNTY
from tests.workflows.driver import Driver
from tests.workflows.temporal_helpers import refusal, server_today

SECOND_CITY_OFFICER = Actor(user_id=5, name="市安委办", role=Role.CITY_REGULATOR)
EVIDENCE = EvidenceRequest(files=["a" * 64], note="县政府办公室印发")
TYPES = ServiceTypeList(
    types=[
        ServiceTypeEntry(
            service_type=ServiceType.HAZARD_INVESTIGATION,
            checkpoints=["进场前制定排查方案", "隐患逐项拍照取证", "复查闭环"],
            guidelines=[ReportGuideline(code="DB3311/T 12-2025", title="隐患排查报告编制导则")],
        )
    ]
)


@pytest_asyncio.fixture
async def driver(
    time_skipping_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[Driver]:
    async with build_worker(time_skipping_env.client, settings, engine):
        yield Driver(time_skipping_env.client, settings.temporal_task_queue, engine)


async def _opened(driver: Driver, settings: Settings, year: int) -> WorkflowHandle:
    handle: WorkflowHandle = await driver.start_with(
        ReformProgrammeWorkflow.run,
        # A short history: the programme continues as new along the way, timers and all.
        ReformInput(
            county_code="331102",
            year=year,
            policy=settings.policy,
            limits=HistoryLimits(max_events=40),
        ),
        reform_workflow_id("331102", year),
        ReformProgrammeWorkflow.open,
        ReformOpening(actor=COUNTY, county_code="331102", year=year),
    )
    return handle


async def _sleep_until(env: WorkflowEnvironment, day: dt.date) -> None:
    """Skip the server's clock to the start of ``day``, China time."""
    target = dt.datetime.combine(day, dt.time(1), CHINA_TZ)
    await env.sleep(target - await env.get_current_time())


async def _close(handle: WorkflowHandle, key: str, by: Actor = COUNTY) -> None:
    await handle.execute_update(
        ReformProgrammeWorkflow.submit_evidence,
        EvidenceSubmission(actor=by, key=key, evidence=EVIDENCE),
    )
    await handle.execute_update(
        ReformProgrammeWorkflow.sign_off, SignOff(actor=CITY, key=key, accepted=True)
    )


async def test_a_task_left_open_past_its_date_goes_to_the_city_and_closes_on_sign_off(
    driver: Driver, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    year = (await server_today(time_skipping_env)).year + 1
    handle = await _opened(driver, settings, year)
    resource = reform_resource("331102", year)
    programme = reform.get(engine, "331102", year)
    assert programme is not None
    assert [(t.key, t.due_at.astimezone(CHINA_TZ).date()) for t in programme.tasks] == [
        ("type_list", dt.date(year, 10, 1)),
        ("guideline", dt.date(year, 10, 11)),
        ("capability_test", dt.date(year, 11, 1)),
        ("verification", dt.date(year, 12, 1)),
        ("summary", dt.date(year + 1, 1, 1)),
    ]
    items = open_items_of(engine, resource)
    assert sorted(items) == sorted(f"reform.task.{t.key}" for t in programme.tasks)
    assert {(i.role, i.scope_id) for i in items.values()} == {("county_regulator", "331102")}

    again = await refusal(
        handle.execute_update(
            ReformProgrammeWorkflow.open,
            ReformOpening(actor=CITY, county_code="331102", year=year),
        )
    )
    assert again.type == "Conflict"
    elsewhere = await refusal(
        handle.execute_update(
            ReformProgrammeWorkflow.set_service_types,
            ServiceTypesUpdate(actor=OTHER_COUNTY, types=TYPES),
        )
    )
    assert elsewhere.type == "Forbidden"
    no_list = await refusal(
        handle.execute_update(
            ReformProgrammeWorkflow.submit_evidence,
            EvidenceSubmission(actor=COUNTY, key="type_list", evidence=EVIDENCE),
        )
    )
    assert no_list.type == "RuleViolations"  # the list and its checkpoints come first
    no_evidence = await refusal(
        handle.execute_update(
            ReformProgrammeWorkflow.sign_off, SignOff(actor=CITY, key="summary", accepted=True)
        )
    )
    assert no_evidence.type == "RuleViolations"

    await handle.execute_update(
        ReformProgrammeWorkflow.set_service_types, ServiceTypesUpdate(actor=COUNTY, types=TYPES)
    )
    await handle.execute_update(
        ReformProgrammeWorkflow.assign_owner,
        OwnerAssignment(actor=COUNTY, key="type_list", owner="莲都区应急管理局监管科"),
    )
    await handle.execute_update(
        ReformProgrammeWorkflow.submit_evidence,
        EvidenceSubmission(actor=COUNTY, key="type_list", evidence=EVIDENCE),
    )
    assert "reform.sign_off.type_list" in open_items_of(engine, resource)
    by_county = await refusal(
        handle.execute_update(
            ReformProgrammeWorkflow.sign_off, SignOff(actor=COUNTY, key="type_list", accepted=True)
        )
    )
    assert by_county.type == "Forbidden"
    await handle.execute_update(
        ReformProgrammeWorkflow.sign_off,
        SignOff(actor=CITY, key="type_list", accepted=False, reasons=["缺少质量内审要求"]),
    )
    sent_back = reform.get(engine, "331102", year).tasks[0]  # type: ignore[union-attr]
    assert (sent_back.status, sent_back.returned) == (TaskStatus.OPEN, ["缺少质量内审要求"])
    await _close(handle, "type_list")
    closed = reform.get(engine, "331102", year).tasks[0]  # type: ignore[union-attr]
    assert closed.status is TaskStatus.CLOSED and closed.owner == "莲都区应急管理局监管科"
    assert not any(kind.endswith(".type_list") for kind in open_items_of(engine, resource))

    # The guideline task is left open past 10 October: the city is told, once.
    await _sleep_until(time_skipping_env, dt.date(year, 10, 12))
    await eventually(lambda: "reform.overdue.guideline" in open_items_of(engine, resource))
    city_item = open_items_of(engine, resource)["reform.overdue.guideline"]
    assert (city_item.role, city_item.scope_id) == ("city_regulator", "331100")
    late = reform.search_tasks(
        engine, county_code="331102", year=year, overdue=True, status=None, limit=10, offset=0
    )
    assert [v.task.key for v in late[1]] == ["guideline"]

    # Four eyes: a city regulator who submitted the evidence does not sign it off.
    await handle.execute_update(
        ReformProgrammeWorkflow.submit_evidence,
        EvidenceSubmission(actor=CITY, key="guideline", evidence=EVIDENCE),
    )
    own = await refusal(
        handle.execute_update(
            ReformProgrammeWorkflow.sign_off, SignOff(actor=CITY, key="guideline", accepted=True)
        )
    )
    assert own.type == "Forbidden"
    await handle.execute_update(
        ReformProgrammeWorkflow.sign_off,
        SignOff(actor=SECOND_CITY_OFFICER, key="guideline", accepted=True),
    )
    assert not any(kind.endswith(".guideline") for kind in open_items_of(engine, resource))
    for key in ("capability_test", "verification", "summary"):
        await _close(handle, key)
    await handle.result()  # every task closed: the programme's year is done
    done = reform.get(engine, "331102", year)
    assert done is not None and done.finished
    assert open_items_of(engine, resource) == {}
    kinds = timeline_kinds_of(engine, resource)
    assert kinds.count("reform.overdue") == 1 and kinds[0] == "reform.opened"
    await keep_history(driver.client, handle.id, "overdue-closed-out")


async def test_the_yearly_launch_opens_every_countys_programme_once(
    driver: Driver, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    year = (await server_today(time_skipping_env)).year + 2
    client: Client = driver.client
    launch = await client.start_workflow(
        ReformLaunchWorkflow.run,
        LaunchInput(year=year),
        id=f"reform-launch-{year}",
        task_queue=driver.task_queue,
    )
    opened = await launch.result()
    assert opened == [reform_workflow_id(j.code, year) for j in JURISDICTIONS]
    await eventually(
        lambda: all(reform.get(engine, j.code, year) is not None for j in JURISDICTIONS)
    )
    again = await client.execute_workflow(
        ReformLaunchWorkflow.run,
        LaunchInput(year=year),
        id=f"reform-launch-again-{year}",
        task_queue=driver.task_queue,
    )
    assert again == []
    await keep_history(client, launch.id, "launched-year")
    await keep_history(client, reform_workflow_id("331102", year), "opened-by-schedule")
